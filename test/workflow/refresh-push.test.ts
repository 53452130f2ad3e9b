// The end of the network refresh by push (ADR 0008): guest.net pushed by the script's own
// `info update network` is the answer, for DHCP and static clones, and WaitForIp then makes no call; a script
// that fails is still found by a look at the process; a script that ends with 0 while guest.net stays silent
// (Tools older than 10.1) hands over to the read-back of its report. The filter is gone in every path.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runTimes } from '../../lambdas/workflow/run-times.js';
import type { LocalExecutionResult, TaskHook } from '../../local/runner/index.js';
import { simulatorSources } from '../../local/runner/index.js';
import type { RunningSimulator, SimulatorOptions } from '../../local/simulator/index.js';
import { expectCleanAfter, request, run, simulator, summaryOf } from './helpers.js';

const STATIC = { addresses: ['10.77.0.60'], prefixLength: 24, gateway: '10.77.0.1', dns: ['10.77.0.2'] };

/** SOAP calls per Lambda state (a state's calls: from its invocation to the next one), and open filters. */
function callsPerState(sim: RunningSimulator) {
  const calls: Record<string, Record<string, number>> = {};
  const openFiltersAfter: Record<string, number> = {};
  const results: Record<string, unknown> = {};
  let current: { state: string; before: Record<string, number> } | undefined;
  const close = () => {
    if (!current) return;
    const now = sim.stats().calls;
    const delta: Record<string, number> = {};
    for (const [m, n] of Object.entries(now)) {
      const d = n - (current.before[m] ?? 0);
      if (d > 0) delta[m] = d;
    }
    const into = calls[current.state] ?? {};
    calls[current.state] = into;
    for (const [m, d] of Object.entries(delta)) into[m] = (into[m] ?? 0) + d;
    current = undefined;
  };
  const taskHook: TaskHook = ({ state, phase, result }) => {
    if (phase === 'before') {
      close();
      current = { state, before: sim.stats().calls };
    } else {
      openFiltersAfter[state] = sim.stats().openFilters;
      results[state] = result;
    }
  };
  return { calls, openFiltersAfter, results, taskHook, close };
}

function refreshOutput(result: LocalExecutionResult) {
  const exited = result.events.find(
    (e) => e.type === 'StateExited' && e.state?.name === 'RefreshGuestNetwork',
  );
  return (exited?.state?.output as { refresh?: Record<string, unknown> } | undefined)?.refresh;
}

/** The clone's IP is its lease, found by reading the script's report back (no push answered). */
function expectReadBackIsTheIp(sim: RunningSimulator, result: LocalExecutionResult) {
  const clone = summaryOf(result).clones[0];
  const lease = sim.stats().leases.find((l) => l.vm === clone?.name);
  expect(lease?.ip).toBeDefined();
  expect(clone?.ip).toBe(lease?.ip);
  expect(refreshOutput(result)).toMatchObject({
    reportedIp: lease?.ip,
    ipSeenIn: 'guest-script',
    exitCode: 0,
  });
}

function useSim(options: SimulatorOptions = {}) {
  const t = {
    sim: undefined as unknown as RunningSimulator,
    last: undefined as LocalExecutionResult | undefined,
  };
  beforeAll(async () => {
    t.sim = await simulator(options);
  });
  // Cold containers: no learned run time, so the process looks follow the plan without data.
  beforeEach(() => runTimes.forget());
  afterEach(() => {
    if (t.last) expectCleanAfter(t.sim, t.last);
    t.last = undefined;
  });
  afterAll(() => t.sim.stop());
  return t;
}

describe('the refresh ends by push', () => {
  const t = useSim();

  it.each([
    ['DHCP', {}],
    ['static', { staticIps: STATIC }],
  ] as const)('%s: guest.net is the answer, no read-back, and WaitForIp makes no call', async (_, extra) => {
    const seen = callsPerState(t.sim);
    const result = await run(t.sim, request({ leaseMinutes: 0, ...extra }), { taskHook: seen.taskHook });
    t.last = result;
    seen.close();
    expect(result.status).toBe('SUCCEEDED');
    const clone = summaryOf(result).clones[0];
    const lease = t.sim.stats().leases.find((l) => l.vm === clone?.name);
    const expected = 'staticIps' in extra ? STATIC.addresses[0] : lease?.ip;
    expect(expected).toBeDefined();
    expect(clone?.ip).toBe(expected);
    expect(refreshOutput(result)).toMatchObject({
      reportedIp: expected,
      ipSeenIn: 'guest.net',
      exitCode: null,
    });

    const refresh = seen.calls.RefreshGuestNetwork ?? {};
    expect(refresh.StartProgramInGuest).toBe(1);
    expect(refresh.CreateFilter).toBe(1);
    expect(refresh.DestroyPropertyFilter).toBe(1);
    expect(refresh.InitiateFileTransferFromGuest).toBeUndefined();
    // one look after the push (the script is over), at most one or two more on the plan without data
    expect(refresh.ListProcessesInGuest).toBeGreaterThanOrEqual(1);
    expect(refresh.ListProcessesInGuest).toBeLessThanOrEqual(3);
    expect(seen.openFiltersAfter.RefreshGuestNetwork).toBe(0);
    expect(seen.calls.WaitForIp ?? {}).toEqual({});
    expect(JSON.stringify(seen.results.WaitForIp)).toContain('"via":"guest.net"');
  });

  it('a script that exits non-zero while guest.net stays silent: GuestScriptFailed at the first look', async () => {
    const seen = callsPerState(t.sim);
    const sources = simulatorSources(t.sim);
    const linux = sources.linux as NonNullable<typeof sources.linux>;
    // no driver reload, so no interface ever shows the clone's MAC: the script exits 97 before it pushes
    const result = await run(t.sim, request({ leaseMinutes: 0 }), {
      taskHook: seen.taskHook,
      sources: { ...sources, linux: { ...linux, refreshCommand: 'true' } },
    });
    t.last = result;
    seen.close();
    const clone = summaryOf(result).clones[0];
    expect(clone?.error?.name).toBe('GuestScriptFailed');
    expect(clone?.error?.message).toMatch(/exited with 97: no interface has the clone's MAC/);
    const refresh = seen.calls.RefreshGuestNetwork ?? {};
    expect(refresh.ListProcessesInGuest).toBe(1);
    expect(refresh.CreateFilter).toBe(1);
    expect(refresh.DestroyPropertyFilter).toBe(1);
    expect(refresh.InitiateFileTransferFromGuest).toBeUndefined();
  });
});

describe('the refresh when waiting for guest.net fails', () => {
  const t = useSim();

  it('a failed WaitForUpdatesEx: the script is looked at on its plan and its report read back', async () => {
    const seen = callsPerState(t.sim);
    const result = await run(t.sim, request({ leaseMinutes: 0 }), {
      taskHook: async (call) => {
        await seen.taskHook(call);
        if (call.state === 'RefreshGuestNetwork' && call.phase === 'before')
          t.sim.injectFault({ method: 'WaitForUpdatesEx', fault: 'SystemError', count: 1 });
      },
    });
    t.last = result;
    seen.close();
    t.sim.clearFaults();
    expect(result.status).toBe('SUCCEEDED');
    expectReadBackIsTheIp(t.sim, result);
    const refresh = seen.calls.RefreshGuestNetwork ?? {};
    expect(refresh.WaitForUpdatesEx).toBe(1);
    expect(refresh.StartProgramInGuest).toBe(1);
    expect(refresh.InitiateFileTransferFromGuest).toBe(1);
    expect(refresh.DestroyPropertyFilter).toBe(1);
    expect(seen.openFiltersAfter.RefreshGuestNetwork).toBe(0);
  });
});

describe('Tools without `info update network` (older than 10.1) and no guest-info poll', () => {
  const t = useSim({
    toolsVersions: { linux: '10.0.7', linux2: '10.0.7' },
    guestInfoPollIntervalMs: 0,
  });

  it('the script exits 0 with guest.net silent: its report is read back, and is the IP', async () => {
    const seen = callsPerState(t.sim);
    const result = await run(t.sim, request({ leaseMinutes: 0 }), { taskHook: seen.taskHook });
    t.last = result;
    seen.close();
    expect(result.status).toBe('SUCCEEDED');
    expectReadBackIsTheIp(t.sim, result);
    const refresh = seen.calls.RefreshGuestNetwork ?? {};
    expect(refresh.InitiateFileTransferFromGuest).toBe(1);
    expect(refresh.DestroyPropertyFilter).toBe(refresh.CreateFilter);
    expect(seen.openFiltersAfter.RefreshGuestNetwork).toBe(0);
    expect(JSON.stringify(seen.results.WaitForIp)).toContain('"via":"guest-script"');
  });
});
