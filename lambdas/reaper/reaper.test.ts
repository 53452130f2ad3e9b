import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunningSimulator } from '../../local/simulator/index.js';
import { type SimulatorWithClient, startSimulatorWithClient } from '../../test/support/simulator-client.js';
import { findByInventoryPath, reconfigVmTask, type VsphereClient, waitForTask } from '../vsphere/index.js';
import { METRICS } from '../workflow/aws-names.js';
import { parseConfig } from '../workflow/config.js';
import { MARKER_DEPLOYMENT, MARKER_LEASE_EXPIRES, MARKER_RUN } from '../workflow/naming.js';
import { extraConfigRecord, parseLeaseExpiry } from './find.js';
import { runReaper } from './handler.js';
import { reapExpiredClones, tearDown } from './reap.js';
import { type CloneScope, resolveCloneScope } from './scope.js';

const HOUR = 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString();

describe('lease parsing', () => {
  it('reads ISO-8601 and epoch seconds/milliseconds, rejects the rest', () => {
    expect(parseLeaseExpiry('2026-11-23T12:00:00.000Z')).toBe(Date.UTC(2026, 10, 23, 12));
    expect(parseLeaseExpiry('1795435200')).toBe(1795435200_000);
    expect(parseLeaseExpiry('1795435200000')).toBe(1795435200_000);
    expect(parseLeaseExpiry('tomorrow')).toBeUndefined();
    expect(parseLeaseExpiry('')).toBeUndefined();
  });

  it('flattens extraConfig in its decoded shapes', () => {
    expect(
      extraConfigRecord([
        { key: 'a', value: '1' },
        { key: 'b', value: { $value: '2' } },
      ]),
    ).toEqual({ a: '1', b: '2' });
    expect(extraConfigRecord({ OptionValue: { key: 'a', value: 'x' } })).toEqual({ a: 'x' });
    expect(extraConfigRecord(undefined)).toEqual({});
  });
});

describe('reaper against the simulator', () => {
  let sim: RunningSimulator;
  let client: VsphereClient;
  const now = Date.now();

  let env: SimulatorWithClient;
  let scope: CloneScope;
  const DEPLOYMENT = 'stack-a';
  const scopeConfig = (url: string, cloneFolders: string[], deploymentId = DEPLOYMENT) =>
    parseConfig(
      JSON.stringify({ vcenter: { url, secretId: 'unused' }, sources: {}, deploymentId, cloneFolders }),
    );

  // A fresh inventory per test: earlier plants must not leak into later expectations.
  beforeEach(async () => {
    env = await startSimulatorWithClient();
    ({ sim, client } = env);
    // Planted VMs sit in DC0/vm/clones, the folder this deployment puts its clones in.
    scope = await resolveCloneScope(client, scopeConfig(sim.url, ['/DC0/vm/clones']));
  });
  afterEach(() => env.stop());

  const plant = (
    name: string,
    leaseExpires: string | undefined,
    powerState = 'poweredOn',
    run = 'run1',
    deployment = DEPLOYMENT,
  ) =>
    sim.plantVm({
      name,
      powerState,
      extraConfig: {
        ...(run === '' ? {} : { [MARKER_RUN]: run, [MARKER_DEPLOYMENT]: deployment }),
        ...(leaseExpires === undefined ? {} : { [MARKER_LEASE_EXPIRES]: leaseExpires }),
      },
    });
  const names = (): string[] => sim.inventory().map((v) => v.name);

  it('destroys expired clones only, leaves live leases, sources and unmarked VMs alone', async () => {
    const before = sim.inventory().length;
    plant('leak-on', iso(now - 3 * HOUR));
    plant('leak-off', iso(now - 2 * HOUR), 'poweredOff');
    plant('live', iso(now + HOUR));
    plant('in-allowance', iso(now - 10 * 60_000));
    plant('unmarked', iso(now - 3 * HOUR), 'poweredOn', '');
    plant('garbage', 'soon');

    // Reads of VMs (not of the teardown's tasks, which are read where they usually end).
    const invoke = vi.spyOn(client, 'invoke');
    const report = await reapExpiredClones(client, { now, maxPerRun: 10, allowanceMs: HOUR, scope });
    const vmReads = invoke.mock.calls.filter(
      ([method, args]) =>
        method === 'RetrievePropertiesEx' && JSON.stringify(args).includes('"VirtualMachine"'),
    ).length;
    invoke.mockRestore();

    expect(report.reaped.map((r) => [r.name, r.outcome]).sort()).toEqual([
      ['leak-off', 'destroyed'],
      ['leak-on', 'destroyed'],
    ]);
    expect(report.failed).toEqual([]);
    expect(report.unparseable.map((u) => u.name)).toEqual(['garbage']);
    expect(report.scanned).toBe(before + 6);
    expect(names()).not.toContain('leak-on');
    expect(names()).not.toContain('leak-off');
    for (const kept of ['live', 'in-allowance', 'unmarked', 'garbage']) expect(names()).toContain(kept);
    for (const src of Object.values(sim.sources)) expect(names()).toContain(src.split('/').pop());
    // One scan: a ContainerView and one RetrievePropertiesEx, no per-VM reads.
    expect(sim.stats().calls.CreateContainerView).toBe(1);
    expect(vmReads).toBe(1);
  });

  it('leaves a frozen source alone even when it carries an expired run marker', async () => {
    // A source built from one of our clones keeps that clone's guestinfo.ic.* (CloneVM_Task copies extraConfig).
    const source = await findByInventoryPath(client, sim.sources.linux);
    if (source === undefined) throw new Error(`no ${sim.sources.linux}`);
    const task = await reconfigVmTask(client, source, {
      extraConfig: [
        { key: MARKER_RUN, value: 'old-run' },
        { key: MARKER_DEPLOYMENT, value: DEPLOYMENT },
        { key: MARKER_LEASE_EXPIRES, value: iso(now - 30 * HOUR) },
      ],
    });
    await waitForTask(client, task, { timeoutMs: 10_000 });
    plant('leak', iso(now - 30 * HOUR));

    const report = await reapExpiredClones(client, { now, maxPerRun: 10, allowanceMs: HOUR, scope });

    expect(report.reaped.map((r) => r.name)).toEqual(['leak']);
    expect(names()).toContain(sim.sources.linux.split('/').pop());
  });

  it("leaves another deployment's clones and clones outside its clone folders alone", async () => {
    plant('ours', iso(now - 3 * HOUR));
    plant('other-stack', iso(now - 3 * HOUR), 'poweredOn', 'run9', 'stack-b');
    // A VM whose guest wrote look-alike guestinfo keys: not a marker, never reaped.
    sim.plantVm({
      name: 'guest-forged',
      extraConfig: { 'guestinfo.ic.run': 'x', 'guestinfo.ic.leaseExpires': iso(now - 30 * HOUR) },
    });
    const report = await reapExpiredClones(client, { now, maxPerRun: 10, allowanceMs: 0, scope });
    expect(report.reaped.map((r) => r.name)).toEqual(['ours']);
    expect(names()).toEqual(expect.arrayContaining(['other-stack', 'guest-forged']));

    // The same deployment, scoped to another folder: the planted clone in DC0/vm/clones is not its business.
    plant('elsewhere', iso(now - 3 * HOUR));
    const templatesOnly = await resolveCloneScope(client, scopeConfig(sim.url, ['DC0/vm/templates']));
    const none = await reapExpiredClones(client, {
      now,
      maxPerRun: 10,
      allowanceMs: 0,
      scope: templatesOnly,
    });
    expect(none.reaped).toEqual([]);
    expect(names()).toContain('elsewhere');
  });

  it('is bounded per run, oldest lease first, and idempotent across runs', async () => {
    for (let i = 0; i < 5; i++) plant(`bulk-${i}`, iso(now - (10 - i) * HOUR));
    const first = await reapExpiredClones(client, { now, maxPerRun: 3, allowanceMs: 0, scope });
    expect(first.reaped.map((r) => r.name)).toEqual(['bulk-0', 'bulk-1', 'bulk-2']);
    expect(first.deferred).toBe(2);
    const second = await reapExpiredClones(client, { now, maxPerRun: 3, allowanceMs: 0, scope });
    expect(second.reaped.map((r) => r.name)).toEqual(['bulk-3', 'bulk-4']);
    const third = await reapExpiredClones(client, { now, maxPerRun: 3, allowanceMs: 0, scope });
    expect(third.reaped).toEqual([]);
    expect(third.expired).toBe(0);
  });

  it('treats "already off" and "already gone" as success', async () => {
    const vm = plant('twice', iso(now - HOUR));
    expect(await tearDown(client, { moref: vm.moref, powerState: 'poweredOn' })).toBe('destroyed');
    // The same VM again (a second reaper, or the workflow's teardown got there first).
    expect(await tearDown(client, { moref: vm.moref, powerState: 'poweredOn' })).toBe('alreadyGone');
    const off = plant('off', iso(now - HOUR), 'poweredOff');
    // Stale scan said poweredOn: PowerOff answers InvalidPowerState, Destroy still runs.
    expect(await tearDown(client, { moref: off.moref, powerState: 'poweredOn' })).toBe('destroyed');
  });

  it('reports a VM it cannot destroy and goes on with the others', async () => {
    plant('stuck', iso(now - 5 * HOUR));
    plant('fine', iso(now - 4 * HOUR));
    sim.injectFault({ method: 'Destroy_Task', fault: 'NoPermission', count: 1 });
    const report = await reapExpiredClones(client, { now, maxPerRun: 10, allowanceMs: 0, scope });
    sim.clearFaults();
    expect(report.failed.map((f) => f.name)).toEqual(['stuck']);
    expect(report.failed[0]?.error).toContain('NoPermission');
    expect(report.reaped.map((r) => r.name)).toEqual(['fine']);
  });

  it('runReaper reports the count as an EMF metric and publishes an "Instant Clones Reaped" event', async () => {
    plant('for-handler', iso(now - 30 * HOUR));
    const added: [string, number][] = [];
    const sent: { Entries: { Detail: string }[] }[] = [];
    process.env.WORKFLOW_CONFIG = JSON.stringify({
      vcenter: { url: sim.url, insecure: true, secretId: 'unused' },
      sources: {},
      deploymentId: DEPLOYMENT,
      cloneFolders: ['DC0/vm/clones'],
      defaults: { provisioningAllowanceMinutes: 60 },
    });
    const report = await runReaper({
      credentials: { username: sim.username, password: sim.password },
      metrics: {
        addMetric: (n: string, _u: unknown, v: number) => void added.push([n, v]),
        publishStoredMetrics: () => {},
      } as never,
      events: { send: async (cmd: { input: unknown }) => void sent.push(cmd.input as never) } as never,
      eventBusName: 'bus',
    });
    expect(report.reaped.map((r) => r.name)).toContain('for-handler');
    expect(added).toContainEqual([METRICS.clonesReaped, report.reaped.length]);
    expect(added).toContainEqual([METRICS.reapFailures, 0]);
    const entry = sent[0]?.Entries[0];
    expect(entry).toMatchObject({
      EventBusName: 'bus',
      DetailType: 'Instant Clones Reaped',
      Source: 'instant-clone-fleets',
    });
    expect(JSON.parse(entry?.Detail ?? '{}').reaped[0].name).toBe('for-handler');
  });
});
