// A soak run's scenario, drawn from its seed alone: the fleet request, how the lease ends, and the faults
// (kind, parameters, trigger). `coverageOf` names what a set of scenarios exercises, so a short seeded soak
// can prove it touches every fault kind.
import type { JsonValue } from '../runner/index.js';
import type { SimulatorOptions } from '../simulator/index.js';
import { FAULT_KINDS, type PlannedFault, type Trigger } from './fault-kinds.js';
import { seededRandom } from './random.js';
import { LAMBDA_STATES } from './retry-budget.js';

/**
 * zero: leaseMinutes 0 (no Ready wait); released: held, then released; extended: held, extended by a minute
 * (SetLease, a new wait of Ready), held again, then released; expired: the lease times out.
 */
export type LeaseMode = 'zero' | 'released' | 'extended' | 'expired';

export interface Scenario {
  seed: number;
  request: { [key: string]: JsonValue };
  lease: LeaseMode;
  /** simulated ms the lease is held before release */
  holdMs: number;
  faults: PlannedFault[];
  simulatorOptions: SimulatorOptions;
}

/** Real seconds WaitForIp waits for an address: short, since DHCP faults make it run out on purpose. */
export const IP_TIMEOUT_SECONDS = 3;

export function planScenario(seed: number): Scenario {
  const random = seededRandom(seed);
  const linux = random.int(0, 3);
  const windows = random.int(linux === 0 ? 1 : 0, 2);
  const sources: JsonValue[] = [];
  if (linux) sources.push({ source: 'linux', count: linux });
  if (windows) sources.push({ source: 'windows', count: windows });
  const total = linux + windows;
  const lease = random.pick(['zero', 'released', 'extended', 'expired'] as const);
  const request: Scenario['request'] = {
    requesterId: `soak/${seed}`,
    namePrefix: 'soak',
    sources,
    leaseMinutes: lease === 'zero' ? 0 : 1,
    maxConcurrency: random.int(1, 3),
    ipTimeoutSeconds: IP_TIMEOUT_SECONDS,
  };
  if (random.chance(0.3)) request.minReady = random.int(0, total);
  if (random.chance(0.3)) {
    request.staticIps = {
      addresses: Array.from({ length: total }, (_, i) => `10.20.0.${50 + i}`),
      prefixLength: 24,
      gateway: '10.20.0.1',
      dns: ['10.20.0.2'],
    };
  }
  if (random.chance(0.3)) request.smokeCommand = random.chance(0.75) ? 'echo ok' : 'exit 3';

  const faults: PlannedFault[] = [];
  const howMany = random.pick([0, 1, 2, 2, 3, 3, 4]);
  for (let i = 0; i < howMany; i++) {
    const kind = random.pick(FAULT_KINDS);
    const runtime = kind.when.includes('runtime') && (!kind.when.includes('start') || random.chance(0.5));
    const trigger: Trigger = !runtime
      ? { at: 'start' }
      : lease !== 'zero' && random.chance(0.2)
        ? { at: 'hold' }
        : { at: 'state', state: random.pick(LAMBDA_STATES) };
    faults.push({ kind: kind.name, trigger, ...kind.plan(random) });
  }
  const simulatorOptions: SimulatorOptions = Object.assign(
    {},
    ...faults.map((f) => f.simulatorOptions ?? {}),
  ) as SimulatorOptions;
  return { seed, request, lease, holdMs: random.int(1, 30) * 1000, faults, simulatorOptions };
}

/** Everything a soak should exercise; a scenario set covers a key when some scenario has it. */
export function coverageKeys(): string[] {
  return [
    ...FAULT_KINDS.map((k) => `fault:${k.name}`),
    'trigger:start',
    'trigger:state',
    'trigger:hold',
    'rule:count',
    'rule:probability',
    'source:linux',
    'source:windows',
    'staticIps',
    'smoke:ok',
    'smoke:fails',
    'minReady',
    'lease:zero',
    'lease:released',
    'lease:extended',
    'lease:expired',
    'noFault',
    // the situations issue 7 names: sessions lost while the lease is held, static addresses with no fault
    'expireSessions:hold',
    'staticIps:noFault',
  ];
}

export function coverageOf(scenarios: readonly Scenario[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(coverageKeys().map((k) => [k, 0]));
  const add = (key: string): void => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  for (const s of scenarios) {
    const keys = new Set<string>();
    for (const f of s.faults) {
      keys.add(`fault:${f.kind}`);
      keys.add(`trigger:${f.trigger.at}`);
      if (f.rule?.count !== undefined) keys.add('rule:count');
      if (f.rule?.probability !== undefined) keys.add('rule:probability');
    }
    for (const src of s.request.sources as { source: string }[]) keys.add(`source:${src.source}`);
    if (s.request.staticIps) keys.add('staticIps');
    if (s.request.smokeCommand) keys.add(s.request.smokeCommand === 'echo ok' ? 'smoke:ok' : 'smoke:fails');
    if (s.request.minReady !== undefined) keys.add('minReady');
    keys.add(`lease:${s.lease}`);
    if (s.faults.length === 0) keys.add('noFault');
    if (s.faults.some((f) => f.kind === 'expireSessions' && f.trigger.at === 'hold'))
      keys.add('expireSessions:hold');
    if (s.request.staticIps && s.faults.length === 0) keys.add('staticIps:noFault');
    for (const k of keys) add(k);
  }
  return counts;
}

/** The seeds of a soak: run i of `--seed S` has seed S + i, so `--seed S+i --runs 1` replays it. */
export function seedsOf(seed: number, runs: number): number[] {
  return Array.from({ length: runs }, (_, i) => seed + i);
}

/**
 * A small set of seeds from [from, from + span) that together cover every coverage key (greedy set cover,
 * preferring seeds with fewer clones): how the CI soak's seeds were picked.
 */
export function coveringSeeds(from: number, span: number): number[] {
  const candidates = seedsOf(from, span).map((seed) => {
    const scenario = planScenario(seed);
    const covered = coverageOf([scenario]);
    const clones = (scenario.request.sources as { count: number }[]).reduce((n, s) => n + s.count, 0);
    return { seed, keys: Object.keys(covered).filter((k) => (covered[k] ?? 0) > 0), clones };
  });
  const missing = new Set(coverageKeys());
  const chosen: number[] = [];
  while (missing.size > 0) {
    let best: (typeof candidates)[number] | undefined;
    let bestGain = 0;
    for (const c of candidates) {
      const gain = c.keys.filter((k) => missing.has(k)).length;
      if (gain > bestGain || (gain === bestGain && best && gain > 0 && c.clones < best.clones)) {
        best = c;
        bestGain = gain;
      }
    }
    if (!best || bestGain === 0)
      throw new Error(`no seed in ${from}..${from + span - 1} covers ${[...missing]}`);
    chosen.push(best.seed);
    for (const k of best.keys) missing.delete(k);
  }
  return chosen.sort((a, b) => a - b);
}
