import { describe, expect, it } from 'vitest';
import { handler } from './handler.js';

const longPath = (host: string) =>
  `/Frankfurt-Datacenter-01/vm/Continuous-Integration/instant-clone/frozen-sources/windows-2022-build-agent-${host}`;

describe('ValidateRequest', () => {
  it('refuses a fleet whose state would exceed 256 KiB with InvalidRequest naming the limit', async () => {
    process.env.WORKFLOW_CONFIG = JSON.stringify({
      vcenter: { url: 'https://vc.example.com/sdk', secretId: 'ic/vcenter' },
      sources: { windows: { paths: [longPath('a'), longPath('b')], os: 'windows', guestSecretId: 'ic/g' } },
    });
    process.env.LOCAL_CREDENTIALS = '1';
    const request = {
      requesterId: 'jenkins/platform/nightly/4711',
      namePrefix: 'platform-integration-nightly-windows',
      sources: [{ source: 'windows', count: 200 }],
    };
    const event = { request, executionName: 'nightly-2026-11-30' };
    const context = { getRemainingTimeInMillis: () => 30_000 } as never;
    await expect(handler(event, context)).rejects.toMatchObject({
      name: 'InvalidRequest',
      message: expect.stringMatching(/256 KiB limit per state; ask for at most \d+ clones/),
    });
    const fewer = { ...event, request: { ...request, sources: [{ source: 'windows', count: 150 }] } };
    await expect(handler(fewer, context)).resolves.toMatchObject({ run: { total: 150 } });
  });
});
