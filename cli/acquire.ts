// `instant-clone acquire`: start a run (or attach to the one the key names), wait until its clones have IPs,
// print them for the pipeline's next steps.
import { CONNECTION_HELP, connection, oneOf, parseCommand, parseDuration, parseMinutes } from './args.js';
import { acquireKey, ciIdentity } from './ci-key.js';
import { executionCloneSource } from './clone-source.js';
import { UsageError } from './exit-codes.js';
import { whileInterruptible } from './interrupt.js';
import { CLONE_FORMATS, formatRun } from './output.js';
import { buildRequest } from './request.js';
import { sfnClient } from './sfn.js';

export const acquireHelp = `Usage: instant-clone acquire (--source NAME=COUNT ... | --request FILE) [options]

Starts a run and waits until its clones are ready (have IPs) or the run fails, then prints them:
  {"runId", "executionArn", "leaseExpiresAt", "clones": [{"name", "ip", "os", "source"}]}
The clones stay until 'instant-clone release RUN', or until the lease runs out.

Request:
  --source NAME=COUNT    clones of a configured source (repeatable; NAME alone = 1)
  --request FILE         the request JSON (README "The request"; - = stdin); the flags below override its fields
  --requester ID         who asks (default: the CI job's URL, else user@host)
  --name-prefix PREFIX   clone names are PREFIX-<runId>-NN (default: ci)
  --lease-minutes N      how long the clones are held (default: the deployment's; capped by its maximum)

Waiting:
  --key KEY              idempotency key: a retried acquire with the same key attaches to the same run
                         (default: the CI job's: GitHub run id + attempt + job, GitLab CI_JOB_ID,
                         Jenkins BUILD_TAG; else random)
  --timeout DURATION     give up (and stop the run) after this long, e.g. 900, 15m (default: 30m)

Output:
  -o, --output FORMAT    json (default) | env (export lines for eval) | github (lines for $GITHUB_OUTPUT)
                         | dotenv (KEY=value lines)

${CONNECTION_HELP}

Progress goes to stderr. Ctrl-C or SIGTERM while waiting stops the run (its clones are torn down).
Exit status: 0 ready; 1 the run failed (error name on stderr); 2 usage; 3 timeout; 4 the key's run is over;
5 AWS API error;
130/143 interrupted.`;

export async function runAcquire(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, {
    source: { type: 'string', multiple: true },
    request: { type: 'string' },
    requester: { type: 'string' },
    'name-prefix': { type: 'string' },
    'lease-minutes': { type: 'string' },
    key: { type: 'string' },
    timeout: { type: 'string', default: '30m' },
    output: { type: 'string', short: 'o', default: 'json' },
  });
  if (values.help) {
    console.log(acquireHelp);
    return 0;
  }
  const format = oneOf('--output', values.output, CLONE_FORMATS);
  const timeoutMs = parseDuration('--timeout', values.timeout) * 1000;
  const leaseMinutes =
    values['lease-minutes'] === undefined
      ? undefined
      : parseMinutes('--lease-minutes', values['lease-minutes']);
  if (leaseMinutes === 0) {
    throw new UsageError(
      '--lease-minutes 0 tears the clones down at once; acquire needs a lease (use fleet)',
    );
  }
  const conn = connection(values);
  const request = buildRequest(
    { ...values, 'lease-minutes': leaseMinutes },
    { requesterId: ciIdentity().requester, namePrefix: 'ci' },
  );
  const { key, from } = acquireKey(values.key);
  const write = (line: string) => console.error(line);
  write(
    `acquire: key from ${from === '--key' ? '--key' : from === 'random' ? 'nowhere (random)' : `the ${from} job`}`,
  );
  const source = executionCloneSource(sfnClient(conn), conn.stateMachineArn);
  const run = await whileInterruptible((signal) =>
    source.acquire(request, { key, signal, timeoutMs, write }),
  );
  write(
    `ready: ${run.clones.length} clone(s), lease until ${run.leaseExpiresAt}; release with: instant-clone release ${run.runId}`,
  );
  console.log(formatRun(run, format));
  return 0;
}
