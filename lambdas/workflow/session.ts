// One logged-in VsphereClient per warm container and account: Login once, reuse the session cookie; the client
// logs in again by itself on NotAuthenticated (DESIGN section 3). A client is lent to one invocation at a time:
// in Lambda that is always so (one request per container), but the local runner calls handlers concurrently
// in one process, and concurrent WaitForUpdatesEx calls on one session's PropertyCollector disturb each other.
import { createHash } from 'node:crypto';
import { VsphereClient } from '../vsphere/index.js';
import type { WorkflowConfig } from './config.js';
import type { Credentials } from './credentials.js';
import { UnsupportedVersionError } from './errors.js';
import { toWorkflowError } from './faults.js';
import { logger } from './powertools.js';
import { versionAtLeast } from './versions.js';

const idle = new Map<string, VsphereClient[]>();

/** Minimum vCenter API version with InstantClone_Task. */
export const MIN_VERSION = '6.7';

function cacheKey(url: string, creds: Credentials): string {
  // The password is part of the key (hashed) so a rotated secret gets a fresh login.
  const digest = createHash('sha256').update(creds.password).digest('hex').slice(0, 12);
  return `${url}|${creds.username}|${digest}`;
}

/** Borrows an idle logged-in client for this account, or logs in a new one; give it back with `release`. */
export async function borrowClient(config: WorkflowConfig, creds: Credentials): Promise<VsphereClient> {
  const key = cacheKey(config.vcenter.url, creds);
  const spare = idle.get(key)?.pop();
  if (spare) return spare;
  try {
    return await VsphereClient.connect({
      url: config.vcenter.url,
      username: creds.username,
      password: creds.password,
      ...(config.vcenter.insecure ? { insecure: true } : {}),
      ...(config.vcenter.caPem ? { caPem: config.vcenter.caPem } : {}),
      ...(config.vcenter.thumbprint ? { thumbprint: config.vcenter.thumbprint } : {}),
      logger,
    });
  } catch (error) {
    throw toWorkflowError(error, 'login', config.vcenter.url);
  }
}

export function releaseClient(config: WorkflowConfig, creds: Credentials, client: VsphereClient): void {
  const key = cacheKey(config.vcenter.url, creds);
  const list = idle.get(key) ?? [];
  list.push(client);
  idle.set(key, list);
}

/** Throws UnsupportedVersion when vCenter's API is older than 6.7. */
export function checkVcenterVersion(client: VsphereClient): void {
  const about = client.serviceContent.about;
  if (!versionAtLeast(about.apiVersion, MIN_VERSION)) {
    throw new UnsupportedVersionError(
      `vCenter ${about.fullName ?? about.version} has API version ${about.apiVersion}`,
    );
  }
}

/**
 * Logs out every idle client. Never needed in Lambda (the container's end drops its one session); the local
 * runner calls it when a run is over so a laptop run against a real vCenter leaves no sessions behind.
 */
export async function closeClients(): Promise<void> {
  const clients = [...idle.values()].flat();
  idle.clear();
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
}
