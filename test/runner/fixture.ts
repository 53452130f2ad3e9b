// Shared setup for the runner wiring tests: the fixture ASL and a fake vCenter target (never contacted).

import { join } from 'node:path';
import { REPO_ROOT } from '../../local/runner/asl.js';
import type { RunLocalWorkflowOptions } from '../../local/runner/types.js';

export const LEASE_ASL = join(REPO_ROOT, 'test/fixtures/runner/lease.asl.json');

export const SECRET = 'S3cret-vc-pass';
export const GUEST_SECRET = 'S3cret-guest-pass';

export function fixtureOptions(overrides: Partial<RunLocalWorkflowOptions> = {}): RunLocalWorkflowOptions {
  return {
    input: { who: 'fleet', items: [1, 2, 3], leaseSeconds: 2 },
    aslPath: LEASE_ASL,
    vcenter: { url: 'https://127.0.0.1:9/sdk', username: 'administrator@vsphere.local', password: SECRET },
    sources: { linux: { paths: ['/DC0/vm/linux-frozen'], os: 'linux' } },
    guest: { linux: { username: 'root', password: GUEST_SECRET } },
    handlers: {
      Greet: async (event) => ({ greeting: `hello ${(event as { who: string }).who}` }),
      Echo: async (event) => ({ item: event }),
    },
    ...overrides,
  };
}
