// Powertools singletons shared by every handler in a container (Logger with the Lambda context injected,
// Metrics flushed as EMF after each invocation). Names come from aws-names.ts, which the stack's alarms
// and dashboard read too.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE, METRIC_SERVICE, METRICS } from './aws-names.js';
import type { PhaseTiming } from './timing.js';

export const logger = new Logger({ serviceName: METRIC_SERVICE });
export const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE });

export type PhaseMetric = 'clonePhaseMs' | 'reconnectPhaseMs' | 'refreshPhaseMs' | 'ipPhaseMs';

/** Records one phase duration as an EMF metric (Milliseconds). */
export function recordPhase(metric: PhaseMetric, timing: PhaseTiming): void {
  metrics.addMetric(METRICS[metric], MetricUnit.Milliseconds, timing.ms);
}

/** Counts a failed clone under its error name (a single-metric EMF blob, so the dimension stays local). */
export function recordCloneFailure(errorName: string): void {
  const single = metrics.singleMetric();
  single.addDimension('ErrorName', errorName);
  single.addMetric(METRICS.cloneFailures, MetricUnit.Count, 1);
}

export function recordGuestRetry(): void {
  metrics.addMetric(METRICS.guestOpRetries, MetricUnit.Count, 1);
}
