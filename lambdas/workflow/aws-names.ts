// The AWS names the handlers and the CDK stack share: CloudWatch metrics the handlers emit (EMF) and the
// alarms and dashboard read, and the EventBridge source and detail-types. One home, imported by both, so a
// rename cannot silently break an alarm or a rule; it lives beside the handlers so that runtime code never
// imports from cdk/.

/** EMF namespace of every workflow metric. */
export const METRIC_NAMESPACE = 'InstantCloneFleets';

/** Metric names (unit in the comment). */
export const METRICS = {
  /** InstantClone_Task start to task success (Milliseconds), per clone. */
  clonePhaseMs: 'ClonePhaseMs',
  /** NIC reconnect (Milliseconds), per clone. */
  reconnectPhaseMs: 'ReconnectPhaseMs',
  /** Guest network refresh command (Milliseconds), per clone. */
  refreshPhaseMs: 'RefreshPhaseMs',
  /** Refresh done to a usable IPv4 address (Milliseconds), per clone. */
  ipPhaseMs: 'IpPhaseMs',
  /** Guest operation attempts that hit a transient fault (Count). */
  guestOpRetries: 'GuestOpRetries',
  /** Clones that failed, dimension ErrorName (Count). */
  cloneFailures: 'CloneFailures',
  /** Leaked clones destroyed by the reaper (Count). */
  clonesReaped: 'ClonesReaped',
  /** Leaked clones the reaper found but could not destroy (Count). */
  reapFailures: 'ReapFailures',
} as const;

/** Dimension every metric carries: the deployment's service name, so several stacks can share an account. */
export const METRIC_SERVICE_DIMENSION = 'service';
export const METRIC_SERVICE = 'instant-clone-fleets';

/** Event detail-types on the bus (docs/events). */
export const DETAIL_TYPES = {
  requested: 'Instant Clones Requested',
  ready: 'Instant Clones Ready',
  release: 'Instant Clones Release',
  released: 'Instant Clones Released',
  runFailed: 'Instant Clone Run Failed',
  reaped: 'Instant Clones Reaped',
} as const;

/** The `source` of events this product publishes. */
export const EVENT_SOURCE = 'instant-clone-fleets';
