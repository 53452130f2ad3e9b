import { runAcquire } from './acquire.js';
import { CliError, EXIT } from './exit-codes.js';
import { runFleet } from './fleet.js';
import { runExtend, runRelease } from './lease.js';
import { runList } from './list.js';
import { runPreflight } from './preflight.js';
import { runStatus } from './status.js';

const usage = `Usage: instant-clone <command> [options]

Commands for pipelines (Step Functions API; docs/pipelines.md):
  acquire     start a run, wait until its clones have IPs, print them
  status      a run's clones: phase, IP, error, and the lease left
  list        the runs in flight, with their lease left
  extend      extend a ready run's lease
  release     end a run's lease: its clones are torn down
  fleet       run a fleet to completion: progress, per-phase table, timeline picture

Commands for operators:
  preflight   check that vCenter and a frozen source are ready for instant clones

Run 'instant-clone <command> --help' for a command's options.
Exit status: 0 ok; 1 the run failed (its error name on stderr); 2 usage; 3 timeout; 4 no such run, or it holds
no clones; 5 AWS API error; 130/143 interrupted by SIGINT/SIGTERM (the run is stopped).`;

const VERBS: Record<string, (argv: string[]) => Promise<number>> = {
  acquire: runAcquire,
  status: runStatus,
  list: runList,
  extend: runExtend,
  release: runRelease,
  fleet: runFleet,
};

/** Dispatches a command line to its command; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'preflight') return runPreflight(rest);
  if (command === undefined || command === '--help' || command === '-h') {
    console.log(usage);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  const verb = VERBS[command];
  if (!verb) {
    console.error(`Unknown command '${command}'.\n\n${usage}`);
    return EXIT.usage;
  }
  try {
    return await verb(rest);
  } catch (error) {
    if (!(error instanceof CliError)) {
      console.error(`instant-clone ${command}: unexpected error:`, error);
      return EXIT.runFailed;
    }
    console.error(`instant-clone ${command}: ${error.message}`);
    if (error.exitCode === EXIT.usage)
      console.error(`Run 'instant-clone ${command} --help' for its options.`);
    return error.exitCode;
  }
}
