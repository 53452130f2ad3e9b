// `npm run local-aws -- --port P [--time-scale S] [--deliveries N] [--slice-size N]`: the local AWS endpoint. First stdout line:
// one JSON object (endpoint, region, stateMachineArn, eventBusName, simulator); progress on stderr. Runs until
// SIGINT/SIGTERM, then stops what is still running and removes its clones.
import { parseArgs } from 'node:util';
import { quietHandlerLogs } from '../runner/quiet.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'time-scale': { type: 'string', default: '1' },
    deliveries: { type: 'string', default: '2' },
    'slice-size': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'npm run local-aws -- [--port P] [--time-scale S] [--deliveries N] [--slice-size N]\n' +
      '  --slice-size: clones per child execution of the fan-out (default: the deployment default, 25)\n' +
      '  Step Functions (JSON 1.0) and EventBridge PutEvents on http://127.0.0.1:P, backed by the vCenter\n' +
      '  simulator and the real state machine. Any credentials are accepted. See local/aws-endpoint/README.md.\n',
  );
  process.exit(0);
}
const port = Number(values.port);
const timeScale = Number(values['time-scale']);
const deliveries = Number(values.deliveries);
const sliceSize = values['slice-size'] === undefined ? undefined : Number(values['slice-size']);
if (
  !Number.isInteger(port) ||
  port < 0 ||
  port > 65535 ||
  !(timeScale > 0) ||
  !(deliveries >= 1) ||
  (sliceSize !== undefined && !(Number.isInteger(sliceSize) && sliceSize >= 1))
) {
  process.stderr.write(
    'usage: npm run local-aws -- [--port P] [--time-scale S>0] [--deliveries N>=1] [--slice-size N>=1]\n',
  );
  process.exit(2);
}
quietHandlerLogs();
// Imported after quietHandlerLogs: Powertools reads its settings when the handlers are loaded.
const { startLocalAws } = await import('./index.js');
const local = await startLocalAws({
  port,
  timeScale,
  deliveries,
  ...(sliceSize === undefined ? {} : { defaults: { sliceSize } }),
  log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
});
process.stdout.write(`${JSON.stringify(local.contract())}\n`);
process.stderr.write(`local AWS endpoint on ${local.endpoint} (time scale ${timeScale}; Ctrl-C to stop)\n`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`${signal}: stopping executions, removing their clones\n`);
  local.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`stop failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
