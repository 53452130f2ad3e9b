// Standalone: `npm run sim -- --port P [--time-scale S] [--guestinfo-poll-ms MS]`. First stdout line: the contract JSON.
import { simulatorContract } from './contract.js';
import { startSimulator } from './index.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const sim = await startSimulator({
  port: Number(arg('port') ?? 0),
  timeScale: Number(arg('time-scale') ?? 1),
  https: !process.argv.includes('--http'),
  vcenterVersion: arg('vcenter-version'),
  hostVersion: arg('host-version'),
  guestInfoPollIntervalMs:
    arg('guestinfo-poll-ms') === undefined ? undefined : Number(arg('guestinfo-poll-ms')),
});
process.stdout.write(`${JSON.stringify(simulatorContract(sim))}\n`);
process.stderr.write(`vCenter simulator listening on ${sim.url} (Ctrl-C to stop)\n`);
let stopping = false;
const stop = async (signal: string) => {
  if (stopping) {
    process.stderr.write(`${signal}: already stopping the simulator\n`);
    return;
  }
  stopping = true;
  process.stderr.write(`${signal}: stopping simulator\n`);
  await sim.stop();
  process.exit(0);
};
// `npm run sim` execs node (package.json), so these reach us when the user signals npm's PID as well.
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
