// The CLI's exit codes, documented in docs/pipelines.md ("Exit codes"); scripts branch on them.

export const EXIT = {
  ok: 0,
  /** the run failed (the workflow's error name is on stderr), or a check failed (preflight) */
  runFailed: 1,
  usage: 2,
  /** acquire's --timeout passed before the run was Ready (the run is stopped) */
  timeout: 3,
  /** no such run, or the run is not holding clones (extend after the lease ended) */
  notFound: 4,
  /** the Step Functions API refused or could not be reached (credentials, IAM, endpoint) */
  api: 5,
  /** 128 + SIGINT: Ctrl-C while waiting (the run is stopped) */
  interrupted: 130,
  /** 128 + SIGTERM: the CI runner cancelled the job while waiting (the run is stopped) */
  terminated: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the command reports as one line on stderr and an exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
    /** the workflow's error name, when the run failed */
    readonly errorName?: string,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}
