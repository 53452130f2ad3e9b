import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSecretsExtension, startSecretsExtension } from '../../local/runner/secrets-extension.js';
import { credentialsFrom, credentialsMiddleware, secretIds } from './credentials.js';
import { DEFAULT_EXTENSION_PORT, getSecretString, secretsExtension } from './secrets-extension.js';
import { testConfig } from './test-config.js';

const none = { vcenter: false, guest: false, smokeGuest: false };

describe('credentials', () => {
  it('asks the Parameters and Secrets extension in Lambda (port 2773 unless told) or where a port is set', () => {
    expect(secretsExtension({ AWS_LAMBDA_FUNCTION_NAME: 'f', AWS_SESSION_TOKEN: 't' })).toEqual({
      port: DEFAULT_EXTENSION_PORT,
      token: 't',
    });
    expect(
      secretsExtension({ PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '4711', AWS_SESSION_TOKEN: 't' }),
    ).toEqual({ port: 4711, token: 't' });
    expect(secretsExtension({})).toBeUndefined();
  });

  it('maps context keys to secret ids', () => {
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

describe('credentials from the Parameters and Secrets extension API (served locally)', () => {
  let extension: LocalSecretsExtension;
  const saved = { ...process.env };
  beforeAll(async () => {
    extension = await startSecretsExtension();
    extension.put({
      'ic/vcenter': JSON.stringify({ username: 'administrator@vsphere.local', password: 'vc-s3cret' }),
      'ic/guest/linux': JSON.stringify({ username: 'root', password: 'guest-s3cret' }),
      'ic/guest/win': JSON.stringify({ username: 'Administrator', password: 'win-s3cret' }),
    });
  });
  afterAll(async () => {
    process.env = saved;
    await extension.stop();
  });
  const point = (token = extension.token) => {
    process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT = String(extension.port);
    process.env.AWS_SESSION_TOKEN = token;
  };

  it('puts exactly the secrets a handler needs on its context, one GET each', async () => {
    point();
    const before = extension.requests();
    const context: Record<string, unknown> = {};
    await credentialsMiddleware(testConfig, { ...none, vcenter: true, guest: true }).before?.({
      context,
    } as never);
    expect(credentialsFrom(context, 'vcenter')).toEqual({
      username: 'administrator@vsphere.local',
      password: 'vc-s3cret',
    });
    expect(credentialsFrom(context, 'guest_linux')).toEqual({ username: 'root', password: 'guest-s3cret' });
    const after = extension.requests();
    expect(after['ic/vcenter']).toBe((before['ic/vcenter'] ?? 0) + 1);
    expect(after['ic/guest/linux']).toBe((before['ic/guest/linux'] ?? 0) + 1);
    // only the vCenter account for a handler that needs only that
    const vcOnly: Record<string, unknown> = {};
    await credentialsMiddleware(testConfig, { ...none, vcenter: true }).before?.({
      context: vcOnly,
    } as never);
    expect(Object.keys(vcOnly)).toEqual(['vcenter']);
  });

  it('a secret that does not exist or a wrong token is InvalidConfig naming the secret, never a value', async () => {
    point();
    const config = () => ({ ...testConfig(), vcenter: { ...testConfig().vcenter, secretId: 'ic/nope' } });
    const missing = credentialsMiddleware(config, { ...none, vcenter: true }).before?.({
      context: {},
    } as never);
    await expect(missing).rejects.toMatchObject({
      name: 'InvalidConfig',
      message: expect.stringMatching(/secret 'ic\/nope'.*HTTP 400.*can't find the specified secret/),
    });
    point('not-the-token');
    const denied = getSecretString(secretsExtension() as never, 'ic/vcenter');
    await expect(denied).rejects.toMatchObject({ status: 401 });
    const refused = credentialsMiddleware(testConfig, { ...none, vcenter: true, guest: true }).before?.({
      context: {},
    } as never);
    const error = await (refused as Promise<void>).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'InvalidConfig' });
    expect(String((error as Error).message)).not.toMatch(/s3cret/);
  });

  it('does nothing outside Lambda without an extension port: the context is the caller’s', async () => {
    delete process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT;
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    const context = { vcenter: { username: 'u', password: 'p' } };
    await credentialsMiddleware(testConfig, { ...none, vcenter: true }).before?.({ context } as never);
    expect(context).toEqual({ vcenter: { username: 'u', password: 'p' } });
  });
});
