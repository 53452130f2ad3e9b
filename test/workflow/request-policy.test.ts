// Request policies through the local runner against the simulator: WORKFLOW_CONFIG carries the same
// requestPolicies document the deployment config does, and a request outside its policy fails in
// ValidateRequest with InvalidRequest before vCenter is touched.
import { describe, expect, it } from 'vitest';
import { entered, request, useSimulator } from './helpers.js';

const requestPolicies = {
  default: { sources: ['linux'], maxClones: 2, maxLeaseMinutes: 30 },
  named: [
    {
      name: 'windows-team',
      match: { requesterIds: ['jenkins/win/.*'], principals: ['account:111122223333'] },
      sources: ['windows'],
      maxClones: 2,
      maxLeaseMinutes: 30,
    },
  ],
};

describe('request policies in the workflow', () => {
  const t = useSimulator();

  it.each([
    [
      'a source the default policy lacks',
      { sources: [{ source: 'windows', count: 1 }] },
      'sources[0].source',
    ],
    ['a bigger fleet', { sources: [{ source: 'linux', count: 3 }] }, 'sources: 3 clones asked for'],
    ['a port group the policy lacks', { network: 'VM Network' }, 'network:'],
    ['a smoke command', { smokeCommand: 'id' }, 'smokeCommand: is not allowed'],
  ])(
    '%s → InvalidRequest naming the field and the policy, nothing created',
    async (_what, overrides, field) => {
      const calls = () => JSON.stringify(t.sim.stats().calls);
      const before = calls();
      const result = await t.run(request(overrides), { requestPolicies });
      expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
      expect(result.cause).toContain(field);
      expect(result.cause).toContain("request policy 'default'");
      expect(entered(result, 'VerifySourceFrozen')).toBe(0);
      expect(entered(result, 'InstantClone')).toBe(0);
      // Not a single SOAP call: ValidateRequest talks to nobody.
      expect(calls()).toBe(before);
    },
  );

  it('a named policy needs its principal: the same requesterId started directly gets the default', async () => {
    const input = request({ requesterId: 'jenkins/win/7', sources: [{ source: 'windows', count: 1 }] });
    const direct = await t.run(input, { requestPolicies });
    expect(direct).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
    expect(direct.cause).toContain("request policy 'default'");

    const viaBus = await t.run(
      { request: input, principal: { account: '111122223333', source: 'acme.jenkins' } },
      { requestPolicies },
    );
    expect(viaBus.status).toBe('SUCCEEDED');
  });

  it('a request inside its policy runs', async () => {
    const result = await t.run(request(), { requestPolicies });
    expect(result.status).toBe('SUCCEEDED');
  });

  it('smokeAccountOnly: the command runs as the separate smoke account, not the guest account', async () => {
    const policies = {
      default: { sources: ['linux'], maxClones: 1, maxLeaseMinutes: 30, smokeCommand: 'smokeAccountOnly' },
    };
    const input = request({ smokeCommand: 'echo ok' });
    // Without a smoke account the policy refuses the command up front.
    const refused = await t.run(input, { requestPolicies: policies });
    expect(refused).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
    expect(refused.cause).toContain('has no smokeGuestSecret');
    // A smoke account the guest rejects fails only the smoke command: the network refresh, which runs as the
    // guest account, succeeded, so the smoke command used the other account.
    const wrong = await t.run(input, {
      requestPolicies: policies,
      smokeGuest: { linux: { username: 'smoke', password: 'not-the-guest-password' } },
    });
    expect(wrong).toMatchObject({ status: 'FAILED', error: 'GuestLoginFailed' });
    expect(entered(wrong, 'RefreshGuestNetwork')).toBe(1);
    expect(entered(wrong, 'RunSmokeCommand')).toBeGreaterThanOrEqual(1);
    // The simulator knows one account per OS; given as the smoke account, the command runs.
    const ok = await t.run(input, { requestPolicies: policies, smokeGuest: { linux: t.sim.guest.linux } });
    expect(ok.status).toBe('SUCCEEDED');
    expect(entered(ok, 'RunSmokeCommand')).toBe(1);
  });
});
