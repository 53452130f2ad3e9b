import { describe, expect, it } from 'vitest';
import { credentialsFrom, secretIds, useSecretsManager } from './credentials.js';
import { testConfig } from './test-config.js';

describe('credentials', () => {
  it('uses Secrets Manager only inside Lambda and not when told to use local credentials', () => {
    expect(useSecretsManager({ AWS_LAMBDA_FUNCTION_NAME: 'f' })).toBe(true);
    expect(useSecretsManager({ AWS_LAMBDA_FUNCTION_NAME: 'f', LOCAL_CREDENTIALS: '1' })).toBe(false);
    expect(useSecretsManager({})).toBe(false);
  });

  it('maps context keys to secret ids', () => {
    const none = { vcenter: false, guest: false, smokeGuest: false };
    expect(secretIds(testConfig(), none)).toEqual({});
    expect(secretIds(testConfig(), { ...none, vcenter: true })).toEqual({ vcenter: 'ic/vcenter' });
    expect(secretIds(testConfig(), { ...none, vcenter: true, guest: true })).toMatchObject({
      guest_linux: 'ic/guest/linux',
    });
    const withSmoke = testConfig();
    const linux = withSmoke.sources.linux;
    if (linux) linux.smokeGuestSecretId = 'ic/guest/linux-smoke';
    expect(secretIds(withSmoke, { ...none, smokeGuest: true })).toEqual({
      guest_smoke_linux: 'ic/guest/linux-smoke',
    });
  });

  it('reads credentials from the context and never echoes a value in errors', () => {
    expect(credentialsFrom({ vcenter: { username: 'u', password: 'p' } }, 'vcenter')).toEqual({
      username: 'u',
      password: 'p',
    });
    expect(() => credentialsFrom({ vcenter: { username: 'u', pass: 's3cret' } }, 'vcenter')).toThrow(
      /vcenter/,
    );
    try {
      credentialsFrom({ vcenter: { username: 'u', pass: 's3cret' } }, 'vcenter');
    } catch (e) {
      expect((e as Error).message).not.toContain('s3cret');
    }
  });
});
