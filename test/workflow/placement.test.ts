// Placement by free memory, over real SOAP: VerifySourceFrozen reads the source VMs' hosts (hardware.memorySize,
// summary.quickStats.overallMemoryUsage) from the simulator and spreads the fleet in proportion to their free
// memory, or fails with HostCapacityExceeded before any InstantClone_Task when the fleet cannot fit.
import { describe, expect, it } from 'vitest';
import type { SimHost, SimVm } from '../../local/simulator/index.js';
import { entered, expectCleanAfter, request, run, simulator, summaryOf } from './helpers.js';

/** Clones per simulated host while the fleet exists (at CheckFleet, before teardown). */
function clonesPerHost(clones: SimVm[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of clones) out[c.host] = (out[c.host] ?? 0) + 1;
  return out;
}

describe('placement by the hosts’ free memory', () => {
  it('a host with three times the free memory gets three times the clones; clones use host memory', async () => {
    // Each host carries two powered-on 4096 MB VMs. With the default 10 % headroom:
    // esxi-01: 102400 − (10240 + 8192) − 10240 = 73728 MB free; esxi-02: 51200 − (13312 + 8192) − 5120 = 24576.
    const sim = await simulator({
      hosts: [
        { memoryMB: 102_400, baseUsageMB: 10_240 },
        { memoryMB: 51_200, baseUsageMB: 13_312 },
      ],
    });
    try {
      const before = sim.hosts();
      let during: { perHost: Record<string, number>; hosts: SimHost[] } | undefined;
      const result = await run(sim, request({ sources: [{ source: 'linux', count: 8 }], leaseMinutes: 0 }), {
        taskHook: ({ state, phase }) => {
          if (state === 'CheckFleet' && phase === 'before')
            during = { perHost: clonesPerHost(sim.clones()), hosts: sim.hosts() };
        },
      });
      expect(result.status).toBe('SUCCEEDED');
      expect(summaryOf(result)).toMatchObject({ ready: 8, failed: 0 });
      expect(during?.perHost).toEqual({ 'host-21': 6, 'host-22': 2 });
      // Each instant clone holds a quarter of its source's 4096 MB in the model.
      const grew = during?.hosts.map((h, i) => h.usedMB - (before[i]?.usedMB ?? 0));
      expect(grew).toEqual([6 * 1024, 2 * 1024]);
      expectCleanAfter(sim, result);
      expect(sim.hosts().map((h) => h.usedMB)).toEqual(before.map((h) => h.usedMB));
    } finally {
      await sim.stop();
    }
  });

  describe('hosts with room for one clone each', () => {
    // 16384 − (4096 + 8192) − 1638 = 2458 MB free each: one clone at 0.5 × 4096 MB.
    const small = { hosts: [{ memoryMB: 16_384 }, { memoryMB: 16_384 }] };

    it('a fleet that fits takes one clone per host', async () => {
      const sim = await simulator(small);
      try {
        let perHost: Record<string, number> = {};
        const result = await run(
          sim,
          request({ sources: [{ source: 'linux', count: 2 }], leaseMinutes: 0 }),
          {
            taskHook: ({ state, phase }) => {
              if (state === 'CheckFleet' && phase === 'before') perHost = clonesPerHost(sim.clones());
            },
          },
        );
        expect(result.status).toBe('SUCCEEDED');
        expect(perHost).toEqual({ 'host-21': 1, 'host-22': 1 });
        expectCleanAfter(sim, result);
      } finally {
        await sim.stop();
      }
    });

    it('a fleet that cannot fit fails with HostCapacityExceeded; no InstantClone_Task is sent', async () => {
      const sim = await simulator(small);
      try {
        const result = await run(sim, request({ sources: [{ source: 'linux', count: 3 }] }));
        expect(result).toMatchObject({ status: 'FAILED', error: 'HostCapacityExceeded' });
        expect(result.cause).toContain('1 of 3 clones do not fit');
        expect(result.cause).toContain('esxi-01.sim.local: 2,457 MB free of 16,384 MB (12,288 MB in use)');
        expect(result.cause).toContain('esxi-02.sim.local');
        expect(result.cause).toContain("source 'linux': 3 × 2,048 MB");
        expect(result.cause).toContain('Ask for fewer clones');
        expect(entered(result, 'InstantClone')).toBe(0);
        expect(sim.stats().calls.InstantClone_Task ?? 0).toBe(0);
        expect(result.putEvents.map((e) => e.state)).toEqual(['PublishRunFailed']);
        expectCleanAfter(sim, result);
      } finally {
        await sim.stop();
      }
    });

    it('a larger per-clone charge in the config is honoured: cloneMemoryFraction 1 fits none', async () => {
      const sim = await simulator(small);
      try {
        const result = await run(sim, request({ sources: [{ source: 'linux', count: 1 }] }), {
          defaults: { cloneMemoryFraction: 1 },
        });
        expect(result).toMatchObject({ status: 'FAILED', error: 'HostCapacityExceeded' });
        expect(result.cause).toContain('1 × 4,096 MB (1 of its 4,096 MB)');
        expect(sim.stats().calls.InstantClone_Task ?? 0).toBe(0);
        expectCleanAfter(sim, result);
      } finally {
        await sim.stop();
      }
    });
  });
});
