// Concurrent vCenter operations per kind, for the throttle's tests and the bench: clone (InstantClone_Task,
// CloneVM_Task), reconfigure (ReconfigVM_Task), teardown (PowerOffVM_Task, Destroy_Task) counted while their
// task runs; guest (a program started with StartProgramInGuest) counted from its start to its exit.
export type OperationKind = 'clone' | 'reconfigure' | 'guest' | 'teardown';

const KIND_OF_TASK: Record<string, OperationKind> = {
  InstantClone_Task: 'clone',
  CloneVM_Task: 'clone',
  ReconfigVM_Task: 'reconfigure',
  PowerOffVM_Task: 'teardown',
  Destroy_Task: 'teardown',
};

export class OperationConcurrency {
  private readonly running: Record<string, number> = {};
  private readonly peak: Record<string, number> = {};
  private readonly programs: { startTime: number; endTime: number }[] = [];

  taskStarted(method: string): void {
    const kind = KIND_OF_TASK[method];
    if (!kind) return;
    this.running[kind] = (this.running[kind] ?? 0) + 1;
    this.peak[kind] = Math.max(this.peak[kind] ?? 0, this.running[kind]);
  }

  taskEnded(method: string): void {
    const kind = KIND_OF_TASK[method];
    if (kind) this.running[kind] = (this.running[kind] ?? 1) - 1;
  }

  /** the process object itself: TerminateProcessInGuest may end it early */
  programStarted(process: { startTime: number; endTime: number }): void {
    this.programs.push(process);
  }

  /** Highest number of operations of each kind that ran at the same time. */
  maxConcurrent(): Record<OperationKind, number> {
    const edges = this.programs.flatMap((p) => [
      [p.startTime, 1],
      [p.endTime, -1],
    ]) as [number, number][];
    edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let now = 0;
    let guest = 0;
    for (const [, d] of edges) {
      now += d;
      guest = Math.max(guest, now);
    }
    return {
      clone: this.peak.clone ?? 0,
      reconfigure: this.peak.reconfigure ?? 0,
      guest,
      teardown: this.peak.teardown ?? 0,
    };
  }
}
