// A hostile request corpus through the real ValidateRequest handler (middy, WORKFLOW_CONFIG with a policy):
// every entry must fail with InvalidRequest, never a TypeError or a plan.
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_CONFIG_JSON } from '../workflow/test-config.js';

process.env.POWERTOOLS_LOG_LEVEL ??= 'CRITICAL';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const policies = {
  default: {
    sources: ['linux'],
    networks: [{ name: 'CI Network', staticIpRanges: ['10.20.30.0/24'] }],
    folders: ['/DC/vm/ci'],
    maxClones: 4,
    maxLeaseMinutes: 60,
    smokeCommand: 'allowed',
  },
};
const base = { requesterId: 'me', namePrefix: 'ci', sources: [{ source: 'linux', count: 1 }] };
const long = 'a'.repeat(5000);

const corpus: [string, unknown][] = [
  ['shell metacharacters in namePrefix', { ...base, namePrefix: 'ci;rm -rf /' }],
  ['command substitution in namePrefix', { ...base, namePrefix: '$(reboot)' }],
  ['backticks in requesterId', { ...base, requesterId: '`id`' }],
  ['a pipe in requesterId', { ...base, requesterId: 'me|nc evil 1' }],
  ['shell metacharacters in a source', { ...base, sources: [{ source: 'linux;id', count: 1 }] }],
  ['__proto__ as a source', { ...base, sources: [{ source: '__proto__', count: 1 }] }],
  ['constructor as a source', { ...base, sources: [{ source: 'constructor', count: 1 }] }],
  ['toString as a source', { ...base, sources: [{ source: 'toString', count: 1 }] }],
  [
    '__proto__ as a request key',
    JSON.parse(
      '{"requesterId":"me","namePrefix":"ci","sources":[{"source":"linux","count":1}],"__proto__":{"network":"x"}}',
    ),
  ],
  ['a newline in network', { ...base, network: 'CI Network\nrm -rf /' }],
  ['a NUL in folder', { ...base, folder: '/DC/vm/ci\u0000/x' }],
  ['an escape sequence in folder', { ...base, folder: '/DC/vm/ci/\u001b[2J' }],
  ['a bidi override in network', { ...base, network: 'CI \u202eNetwork' }],
  ['a carriage return in smokeCommand', { ...base, smokeCommand: 'true\r\nshutdown -h now' }],
  ['a NUL in smokeCommand', { ...base, smokeCommand: 'true\u0000' }],
  ['a very long requesterId', { ...base, requesterId: long }],
  ['a very long namePrefix', { ...base, namePrefix: long.toLowerCase() }],
  ['a very long source name', { ...base, sources: [{ source: long, count: 1 }] }],
  ['a very long network', { ...base, network: long }],
  ['a very long folder', { ...base, folder: `/${long}` }],
  ['a very long smokeCommand', { ...base, smokeCommand: long }],
  [
    'shell metacharacters in a static IP',
    {
      ...base,
      network: 'CI Network',
      staticIps: { addresses: ['10.20.30.5;id'], prefixLength: 24, gateway: '10.20.30.1' },
    },
  ],
  [
    'a dotless static IP',
    {
      ...base,
      network: 'CI Network',
      staticIps: { addresses: ['169090600'], prefixLength: 24, gateway: '10.20.30.1' },
    },
  ],
  ['a path escape in folder', { ...base, folder: '/DC/vm/ci/../../other' }],
  ['a string where an object belongs', 'rm -rf /'],
  ['an array as the request', [base]],
  ['null', null],
  ['a number count as a string', { ...base, sources: [{ source: 'linux', count: '1; id' }] }],
  ['an Infinity lease', { ...base, leaseMinutes: Number.POSITIVE_INFINITY }],
  ['a negative lease', { ...base, leaseMinutes: -1 }],
  ['a huge fleet', { ...base, sources: [{ source: 'linux', count: 1e9 }] }],
];

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
let handler: Handler;

beforeAll(async () => {
  process.env.WORKFLOW_CONFIG = JSON.stringify({
    ...JSON.parse(TEST_CONFIG_JSON),
    requestPolicies: policies,
  });
  handler = (await import('./handler.js')).handler as unknown as Handler;
});

describe('ValidateRequest against a hostile request corpus', () => {
  it('plans a harmless request (the corpus fails for its content, not for the setup)', async () => {
    const out = (await handler({ request: base, executionName: 'e-1' }, {})) as { clones: unknown[] };
    expect(out.clones).toHaveLength(1);
  });

  it.each(corpus)('%s → InvalidRequest', async (_what, request) => {
    const error = await handler({ request, executionName: 'e-1' }, {}).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe('InvalidRequest');
    expect(error?.message.length).toBeLessThan(1000);
  });
});
