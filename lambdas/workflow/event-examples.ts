// Example details of every pipeline event, for docs/events/*.schema.json and the docs; test/events checks them
// against the schemas in events.ts.
import type * as z from 'zod';
import type {
  readyDetail,
  reapedDetail,
  releaseDetail,
  releasedDetail,
  requestedDetail,
  runFailedDetail,
} from './events.js';
import { EXAMPLE_REQUESTS } from './request.js';

/** The one-clone run's phase statistics, as Ready and Released both report them. */
const examplePhases = {
  clone: { n: 1, min: 4310, max: 4310, avg: 4310 },
  reconnect: { n: 1, min: 820, max: 820, avg: 820 },
  refresh: { n: 1, min: 6120, max: 6120, avg: 6120 },
  ip: { n: 1, min: 240, max: 240, avg: 240 },
  smoke: null,
  total: { n: 1, min: 11490, max: 11490, avg: 11490 },
};

export const EXAMPLE_DETAILS = {
  requested: [EXAMPLE_REQUESTS.oneLinuxClone, EXAMPLE_REQUESTS.windowsPair],
  ready: [
    {
      executionArn: 'arn:aws:states:eu-central-1:123456789012:execution:InstantClone:ci-123',
      executionName: 'ci-123',
      runId: '6e58abfc',
      requesterId: 'github.com/acme/app/actions/runs/123',
      leaseSeconds: 3600,
      leaseExpiresAt: '2026-11-23T14:21:30.000Z',
      summary: {
        total: 1,
        ready: 1,
        failed: 0,
        minReady: 1,
        phases: examplePhases,
      },
      clones: [
        {
          name: 'ci-6e58abfc-01',
          source: 'linux',
          os: 'linux',
          status: 'ready',
          ip: '10.20.0.57',
          host: 'esxi-01.lab.example.com',
          error: null,
        },
      ],
    },
  ],
  release: [
    { runId: '3f2a9c0d11be' },
    {
      executionArn: 'arn:aws:states:eu-central-1:123456789012:execution:InstantClone:ci-123',
      releasedBy: 'github.com/acme/app/actions/runs/123',
      reason: 'tests done',
    },
  ],
  released: [
    {
      runId: '6e58abfc',
      executionName: 'ci-123',
      summary: {
        runId: '6e58abfc',
        requesterId: 'github.com/acme/app/actions/runs/123',
        total: 1,
        ready: 1,
        failed: 0,
        lease: 'released',
        error: null,
        clones: [
          {
            name: 'ci-6e58abfc-01',
            status: 'ready',
            ip: '10.20.0.57',
            host: 'esxi-01.lab.example.com',
            error: null,
            teardown: 'destroyed',
          },
        ],
        phases: { ...examplePhases, teardown: { n: 1, min: 2150, max: 2150, avg: 2150 } },
      },
    },
  ],
  runFailed: [
    {
      runId: '9c1ff498',
      executionName: 'ci-124',
      error: {
        Error: 'IpTimeout',
        Cause:
          '{"errorType":"IpTimeout","errorMessage":"0 of 1 clones ready, minReady is 1 (ci-9c1ff498-01: IpTimeout): …"}',
      },
      summary: {
        runId: '9c1ff498',
        requesterId: 'github.com/acme/app/actions/runs/124',
        total: 1,
        ready: 0,
        failed: 1,
        lease: 'none',
        error: {
          name: 'IpTimeout',
          message: '0 of 1 clones ready, minReady is 1 (ci-9c1ff498-01: IpTimeout): …',
        },
        clones: [
          {
            name: 'ci-9c1ff498-01',
            status: 'failed',
            ip: null,
            host: 'esxi-01.lab.example.com',
            error: { name: 'IpTimeout', message: 'no usable IPv4 on ci-9c1ff498-01 within 300 s …' },
            teardown: 'skipped',
          },
        ],
        phases: { clone: null, reconnect: null, refresh: null, ip: null, smoke: null, total: null },
      },
    },
  ],
  reaped: [
    {
      scanned: 212,
      marked: 3,
      expired: 1,
      reaped: [
        {
          name: 'ci-6e58abfc-01',
          moref: 'vm-1042',
          runId: '6e58abfc',
          leaseExpires: '2026-11-23T14:21:30.000Z',
          outcome: 'destroyed',
        },
      ],
      failed: [],
      deferred: 0,
      unparseable: [],
    },
  ],
} satisfies {
  requested: z.input<typeof requestedDetail>[];
  ready: z.input<typeof readyDetail>[];
  release: z.input<typeof releaseDetail>[];
  released: z.input<typeof releasedDetail>[];
  runFailed: z.input<typeof runFailedDetail>[];
  reaped: z.input<typeof reapedDetail>[];
};
