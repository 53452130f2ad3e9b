// The invariant checks on hand-made evidence (each must be able to fail), the retry budget read from the
// ASL, and the soak's own hang handling on a real run that never releases its lease.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LocalExecutionResult } from '../runner/index.js';
import type { SimVm } from '../simulator/index.js';
import type { PlannedFault } from './fault-kinds.js';
import { checkErrorNames, checkLeaks, checkLeftovers, checkReadyIps, type RunReport } from './invariants.js';
import { attemptsAllowed, LAMBDA_STATES } from './retry-budget.js';
import { runScenario } from './run-scenario.js';
import { planScenario } from './scenario.js';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const report = (clones: RunReport['clones'], teardown: RunReport['teardown'] = []): RunReport => ({
  clones,
  teardown,
  teardownMapFailed: false,
  errorName: null,
});
const clone = (name: string, teardown: string | null, ip: string | null = null) => ({
  name,
  status: 'ready',
  ip,
  teardown,
  error: null,
});
const vm = (name: string, ip?: string, powerState = 'poweredOn'): SimVm => ({
  moref: { type: 'VirtualMachine', value: name },
  name,
  host: 'host-21',
  powerState,
  frozen: false,
  isClone: true,
  extraConfig: {},
  mac: '00:50:56:00:00:01',
  ips: ip ? [ip] : [],
  hostName: name,
  ...(ip ? { ip } : {}),
});

describe('soak invariants', () => {
  it('a clone still in vCenter breaks the first invariant unless the run reported it leaked', () => {
    const r = report([clone('a', 'destroyed'), clone('b', 'failed')]);
    expect(checkLeftovers(['a', 'b'], r).map((v) => v.detail)).toEqual([
      'a is still in vCenter (reported ready, teardown destroyed)',
    ]);
    expect(checkLeftovers(['x'], undefined)[0]?.invariant).toBe('noUnreportedClone');
  });

  it('the teardown retry budget comes from the ASL', () => {
    const asl = JSON.parse(readFileSync('statemachines/instant-clone.asl.json', 'utf8'));
    // TeardownClone runs in the teardown fan-out's children (ADR 0005): TeardownFleet → TeardownSlice
    const retry =
      asl.States.TeardownFleet.ItemProcessor.States.TeardownSlice.ItemProcessor.States.TeardownClone.Retry[0];
    expect(retry.ErrorEquals).toContain('TeardownFailed');
    expect(attemptsAllowed('TeardownClone', 'TeardownFailed')).toBe(1 + retry.MaxAttempts);
    expect(attemptsAllowed('TeardownClone', 'PermissionDenied')).toBe(1);
    expect(LAMBDA_STATES).toContain('WaitForIp');
  });

  it('a reported leak needs a teardown fault that outlasts the budget for the error raised', () => {
    const budget = attemptsAllowed('TeardownClone', 'TeardownFailed');
    const leaked = report(
      [clone('a', 'failed')],
      [{ name: 'a', outcome: 'failed', error: 'TeardownFailed' }],
    );
    const fault = (count: number, method = 'Destroy_Task'): PlannedFault => ({
      kind: `inject:${method}`,
      trigger: { at: 'start' },
      rule: { method, fault: 'HostCommunication', count },
    });
    expect(checkLeaks(leaked, [fault(budget)])).toEqual([]);
    expect(checkLeaks(leaked, [fault(budget - 1)])[0]?.invariant).toBe('leakOnlyPastBudget');
    expect(checkLeaks(leaked, [fault(budget, 'StartProgramInGuest')])).toHaveLength(1);
    // Each failed attempt uses one injected fault, whichever rule it comes from (seed 20160: two Destroy_Task
    // rules of 3 each outlast a budget of 5 together).
    expect(checkLeaks(leaked, [fault(budget - 1), fault(1, 'PowerOffVM_Task')])).toEqual([]);
    expect(checkLeaks(leaked, [fault(budget - 2), fault(1, 'PowerOffVM_Task')])).toHaveLength(1);
    const denied = report(
      [clone('a', 'failed')],
      [{ name: 'a', outcome: 'failed', error: 'PermissionDenied' }],
    );
    expect(checkLeaks(denied, [fault(1)])).toEqual([]);
    expect(checkLeaks(report([clone('a', 'notOurs')], [{ name: 'a', outcome: 'notOurs' }]), [])).toHaveLength(
      1,
    );
  });

  it("a handed-out IP must be the guest's", () => {
    const inventory = [vm('a', '198.18.1.10'), vm('b', '198.18.1.11'), vm('c', undefined, 'poweredOff')];
    const handed = [
      { name: 'a', ip: '198.18.1.10' },
      { name: 'b', ip: '10.20.0.50' },
      { name: 'c', ip: '198.18.1.12' },
      { name: 'd', ip: '198.18.1.13' },
    ];
    expect(checkReadyIps(handed, inventory, 'Ready').map((v) => v.detail)).toEqual([
      'b: Ready hands out 10.20.0.50, the guest holds 198.18.1.11',
      'c: Ready hands out 198.18.1.12, the guest holds poweredOff',
      'd: Ready hands out 198.18.1.13, the guest holds the VM does not exist',
    ]);
  });

  it('error names: the workflow classes, and States.Timeout only as the lease timeout', () => {
    const result = (errors: [string, string][]): LocalExecutionResult => ({
      status: 'SUCCEEDED',
      name: 'x',
      events: errors.map(([error, name]) => ({
        type: 'StateFailed',
        timestamp: 0,
        Error: error,
        state: { name, type: 'Task', input: null },
      })),
      putEvents: [],
      executions: [],
      startedAt: 0,
      stoppedAt: 0,
    });
    expect(
      checkErrorNames(
        result([
          ['States.Timeout', 'Ready'],
          ['IpTimeout', 'WaitForIp'],
        ]),
        undefined,
      ),
    ).toEqual([]);
    expect(
      checkErrorNames(
        result([
          ['TypeError', 'FinishRun'],
          ['States.Timeout', 'InstantClone'],
        ]),
        undefined,
      ).map((v) => v.detail),
    ).toEqual(['TypeError at FinishRun', 'States.Timeout at InstantClone']);
  });

  it('a run that does not end by its deadline is reported hung and its clones are torn down by run marker', async () => {
    const base = planScenario(1);
    const outcome = await runScenario(
      {
        ...base,
        request: {
          requesterId: 'soak/hang',
          namePrefix: 'soak',
          sources: [{ source: 'linux', count: 1 }],
          // 60 minutes (36 real seconds at this time scale) outlast the 20 s deadline
          leaseMinutes: 60,
        },
        lease: 'released',
        // held far past the deadline and the lease
        holdMs: 1e9,
        faults: [],
        simulatorOptions: {},
      },
      { timeScale: 0.01, deadlineMs: 20_000 },
    );
    expect(outcome.status).toBe('HUNG');
    expect(outcome.violations.map((v) => v.invariant)).toEqual(['runEnds']);
    expect(outcome.violations[0]?.detail).toContain('under way: Ready ×1');
    // The aborted execution's clone is torn down by run marker (the runner's TeardownRun), before the soak looks.
    expect(outcome.runTeardown?.destroyed).toHaveLength(1);
    expect(outcome.runTeardown?.failed).toEqual([]);
    expect(outcome.clonesLeft).toEqual([]);
    expect(outcome.clonesAfterCleanup).toEqual([]);
  }, 120_000);

  it('an extended lease is extended once (a second wait of Ready) and then released, leaving nothing', async () => {
    const outcome = await runScenario(
      {
        ...planScenario(1),
        request: {
          requesterId: 'soak/extend',
          namePrefix: 'soak',
          sources: [{ source: 'linux', count: 1 }],
          leaseMinutes: 1,
        },
        lease: 'extended',
        holdMs: 2000,
        faults: [],
        simulatorOptions: {},
      },
      { timeScale: 0.01, deadlineMs: 60_000 },
    );
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.lease).toEqual({ extended: 1, released: 1 });
    expect(outcome.violations).toEqual([]);
    expect(outcome.clonesLeft).toEqual([]);
  }, 120_000);
});
