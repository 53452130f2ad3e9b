import { runPreflight } from './preflight.js';

const usage = `Usage: instant-clone <command> [options]

Commands:
  preflight   check that vCenter and a frozen source are ready for instant clones

Run 'instant-clone <command> --help' for a command's options.`;

/** Dispatches a command line to its command; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'preflight':
      return runPreflight(rest);
    case undefined:
    case '--help':
    case '-h':
      console.log(usage);
      return command === undefined ? 2 : 0;
    default:
      console.error(`Unknown command '${command}'.\n\n${usage}`);
      return 2;
  }
}
