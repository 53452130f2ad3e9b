import { describe, expect, it } from 'vitest';
import { HostCapacityExceededError } from './errors.js';
import { hostMemoryOf } from './host-memory.js';
import { cloneChargeMB, freeMemoryMB, type PlacementHost, pathsFromCounts, placeFleet } from './placement.js';

const policy = { cloneMemoryFraction: 0.5, hostMemoryHeadroomPercent: 10 };
const GiB = 1024;
const host = (name: string, memoryMB: number | null, usedMB: number | null): PlacementHost => ({
  name,
  memoryMB,
  usedMB,
});
const member = (path: string, hostId: string, memoryMB = 4096) => ({
  path,
  host: hostId,
  memoryMB,
  chargeMB: cloneChargeMB(memoryMB, policy.cloneMemoryFraction),
});
const fleet = (source: string, n: number) => Array.from({ length: n }, () => ({ source }));
const count = (placed: string[], path: string) => placed.filter((p) => p === path).length;

describe('host memory', () => {
  it('reads bytes and MB as vCenter and vcsim report them, summary.hardware when hardware is absent', () => {
    expect(
      hostMemoryOf({ 'hardware.memorySize': 4294430720, 'summary.quickStats.overallMemoryUsage': 1404 }),
    ).toEqual({ memoryMB: 4095, usedMB: 1404 });
    expect(hostMemoryOf({ 'summary.hardware.memorySize': '1073741824' })).toEqual({
      memoryMB: 1024,
      usedMB: null,
    });
  });

  it('free memory is size less use less headroom; a host that reports nothing has none', () => {
    expect(freeMemoryMB(host('a', 100 * GiB, 20 * GiB), 10)).toBe(70 * GiB);
    expect(freeMemoryMB(host('a', 100 * GiB, 95 * GiB), 10)).toBe(0);
    expect(freeMemoryMB(host('a', 100 * GiB, null), 10)).toBe(0);
  });
});

describe('placeFleet', () => {
  const members = new Map([['linux', [member('/a', 'h1'), member('/b', 'h2')]]]);

  it('equal hosts: round-robin in path order, as before', () => {
    const hosts = new Map([
      ['h1', host('esxi-1', 512 * GiB, 8 * GiB)],
      ['h2', host('esxi-2', 512 * GiB, 8 * GiB)],
    ]);
    expect(placeFleet(fleet('linux', 5), members, hosts, policy)).toEqual(['/a', '/b', '/a', '/b', '/a']);
  });

  it('in proportion to free memory: three times the free memory, three times the clones', () => {
    // free after 10 %: h1 90 − 18 = 72 GiB, h2 90 − 66 = 24 GiB
    const hosts = new Map([
      ['h1', host('esxi-1', 100 * GiB, 18 * GiB)],
      ['h2', host('esxi-2', 100 * GiB, 66 * GiB)],
    ]);
    const placed = placeFleet(fleet('linux', 12), members, hosts, policy);
    expect([count(placed, '/a'), count(placed, '/b')]).toEqual([9, 3]);
  });

  it('never more than a host takes at the per-clone charge; the rest goes elsewhere', () => {
    // h1 has more free memory (10 GiB) but its source is a 16 GiB VM: room for one clone of 8 GiB
    const mixed = new Map([['linux', [member('/a', 'h1', 16 * GiB), member('/b', 'h2')]]]);
    const hosts = new Map([
      ['h1', host('esxi-1', 100 * GiB, 80 * GiB)],
      ['h2', host('esxi-2', 100 * GiB, 82 * GiB)],
    ]);
    const placed = placeFleet(fleet('linux', 4), mixed, hosts, policy);
    expect([count(placed, '/a'), count(placed, '/b')]).toEqual([1, 3]);
  });

  it('hosts shared by two sources: capacity is the host’s, whatever source uses it', () => {
    const shared = new Map([
      ['linux', [member('/a', 'h1')]],
      ['windows', [member('/w', 'h1', 8192)]],
    ]);
    const hosts = new Map([['h1', host('esxi-1', 20 * GiB, 4 * GiB)]]); // 14 GiB free: 2 × 4 + 3 × 2 = 14
    expect(placeFleet([...fleet('windows', 2), ...fleet('linux', 3)], shared, hosts, policy).join(',')).toBe(
      '/w,/w,/a,/a,/a',
    );
    expect(() => placeFleet([...fleet('windows', 2), ...fleet('linux', 4)], shared, hosts, policy)).toThrow(
      HostCapacityExceededError,
    );
  });

  it('a fleet that does not fit: HostCapacityExceeded naming hosts, free memory, the need and what to do', () => {
    const hosts = new Map([
      ['h1', host('esxi-1.example.com', 16 * GiB, 8 * GiB)],
      ['h2', host('esxi-2.example.com', 16 * GiB, null)],
    ]);
    let error: unknown;
    try {
      placeFleet(fleet('linux', 10), members, hosts, policy);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HostCapacityExceededError);
    const message = (error as Error).message;
    expect(message).toContain('7 of 10 clones do not fit');
    expect(message).toContain('the fleet needs 20,480 MB');
    expect(message).toContain("source 'linux': 10 × 2,048 MB (0.5 of its 4,096 MB)");
    expect(message).toContain('esxi-1.example.com: 6,553 MB free of 16,384 MB (8,192 MB in use)');
    expect(message).toContain('esxi-2.example.com: memory not reported');
    expect(message).toContain('10 % of each host');
    expect(message).toContain('Ask for fewer clones');
    expect(message).toContain('free memory on the hosts named');
  });

  it('cloneMemoryFraction 0 counts clones as free: only a host past its headroom is left out', () => {
    const free = { ...policy, cloneMemoryFraction: 0 };
    const zero = new Map([
      [
        'linux',
        [
          { ...member('/a', 'h1'), chargeMB: 0 },
          { ...member('/b', 'h2'), chargeMB: 0 },
        ],
      ],
    ]);
    const hosts = new Map([
      ['h1', host('esxi-1', 100 * GiB, 50 * GiB)],
      ['h2', host('esxi-2', 100 * GiB, 95 * GiB)],
    ]);
    expect(new Set(placeFleet(fleet('linux', 50), zero, hosts, free))).toEqual(new Set(['/a']));
  });
});

describe('pathsFromCounts (how every child of the fan-out follows one placement)', () => {
  const clones = [
    ...Array.from({ length: 8 }, () => ({ source: 'linux' })),
    ...Array.from({ length: 2 }, () => ({ source: 'windows' })),
  ];
  const counts = [
    { source: 'linux', sourcePath: '/DC/vm/a', count: 6 },
    { source: 'linux', sourcePath: '/DC/vm/b', count: 2 },
    { source: 'windows', sourcePath: '/DC/vm/w', count: 2 },
  ];

  it('gives each source VM exactly its count, interleaved, and the same answer every time', () => {
    const paths = pathsFromCounts(clones, counts);
    expect(paths.filter((p) => p === '/DC/vm/a')).toHaveLength(6);
    expect(paths.filter((p) => p === '/DC/vm/b')).toHaveLength(2);
    expect(paths.slice(8)).toEqual(['/DC/vm/w', '/DC/vm/w']);
    expect(paths.slice(0, 4)).toContain('/DC/vm/b');
    expect(pathsFromCounts(clones, counts)).toEqual(paths);
  });

  it('equal counts are round-robin in path order', () => {
    const even = [
      { source: 'linux', sourcePath: '/DC/vm/a', count: 4 },
      { source: 'linux', sourcePath: '/DC/vm/b', count: 4 },
    ];
    expect(pathsFromCounts(clones.slice(0, 8), even)).toEqual(
      ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b'].map((x) => `/DC/vm/${x}`),
    );
  });

  it('refuses a plan with more clones of a source than were placed', () => {
    expect(() => pathsFromCounts(clones, counts.slice(0, 2))).toThrow(
      /placed fewer clones of source 'windows'/,
    );
  });
});
