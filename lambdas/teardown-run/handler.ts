// TeardownRun: the stack's rule on the state machine's "Step Functions Execution Status Change" events
// (ABORTED, TIMED_OUT, FAILED) invokes this, so that an execution that ended without its own teardown
// (StopExecution, an execution timeout, a failed FinishRun, States.DataLimitExceeded) has its clones removed
// at once rather than when the Reaper finds their lease expired. Failures are logged and reported in the
// result; EventBridge's retries and DLQ cover a failed invocation.
import middy from '@middy/core';
import * as z from 'zod';
import { resolveCloneScope } from '../reaper/scope.js';
import { VsphereClient } from '../vsphere/index.js';
import { loadConfig } from '../workflow/config.js';
import { credentialsFrom, credentialsMiddleware } from '../workflow/credentials.js';
import { runIdOf } from '../workflow/naming.js';
import { logger } from '../workflow/powertools.js';
import { runTimesMiddleware } from '../workflow/run-times-middleware.js';
import { tableAccess } from '../workflow/table-access.js';
import { HANDLER_NEEDS } from './needs.js';
import { type RunTeardownReport, tearDownRunClones } from './tear-down-run.js';

/** The part of an "Execution Status Change" event this handler reads. */
const statusChange = z.object({
  detail: z.object({
    name: z.string().min(1),
    status: z.string(),
    stopDate: z.number().nullable().optional(),
  }),
});

/**
 * An InstantClone invocation can outlive the execution by its own timeout (under 300 s, the Task's
 * TimeoutSeconds): searching this long after the stop finds the clone it may still create.
 */
export const LATE_CLONE_WINDOW_MS = 6 * 60_000;
const PAUSE_MS = 30_000;
const SAFETY_MS = 30_000;

interface Context {
  getRemainingTimeInMillis(): number;
}

async function tearDownEndedRun(event: unknown, context: Context): Promise<RunTeardownReport> {
  const { detail } = statusChange.parse(event);
  const config = loadConfig();
  const creds = credentialsFrom(context, 'vcenter');
  const client = await VsphereClient.connect({
    url: config.vcenter.url,
    username: creds.username,
    password: creds.password,
    ...(config.vcenter.insecure === undefined ? {} : { insecure: config.vcenter.insecure }),
    ...(config.vcenter.caPem === undefined ? {} : { caPem: config.vcenter.caPem }),
    ...(config.vcenter.thumbprint === undefined ? {} : { thumbprint: config.vcenter.thumbprint }),
    logger,
  });
  try {
    const report = await tearDownRunClones(
      client,
      runIdOf(detail.name),
      await resolveCloneScope(client, config),
      {
        until: (detail.stopDate ?? Date.now()) + LATE_CLONE_WINDOW_MS,
        deadline: Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS,
        pauseMs: PAUSE_MS,
      },
    );
    const log = report.failed.length > 0 ? logger.error.bind(logger) : logger.info.bind(logger);
    log('run-scoped teardown', { execution: detail.name, status: detail.status, ...report });
    return report;
  } finally {
    await client.close().catch(() => undefined);
  }
}

export const handler = middy(tearDownEndedRun)
  .use(runTimesMiddleware(loadConfig, HANDLER_NEEDS, tableAccess))
  .use(credentialsMiddleware(loadConfig, HANDLER_NEEDS));
