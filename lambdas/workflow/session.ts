// One logged-in VsphereClient per warm container and account: Login once, reuse the session cookie; the client
// logs in again by itself on NotAuthenticated (DESIGN section 3).
import { createHash } from 'node:crypto';
import { VsphereClient } from '../vsphere/index.js';
import type { WorkflowConfig } from './config.js';
import type { Credentials } from './credentials.js';
import { UnsupportedVersionError } from './errors.js';
import { toWorkflowError } from './faults.js';
import { logger } from './powertools.js';
import { versionAtLeast } from './versions.js';

const clients = new Map<string, Promise<VsphereClient>>();

/** Minimum vCenter API version with InstantClone_Task. */
export const MIN_VERSION = '6.7';

function cacheKey(url: string, creds: Credentials): string {
  // The password is part of the key (hashed) so a rotated secret gets a fresh login.
  const digest = createHash('sha256').update(creds.password).digest('hex').slice(0, 12);
  return `${url}|${creds.username}|${digest}`;
}

export function vsphereClient(config: WorkflowConfig, creds: Credentials): Promise<VsphereClient> {
  const key = cacheKey(config.vcenter.url, creds);
  let client = clients.get(key);
  if (!client) {
    client = VsphereClient.connect({
      url: config.vcenter.url,
      username: creds.username,
      password: creds.password,
      ...(config.vcenter.insecure ? { insecure: true } : {}),
      ...(config.vcenter.caPem ? { caPem: config.vcenter.caPem } : {}),
      logger,
    }).catch((error: unknown) => {
      clients.delete(key);
      throw toWorkflowError(error, 'login', config.vcenter.url);
    });
    clients.set(key, client);
  }
  return client;
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

/** Drops cached clients (tests; never needed in Lambda). */
export function forgetClients(): void {
  clients.clear();
}
