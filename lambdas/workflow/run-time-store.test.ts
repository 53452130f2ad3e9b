// Learned run times kept in DynamoDB (dynalite here, through the same SDK client as on AWS) and waits against the
// simulator: a cold container with the deployment's samples reads a task once, no filter; writes are bounded and
// merge across containers; a store that is down or silent never fails a wait.
import { createServer, type Server, type Socket } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCAL_DYNAMODB, type PermitStore, startPermitStore } from '../../local/runner/permit-store.js';
import { useSimulatorWithClient } from '../../test/support/simulator-client.js';
import { findByInventoryPath, type MoRef, powerOffVmTask } from '../vsphere/index.js';
import { logger } from './powertools.js';
import { RunTimeStore, type RunTimeStoreTarget } from './run-time-store.js';
import { KEEP, runTimes } from './run-times.js';
import { awaitTask, TASK_LOOKS } from './task-wait.js';
import { tearDownVm } from './vm-teardown.js';

let dynamo: PermitStore;
beforeAll(async () => {
  dynamo = await startPermitStore('run-times-test');
});
afterAll(() => dynamo.stop());
afterEach(() => {
  runTimes.persistTo(undefined);
  runTimes.forget();
  vi.restoreAllMocks();
});

/** The commands a client sends, as DynamoDB receives them (counted in the SDK's own middleware stack). */
function countCommands(client: DynamoDBClient): string[] {
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize' },
  );
  return sent;
}

const target = (partition: string, client = dynamo.client()): RunTimeStoreTarget => ({
  client,
  tableName: dynamo.tableName,
  partition,
});

async function samplesOf(partition: string, kind: string): Promise<number[]> {
  const item = await dynamo.client().send(
    new GetItemCommand({
      TableName: dynamo.tableName,
      Key: { pk: { S: partition }, sk: { S: kind } },
      ConsistentRead: true,
    }),
  );
  return (item.Item?.samples?.L ?? []).map((v) => Number(v.N));
}

/** A fresh container: nothing learned, this store attached. */
function coldContainer(store: RunTimeStore): RunTimeStore {
  runTimes.forget();
  runTimes.persistTo(store);
  return store;
}

describe('task waits with the deployment’s run times', () => {
  // PowerOff takes 50 ms here.
  const env = useSimulatorWithClient({ timeScale: 0.05 });
  const plant = async (name: string) => {
    env.sim.plantVm({ name, powerState: 'poweredOn' });
    return (await findByInventoryPath(env.client, `DC0/vm/clones/${name}`)) as MoRef;
  };
  const callsDuring = async (fn: () => Promise<unknown>) => {
    const before = { ...env.sim.stats().calls };
    await fn();
    return Object.fromEntries(
      Object.entries(env.sim.stats().calls)
        .map(([m, n]) => [m, n - (before[m] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );
  };
  const powerOff = (vm: MoRef) => async () =>
    awaitTask(env.client, await powerOffVmTask(env.client, vm), { kind: 'powerOff', timeoutMs: 10_000 });
  const cleanUp = async (vms: MoRef[]) => {
    runTimes.persistTo(undefined);
    for (const vm of vms) await tearDownVm(env.client, vm, { taskTimeoutMs: 10_000 });
    expect(env.sim.clones()).toEqual([]);
  };

  it('a cold container with data in the store: its first wait is a timed read, not a filter; without data, a filter', async () => {
    const vms = [await plant('rts-a'), await plant('rts-b'), await plant('rts-c')];
    const [a, b, c] = vms as [MoRef, MoRef, MoRef];

    // One container learns a power-off and writes it back.
    const first = coldContainer(new RunTimeStore(target('runtimes#shared')));
    expect(await callsDuring(powerOff(a))).toMatchObject({ CreateFilter: 1, DestroyPropertyFilter: 1 });
    await first.settle();
    expect(await samplesOf('runtimes#shared', 'task:powerOff')).toHaveLength(1);

    // A new container of the same deployment: loaded from the store, it reads the task where it usually ends.
    coldContainer(new RunTimeStore(target('runtimes#shared'))).startLoad();
    const withData = await callsDuring(powerOff(b));
    expect(withData.CreateFilter).toBeUndefined();
    expect(withData.WaitForUpdatesEx).toBeUndefined();
    expect(withData.RetrievePropertiesEx).toBeGreaterThanOrEqual(1);
    expect(withData.RetrievePropertiesEx).toBeLessThanOrEqual(4);

    // A new container of a deployment with nothing stored: today's cold wait.
    coldContainer(new RunTimeStore(target('runtimes#empty')));
    expect(await callsDuring(powerOff(c))).toMatchObject({ CreateFilter: 1, DestroyPropertyFilter: 1 });
    await cleanUp(vms);
  });

  it('DynamoDB unreachable: the wait goes on as a cold one (filter), with a warning; nothing is written', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const client = new DynamoDBClient({ ...LOCAL_DYNAMODB, endpoint: `http://127.0.0.1:${port}` });
    const sent = countCommands(client);
    const warn = vi.spyOn(logger, 'warn');
    const vm = await plant('rts-down');
    try {
      const store = coldContainer(new RunTimeStore(target('runtimes#down', client), { timeoutMs: 500 }));
      expect(await callsDuring(powerOff(vm))).toMatchObject({ CreateFilter: 1 });
      await store.settle();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('not loaded'), expect.anything());
      // the run was learned here all the same, and no write was tried while the store is failing
      expect(runTimes.known('task:powerOff')).toBe(true);
      expect(sent).toEqual(['QueryCommand']);
    } finally {
      client.destroy();
      await cleanUp([vm]);
    }
  });

  it('DynamoDB answering nothing: the load gives up at its timeout and the wait still ends', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const client = new DynamoDBClient({ ...LOCAL_DYNAMODB, endpoint: `http://127.0.0.1:${port}` });
    const warn = vi.spyOn(logger, 'warn');
    const vm = await plant('rts-silent');
    try {
      const store = coldContainer(new RunTimeStore(target('runtimes#silent', client), { timeoutMs: 300 }));
      await powerOff(vm)();
      await store.settle();
      expect(sockets.length).toBeGreaterThan(0);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('not loaded'), expect.anything());
    } finally {
      client.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
      await cleanUp([vm]);
    }
  });
});

describe('writing back', () => {
  it('bounded: at the end of an invocation, one UpdateItem per kind and interval per container with at most KEEP samples; lists cut to the newest KEEP', async () => {
    const client = dynamo.client();
    const sent = countCommands(client);
    let now = 1_000_000;
    const store = new RunTimeStore(target('runtimes#bounded', client), { now: () => now });
    const record = (from: number, n: number) => {
      for (let i = 0; i < n; i++) store.recorded('k', from + i);
    };

    // Runs go out when the invocation ends: one write with the newest KEEP of them.
    record(1, 30);
    expect(sent).toEqual([]);
    await store.settle();
    expect(sent).toEqual(['UpdateItemCommand']);
    expect(await samplesOf('runtimes#bounded', 'k')).toEqual(Array.from({ length: KEEP }, (_, i) => 11 + i));

    // Within the interval, later invocations write nothing; after it, one write with what waited.
    record(31, 5);
    await store.settle();
    expect(sent).toHaveLength(1);
    now += 60_000;
    await store.settle();
    expect(sent).toHaveLength(2);
    expect(await samplesOf('runtimes#bounded', 'k')).toHaveLength(KEEP + 5);

    // Past twice KEEP, the writer cuts the list to the newest KEEP (a second UpdateItem).
    now += 60_000;
    record(100, KEEP);
    await store.settle();
    expect(sent).toEqual(Array.from({ length: 4 }, () => 'UpdateItemCommand'));
    expect(await samplesOf('runtimes#bounded', 'k')).toEqual(Array.from({ length: KEEP }, (_, i) => 100 + i));
  });

  it('concurrent containers lose none of each other’s samples, and a new container loads them all', async () => {
    const containers = Array.from({ length: 12 }, () => new RunTimeStore(target('runtimes#merge')));
    containers.forEach((c, i) => {
      c.recorded('m', 1_000 + i);
    });
    await Promise.all(containers.map((c) => c.settle()));
    const stored = await samplesOf('runtimes#merge', 'm');
    expect([...stored].sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => 1_000 + i));

    await coldContainer(new RunTimeStore(target('runtimes#merge'))).ready();
    expect(runTimes.known('m')).toBe(true);
    // With twelve runs seen, the first look aims at the median of them.
    const plan = runTimes.pollPlan('m', TASK_LOOKS);
    expect(plan?.(0, 0)).toBe(1_005);
  });
});
