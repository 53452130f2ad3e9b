// Tasks: queued → running → success | error, with info.result / info.error as vCenter reports them.
import { SimFault } from './faults.js';
import type { Inventory } from './inventory.js';
import type { OperationConcurrency } from './operation-kinds.js';
import { bool, date, enumv, int, MoRef, type Obj, obj, str, type Val } from './values.js';

/** TaskInfo.descriptionId as vCenter names it (the entity type, then the operation, not the method name). */
const DESCRIPTION_IDS: Record<string, string> = {
  InstantClone_Task: 'VirtualMachine.instantClone',
  CloneVM_Task: 'VirtualMachine.clone',
  ReconfigVM_Task: 'VirtualMachine.reconfigure',
  PowerOnVM_Task: 'VirtualMachine.powerOn',
  PowerOffVM_Task: 'VirtualMachine.powerOff',
  Destroy_Task: 'VirtualMachine.destroy',
};

interface TaskState {
  id: string;
  method: string;
  entity?: MoRef;
  entityName?: string;
  state: 'queued' | 'running' | 'success' | 'error';
  progress?: number;
  result?: Val;
  error?: SimFault;
  queueTime: number;
  startTime?: number;
  completeTime?: number;
}

export class Tasks {
  private readonly tasks = new Map<string, TaskState>();
  private readonly running = new Map<string, number>();
  readonly maxConcurrent: Record<string, number> = {};
  private seq = 1;

  /**
   * @param userName the session user a task runs for (TaskInfo.reason)
   * @param recentMs how long a finished task stays in its entity's recentTask (real ms)
   * @param kinds counts concurrent operations per kind (the throttle's proof)
   */
  constructor(
    private readonly inv: Inventory,
    private readonly userName: string,
    private readonly recentMs: number,
    private readonly kinds?: OperationConcurrency,
  ) {}

  /** ManagedEntity.recentTask: the entity's running tasks and those that finished within recentMs. */
  recentFor(entity: MoRef): MoRef[] {
    const since = Date.now() - this.recentMs;
    return [...this.tasks.values()]
      .filter(
        (t) =>
          t.entity?.type === entity.type &&
          t.entity.value === entity.value &&
          (t.completeTime === undefined || t.completeTime >= since),
      )
      .map((t) => new MoRef('Task', t.id));
  }

  /** Starts `work` at once; its value becomes info.result, a thrown SimFault info.error. */
  start(
    method: string,
    entity: MoRef | undefined,
    entityName: string | undefined,
    work: () => Promise<Val | undefined>,
  ): MoRef {
    const t: TaskState = {
      id: `task-${this.seq++}`,
      method,
      entity,
      entityName,
      state: 'running',
      queueTime: Date.now(),
      startTime: Date.now(),
      progress: 0,
    };
    this.tasks.set(t.id, t);
    const n = (this.running.get(method) ?? 0) + 1;
    this.running.set(method, n);
    this.maxConcurrent[method] = Math.max(this.maxConcurrent[method] ?? 0, n);
    this.kinds?.taskStarted(method);
    this.inv.changed();
    work().then(
      (result) => this.finish(t, 'success', result),
      (err: unknown) =>
        this.finish(
          t,
          'error',
          undefined,
          err instanceof SimFault ? err : new SimFault('SystemError', String(err)),
        ),
    );
    return new MoRef('Task', t.id);
  }

  private finish(t: TaskState, state: 'success' | 'error', result?: Val, error?: SimFault): void {
    t.state = state;
    t.result = result;
    t.error = error;
    t.progress = 100;
    t.completeTime = Date.now();
    this.running.set(t.method, (this.running.get(t.method) ?? 1) - 1);
    this.kinds?.taskEnded(t.method);
    this.inv.changed();
  }

  has(id: string): boolean {
    return this.tasks.has(id);
  }

  props(id: string): Obj | undefined {
    const t = this.tasks.get(id);
    if (!t) return undefined;
    const error = t.error
      ? obj('LocalizedMethodFault', {
          fault: t.error.detail(),
          localizedMessage: str(t.error.message),
        })
      : undefined;
    const info = obj('TaskInfo', {
      key: str(t.id),
      task: new MoRef('Task', t.id),
      name: str(t.method),
      descriptionId: str(DESCRIPTION_IDS[t.method] ?? `${t.entity?.type ?? 'Task'}.${t.method}`),
      entity: t.entity,
      entityName: t.entityName !== undefined ? str(t.entityName) : undefined,
      state: enumv('TaskInfoState', t.state),
      cancelled: bool(false),
      cancelable: bool(false),
      error,
      result: t.result,
      progress: t.state === 'running' ? int(t.progress ?? 0) : undefined,
      reason: obj('TaskReasonUser', { userName: str(this.userName) }),
      queueTime: date(t.queueTime),
      startTime: t.startTime ? date(t.startTime) : undefined,
      completeTime: t.completeTime ? date(t.completeTime) : undefined,
      eventChainId: int(Number(t.id.slice(5))),
    });
    return obj('Task', { info });
  }
}
