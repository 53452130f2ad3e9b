// Shared setup for the workflow tests: a simulator at 1/100 of real latencies, runs through the local runner
// at the same scale, and the checks every test makes afterwards (no clone left, no secret in any state).
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { JsonValue, LocalExecutionResult, RunLocalWorkflowOptions } from '../../local/runner/index.js';
import { runLocalWorkflow } from '../../local/runner/index.js';
import { type PermitStore, startPermitStore } from '../../local/runner/permit-store.js';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../local/simulator/index.js';

export const TIME_SCALE = 0.01;

// Powertools reads these when the handlers are imported (inside runLocalWorkflow).
process.env.POWERTOOLS_LOG_LEVEL ??= 'CRITICAL';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

export function simulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({ timeScale: TIME_SCALE, ...options });
}

export function request(overrides: Record<string, JsonValue> = {}): JsonValue {
  return {
    requesterId: 'test',
    namePrefix: 'ci',
    sources: [{ source: 'linux', count: 1 }],
    leaseMinutes: 1,
    ...overrides,
  };
}

export function run(
  sim: RunningSimulator,
  input: JsonValue,
  options: Partial<RunLocalWorkflowOptions> = {},
): Promise<LocalExecutionResult> {
  return runLocalWorkflow({ simulator: sim, input, timeScale: TIME_SCALE, ...options });
}

/**
 * One simulator for a describe block. `run` remembers its result; after each test that result is checked with
 * expectCleanAfter, and the simulator's injected faults and DHCP mode are reset.
 */
export function useSimulator(): {
  sim: RunningSimulator;
  run(input: JsonValue, options?: Partial<RunLocalWorkflowOptions>): Promise<LocalExecutionResult>;
} {
  let last: LocalExecutionResult | undefined;
  const t = {
    sim: undefined as unknown as RunningSimulator,
    run: async (input: JsonValue, options: Partial<RunLocalWorkflowOptions> = {}) => {
      last = await run(t.sim, input, options);
      return last;
    },
  };
  beforeAll(async () => {
    t.sim = await simulator();
  });
  afterEach(() => {
    if (last) expectCleanAfter(t.sim, last);
    last = undefined;
    t.sim.clearFaults();
    t.sim.setDhcp('up');
  });
  afterAll(() => t.sim.stop());
  return t;
}

/** A simulator and one permit table (dynalite) for a describe block, shared by its runs (throttle, quota). */
export function useSimulatorWithPermits(): { sim: RunningSimulator; store: PermitStore } {
  const t = {} as { sim: RunningSimulator; store: PermitStore };
  beforeAll(async () => {
    t.sim = await simulator();
    t.store = await startPermitStore();
  });
  afterAll(async () => {
    await t.store?.stop();
    await t.sim?.stop();
  });
  return t;
}

/** Every state input/output, every recorded event and the output: no password, no session cookie. */
export function expectNoSecrets(sim: RunningSimulator, result: LocalExecutionResult): void {
  const everything = JSON.stringify([
    result.events,
    result.putEvents,
    result.output ?? null,
    result.cause ?? null,
  ]);
  const secrets = [sim.password, sim.guest.linux.password, sim.guest.windows.password].filter(
    (s) => s.length >= 4,
  );
  for (const secret of secrets) expect(everything).not.toContain(secret);
  expect(everything).not.toMatch(/vmware_soap_session/i);
  expect(everything).not.toMatch(/"password"/i);
}

/** The checks after every run: nothing leaked in vCenter, nothing secret in the history. */
export function expectCleanAfter(sim: RunningSimulator, result: LocalExecutionResult): void {
  expect(sim.clones().map((c) => c.name)).toEqual([]);
  expectNoSecrets(sim, result);
}

type Summary = {
  ready: number;
  failed: number;
  lease: string;
  clones: {
    name: string;
    status: string;
    ip: string | null;
    error: { name: string; message: string } | null;
    teardown: string | null;
  }[];
};

export function summaryOf(result: LocalExecutionResult): Summary {
  if (result.output) return (result.output as { summary: Summary }).summary;
  const failed = result.putEvents.find((e) => e.state === 'PublishRunFailed');
  const entry = failed?.entries[0] as { Detail?: unknown } | undefined;
  const detail = typeof entry?.Detail === 'string' ? JSON.parse(entry.Detail) : entry?.Detail;
  return (detail as { summary: Summary }).summary;
}

/** Times a state was entered, across all Map iterations. */
export function entered(result: LocalExecutionResult, state: string): number {
  return result.events.filter((e) => e.type === 'StateEntered' && e.state?.name === state).length;
}

export function retried(result: LocalExecutionResult, state: string): number {
  return result.events.filter((e) => e.type === 'StateRetried' && e.state?.name === state).length;
}
