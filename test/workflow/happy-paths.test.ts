import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../local/simulator/index.js';
import { expectCleanAfter, request, run, simulator, summaryOf } from './helpers.js';

describe('workflow happy paths (local runner + simulator)', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await simulator();
  });
  afterAll(() => sim.stop());

  it.each(['linux', 'windows'])('one %s clone: ready with an IP, released, torn down', async (source) => {
    const result = await run(sim, request({ sources: [{ source, count: 1 }] }));
    expect(result.status).toBe('SUCCEEDED');
    const summary = summaryOf(result);
    expect(summary).toMatchObject({ ready: 1, failed: 0, lease: 'released' });
    expect(summary.clones[0]?.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(summary.clones[0]?.teardown).toBe('destroyed');
    const ready = result.putEvents.find((e) => e.state === 'Ready');
    expect(JSON.stringify(ready?.entries)).toContain('Instant Clones Ready');
    // The Ready event no longer carries the task token (ADR 0004): nothing on the bus can end a lease.
    expect(JSON.stringify(ready?.entries)).not.toContain('local-token-');
    expect(result.putEvents.map((e) => e.state)).toEqual(['Ready', 'PublishReleased']);
    expectCleanAfter(sim, result);
  });

  it('static IP via guestinfo: the clone gets the requested address', async () => {
    const result = await run(
      sim,
      request({
        staticIps: { addresses: ['10.77.0.50'], prefixLength: 24, gateway: '10.77.0.1', dns: ['10.77.0.2'] },
      }),
      {
        taskHook: ({ state, phase }) => {
          if (state !== 'ReconnectNic' || phase !== 'before') return;
          const clone = sim.clones()[0];
          expect(clone?.extraConfig['guestinfo.ic.ip']).toBe('10.77.0.50');
          expect(clone?.extraConfig['guestinfo.ic.gateway']).toBe('10.77.0.1');
        },
      },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(summaryOf(result).clones[0]?.ip).toBe('10.77.0.50');
    expectCleanAfter(sim, result);
  });

  it('leaseMinutes 0 skips the wait and tears down right away', async () => {
    const result = await run(sim, request({ leaseMinutes: 0 }));
    expect(result.status).toBe('SUCCEEDED');
    expect(result.putEvents.map((e) => e.state)).toEqual(['PublishReleased']);
    expect(summaryOf(result).lease).toBe('none');
    expectCleanAfter(sim, result);
  });
});

describe('fleet of 20 with MaxConcurrency 5', () => {
  it('never runs more than 5 clone tasks at once and spreads over both Linux sources', async () => {
    const sim = await simulator();
    try {
      const result = await run(
        sim,
        request({ sources: [{ source: 'linux', count: 20 }], maxConcurrency: 5 }),
      );
      expect(result.status).toBe('SUCCEEDED');
      expect(summaryOf(result)).toMatchObject({ ready: 20, failed: 0 });
      const stats = sim.stats();
      expect(stats.calls.InstantClone_Task).toBe(20);
      expect(stats.maxConcurrent.InstantClone_Task).toBeLessThanOrEqual(5);
      expect(stats.maxConcurrent.InstantClone_Task).toBeGreaterThan(1);
      const ips = summaryOf(result).clones.map((c) => c.ip);
      expect(new Set(ips).size).toBe(20);
      expectCleanAfter(sim, result);
    } finally {
      await sim.stop();
    }
  });
});
