// Keep the handlers' structured logs and EMF metrics off the demo's terminal unless asked for.
// Must run before the handlers are imported (Powertools reads these at construction).

export function quietHandlerLogs(): void {
  if (process.env.VERBOSE) return;
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  process.env.AWS_LAMBDA_LOG_LEVEL ??= 'ERROR';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_DEV ??= 'true';
}
