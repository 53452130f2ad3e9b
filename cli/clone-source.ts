// The seam where acquire gets its clones. Today one source: a new run of the state machine, waited for until
// Ready. A warm pool (clones kept ready per source) would be a second CloneSource tried first, falling back to
// this one; docs/pipelines.md ("Room for a warm pool") says how it plugs in.
import { currentReadyWait } from '../lambdas/workflow/ready-wait.js';
import { followRun, pollMs, startRun } from './execution.js';
import { CliError, EXIT } from './exit-codes.js';
import type { AcquiredRun } from './output.js';
import { progressNarrator } from './progress.js';
import type { Request } from './request.js';
import type { Sfn } from './sfn.js';

export interface AcquireOptions {
  /** idempotency key: the same key reaches the same run */
  key: string;
  signal: AbortSignal;
  timeoutMs: number;
  /** human progress (stderr) */
  write: (line: string) => void;
}

export interface CloneSource {
  /** Clones for the request, ready (with IPs) and leased; resolves once they are, rejects with a CliError. */
  acquire(request: Request, o: AcquireOptions): Promise<AcquiredRun>;
}

/** Clones from a new (or, for a known key, the existing) execution of the state machine. */
export function executionCloneSource(client: Sfn, stateMachineArn: string): CloneSource {
  return {
    async acquire(request, o) {
      const run = await startRun(client, stateMachineArn, o.key, request);
      o.write(`${run.attached ? 'attached to' : 'started'} run ${run.runId} (${run.executionArn})`);
      const result = await followRun(
        client,
        run,
        {
          signal: o.signal,
          deadline: Date.now() + o.timeoutMs,
          pollMs: pollMs(),
          verb: 'acquire',
          onHistory: progressNarrator(o.write),
          until: (history) => currentReadyWait(history),
        },
        o.write,
      );
      if (result.ended) {
        const { status, error, cause } = result.ended;
        if (run.attached && status !== 'FAILED') {
          throw new CliError(
            `the key's run ${run.runId} is over (${status}) and holds no clones; use another --key for new ones`,
            EXIT.notFound,
          );
        }
        if (status === 'SUCCEEDED') {
          throw new CliError(
            `run ${run.runId} ended without holding its clones (a request with leaseMinutes 0 is torn down at once)`,
            EXIT.runFailed,
            'NoLease',
          );
        }
        throw new CliError(`run ${run.runId} ${status}: ${error}: ${cause}`, EXIT.runFailed, error);
      }
      const wait = result.value;
      return {
        runId: wait.runId,
        executionArn: wait.executionArn,
        leaseExpiresAt: wait.leaseExpiresAt,
        clones: wait.clones.map(({ name, ip, os, source }) => ({ name, ip, os, source })),
      };
    },
  };
}
