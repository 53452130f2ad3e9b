// Scheduled reaper: the last line of defence against leaked clones. Destroys VMs carrying our run marker
// whose lease has expired, then reports what it did (metric + "Instant Clones Reaped" event).

import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import { VsphereClient } from '../vsphere/index.js';
import { DETAIL_TYPES, EVENT_SOURCE, METRIC_NAMESPACE, METRICS } from '../workflow/aws-names.js';
import { loadConfig } from '../workflow/config.js';
import { credentialsFrom, credentialsMiddleware } from '../workflow/credentials.js';
import { runTimesMiddleware } from '../workflow/run-times-middleware.js';
import { tableAccess } from '../workflow/table-access.js';
import { HANDLER_NEEDS } from './needs.js';
import { type ReapReport, reapExpiredClones } from './reap.js';
import { resolveCloneScope } from './scope.js';

interface Credentials {
  username: string;
  password: string;
}

export interface ReaperDeps {
  credentials: Credentials;
  /** Epoch ms after which no new teardown starts. */
  deadline?: number;
  metrics?: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'>;
  events?: Pick<EventBridgeClient, 'send'>;
  eventBusName?: string;
  now?: number;
}

const DEFAULT_MAX_PER_RUN = 25;
/** Leave this much of the Lambda's time for the report. */
const SAFETY_MS = 60_000;

function maxPerRun(): number {
  const n = Number(process.env.REAPER_MAX_PER_RUN ?? DEFAULT_MAX_PER_RUN);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_MAX_PER_RUN;
}

/** One reaper run: connect, reap, report. Used by the Lambda handler and by tests against the simulator. */
export async function runReaper(deps: ReaperDeps): Promise<ReapReport> {
  const config = loadConfig();
  const client = await VsphereClient.connect({
    url: config.vcenter.url,
    username: deps.credentials.username,
    password: deps.credentials.password,
    ...(config.vcenter.insecure === undefined ? {} : { insecure: config.vcenter.insecure }),
    ...(config.vcenter.caPem === undefined ? {} : { caPem: config.vcenter.caPem }),
    ...(config.vcenter.thumbprint === undefined ? {} : { thumbprint: config.vcenter.thumbprint }),
    logger: console,
  });
  let report: ReapReport;
  try {
    report = await reapExpiredClones(client, {
      scope: await resolveCloneScope(client, config),
      maxPerRun: maxPerRun(),
      allowanceMs: config.defaults.provisioningAllowanceMinutes * 60_000,
      ...(deps.deadline === undefined ? {} : { deadline: deps.deadline }),
      ...(deps.now === undefined ? {} : { now: deps.now }),
    });
  } finally {
    await client.close().catch(() => undefined);
  }

  const destroyed = report.reaped.filter((r) => r.outcome === 'destroyed').length;
  if (deps.metrics !== undefined) {
    deps.metrics.addMetric(METRICS.clonesReaped, MetricUnit.Count, destroyed);
    deps.metrics.addMetric(METRICS.reapFailures, MetricUnit.Count, report.failed.length);
    deps.metrics.publishStoredMetrics();
  }
  const busName = deps.eventBusName;
  if (
    deps.events !== undefined &&
    busName !== undefined &&
    (report.reaped.length > 0 || report.failed.length > 0)
  ) {
    const detail = JSON.stringify(report);
    // PutEvents caps an entry at 256 KB; the per-run bound keeps the report far below that.
    await deps.events.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: busName, Source: EVENT_SOURCE, DetailType: DETAIL_TYPES.reaped, Detail: detail },
        ],
      }),
    );
  }
  console.log(
    JSON.stringify({
      message: 'reaper run',
      scanned: report.scanned,
      marked: report.marked,
      expired: report.expired,
      destroyed,
      alreadyGone: report.reaped.length - destroyed,
      failed: report.failed.length,
      deferred: report.deferred,
      unparseable: report.unparseable.length,
    }),
  );
  return report;
}

const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRIC_NAMESPACE });
const events = new EventBridgeClient({});

/** The part of the Lambda context the reaper uses. */
interface ReaperContext {
  getRemainingTimeInMillis(): number;
}

async function reap(_event: unknown, context: ReaperContext): Promise<ReapReport> {
  const report = await runReaper({
    // Put there by the credentials middleware on AWS, by the local runner's context otherwise (ADR 0001).
    credentials: credentialsFrom(context, 'vcenter'),
    deadline: Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS,
    metrics,
    events,
    ...(process.env.EVENT_BUS_NAME === undefined ? {} : { eventBusName: process.env.EVENT_BUS_NAME }),
  });
  // Failures are reported (metric, event, alarm) rather than thrown: a retry would only repeat them now.
  return report;
}

export const handler = middy(reap)
  .use(runTimesMiddleware(loadConfig, HANDLER_NEEDS, tableAccess))
  .use(credentialsMiddleware(loadConfig, HANDLER_NEEDS));
