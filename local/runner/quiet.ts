// Keep the handlers' structured logs and EMF metrics off the demo's terminal unless asked for.
// Must run before the handlers are imported (Powertools reads these at construction).

export function quietHandlerLogs(): void {
  if (process.env.VERBOSE) return;
  // Failures still show: the progress lines and the phase table name every error.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_DEV ??= 'true';
}
