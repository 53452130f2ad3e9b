// Keeps the handlers' structured logs and EMF metrics off the progress output unless VERBOSE=1. Powertools
// reads these variables when a Logger or Metrics is constructed, which happens when a handler module is first
// evaluated: so this module silences on import, and the entry points import it before anything else.

export function quietHandlerLogs(): void {
  if (process.env.VERBOSE === '1' || process.env.VERBOSE === 'true') {
    // Pretty-printed (POWERTOOLS_DEV) handler logs, at INFO unless the caller chose a level.
    process.env.POWERTOOLS_LOG_LEVEL ||= 'INFO';
    process.env.POWERTOOLS_DEV ||= 'true';
    return;
  }
  // Failures still show: the progress lines and the phase table name every error.
  process.env.POWERTOOLS_LOG_LEVEL ||= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ||= 'true';
  process.env.POWERTOOLS_DEV ||= 'true';
}

quietHandlerLogs();
