// Running a program in a guest and waiting for it. The start is optimistic: when vCenter refuses it
// (GuestOperationsUnavailable, Tools not up yet), guest.guestOperationsReady is awaited by push
// (WaitForUpdatesEx) and the start tried once more; if push says nothing in time, the fault goes to the ASL,
// which retries GuestOpsUnavailable. The program's end offers no push (govmomi polls too), so
// ListProcessesInGuest is polled from data: the first look comes when this program usually ends (learned from
// earlier runs in this container), then dense looks, so the lag and the number of calls both stay small.
import {
  clock,
  downloadGuestFile,
  type GuestAuth,
  initiateFileTransferFromGuest,
  listProcessesInGuest,
  type MoRef,
  retrieveAll,
  startProgramInGuest,
  type VsphereClient,
  waitForProperty,
} from '../vsphere/index.js';
import { GuestScriptFailedError } from './errors.js';
import { faultNameOf } from './faults.js';
import type { GuestProgram } from './guest-scripts.js';
import { lookUntil } from './look-until.js';
import { logger } from './powertools.js';
import type { LookProfile } from './run-times.js';

/**
 * A guest program's end is looked for from the quickest third of recent runs (a look too early
 * costs a ListProcessesInGuest, one too late delays the IP), then every 2 % of a usual run (≥ 100 ms): about
 * 300 ms for a 15 s DHCP refresh, so the IP is known within a few hundred ms of the lease.
 */
const GUEST_LOOKS: LookProfile = {
  quantile: 0.35,
  denseFraction: 0.02,
  denseMinMs: 100,
  denseGrowth: 1,
  maxBackoffMs: 1_000,
  fewRunsMargin: 0.05,
};
/** Without data: look early, then back off to at most one look a second. */
const FIRST_LOOK_MS = 250;
const MAX_BACKOFF_MS = 1_000;

/**
 * How long to wait by push for Tools to come up after a refused start (simulated ms); at most a third of the
 * invocation's budget, so the ASL's GuestOpsUnavailable retries keep their count and back-off.
 */
const GUEST_OPS_READY_WAIT_MS = 20_000;

/**
 * Starts the program; when vCenter refuses it because guest operations are not ready yet, waits by push for
 * guest.guestOperationsReady and tries once more, else throws the fault for the ASL's retry. Returns the pid.
 */
export async function startWhenReady(
  c: VsphereClient,
  vm: MoRef,
  auth: GuestAuth,
  program: GuestProgram,
  budgetMs: number,
): Promise<number> {
  try {
    return await startProgramInGuest(c, vm, auth, program);
  } catch (error) {
    if (faultNameOf(error) !== 'GuestOperationsUnavailable') throw error;
    // Only a change pushed by vCenter (not ready → ready) is news; ready all along means vCenter cannot see
    // why the guest refused, and that is the ASL retrier's case.
    let sawNotReady = false;
    const becameReady = await waitForProperty<unknown>(
      c,
      vm,
      'guest.guestOperationsReady',
      (v) => {
        if (v === true || v === 'true') return true;
        sawNotReady = true;
        return false;
      },
      {
        timeoutMs: Math.max(1, Math.min(clock.wallMs(GUEST_OPS_READY_WAIT_MS), budgetMs / 3)),
        maxWaitSeconds: 5,
      },
    ).then(
      () => sawNotReady,
      () => false,
    );
    if (!becameReady) throw error;
    return startProgramInGuest(c, vm, auth, program);
  }
}

/**
 * Starts the program and returns its exit code; throws GuestScriptFailed when it outlives `timeoutMs`.
 * `kind` names what the program is for (e.g. "refresh:linux"), so its usual run time is learned per kind.
 */
export async function runInGuest(
  c: VsphereClient,
  vm: MoRef,
  auth: GuestAuth,
  program: GuestProgram,
  timeoutMs: number,
  kind = program.programPath,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const pid = await startWhenReady(c, vm, auth, program, timeoutMs);
  const info = await lookUntil({
    kind,
    profile: GUEST_LOOKS,
    deadline,
    look: async () => (await listProcessesInGuest(c, vm, auth, [pid]))[0],
    ended: (p) => Boolean(p?.endTime),
    learn: (p) => Number(p?.exitCode ?? 0) === 0,
    withoutData: (i) => Math.min(FIRST_LOOK_MS * 2 ** i, MAX_BACKOFF_MS),
    timeout: () =>
      new GuestScriptFailedError(
        `guest program ${program.programPath} (pid ${pid}) still running after ${timeoutMs} ms`,
      ),
  });
  return Number(info?.exitCode ?? 0);
}

export const HOST_THUMBPRINT = 'summary.config.sslThumbprint';

/**
 * ESXi thumbprints per host as this client's session read them (a host's certificate outlives many runs);
 * a failed pinned transfer forgets its host's entry, so a renewed certificate is read again.
 */
const thumbprints = new WeakMap<VsphereClient, Map<string, string>>();

export function rememberHostThumbprint(c: VsphereClient, host: MoRef, thumbprint: string): void {
  if (!thumbprint) return;
  const known = thumbprints.get(c) ?? new Map<string, string>();
  known.set(host.value, thumbprint);
  thumbprints.set(c, known);
}

export function forgetHostThumbprint(c: VsphereClient, host: MoRef): void {
  thumbprints.get(c)?.delete(host.value);
}

/**
 * The TLS thumbprint of the ESXi host running `vm` (`runtime.host` → `summary.config.sslThumbprint`, one
 * RetrievePropertiesEx), to pin guest file transfers to; undefined when vCenter does not say or the call fails
 * (the transfer then uses the vCenter TLS settings). Never rejects. With `expectedHost` (an instant clone runs
 * on its source's host) a thumbprint this session already read for that host is used without a call.
 */
export async function hostThumbprintOf(
  c: VsphereClient,
  vm: MoRef,
  expectedHost?: MoRef,
): Promise<string | undefined> {
  const known = expectedHost && thumbprints.get(c)?.get(expectedHost.value);
  if (known) return known;
  try {
    const [host] = await retrieveAll(c, [
      {
        propSet: [{ type: 'HostSystem', all: false, pathSet: [HOST_THUMBPRINT] }],
        objectSet: [{ obj: vm, skip: true, selectSet: [{ type: 'VirtualMachine', path: 'runtime.host' }] }],
      },
    ]);
    const value = host?.propSet.find((p) => p.name === HOST_THUMBPRINT)?.val;
    if (typeof value !== 'string' || value === '') return undefined;
    rememberHostThumbprint(c, host?.obj as MoRef, value);
    return value;
  } catch (error) {
    logger.warn('ESXi thumbprint lookup failed; guest file transfer falls back to the vCenter TLS settings', {
      errorName: (error as Error).name,
    });
    return undefined;
  }
}

/**
 * The text of a guest file via InitiateFileTransferFromGuest + HTTPS GET; null if it cannot be read.
 * With `thumbprint` (the ESXi host's), the GET trusts exactly that certificate (see downloadGuestFile).
 */
export async function readGuestFile(
  c: VsphereClient,
  vm: MoRef,
  auth: GuestAuth,
  path: string,
  transfer: { thumbprint?: string } = {},
): Promise<string | null> {
  try {
    const info = await initiateFileTransferFromGuest(c, vm, auth, path);
    return (await downloadGuestFile(c, info.url, transfer)).toString('utf8');
  } catch (error) {
    // Needs HTTPS to the ESXi host; without it the IP wait falls back to guest.net. The message names no URL
    // (the one-time token stays out of logs) and says what to check on a thumbprint mismatch.
    logger.warn('guest file read-back failed', {
      path,
      errorName: (error as Error).name,
      errorMessage: (error as Error).message,
    });
    return null;
  }
}
