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
import { logger } from './powertools.js';
import { runTimes } from './run-times.js';

/**
 * How long to wait by push for Tools to come up after a refused start (simulated ms); at most a third of the
 * invocation's budget, so the ASL's GuestOpsUnavailable retries keep their count and back-off.
 */
const GUEST_OPS_READY_WAIT_MS = 20_000;

async function startWhenReady(
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
  const started = clock.now();
  const polls = runTimes.pollPlan(kind);
  // The last look that still saw it running: a lower bound of its run time (the end lies between two looks).
  let stillRunningAt = started;
  for (let i = 0; ; i++) {
    const pause = polls(i);
    if (Date.now() + clock.wallMs(pause) > deadline) {
      throw new GuestScriptFailedError(
        `guest program ${program.programPath} (pid ${pid}) still running after ${timeoutMs} ms`,
      );
    }
    await clock.sleep(pause);
    const lookedAt = clock.now();
    const [info] = await listProcessesInGuest(c, vm, auth, [pid]);
    if (info?.endTime) {
      runTimes.record(kind, stillRunningAt - started);
      return Number(info.exitCode ?? 0);
    }
    stillRunningAt = lookedAt;
  }
}

const THUMBPRINT = 'summary.config.sslThumbprint';

/**
 * The TLS thumbprint of the ESXi host running `vm` (`runtime.host` → `summary.config.sslThumbprint`, one
 * RetrievePropertiesEx), to pin guest file transfers to; undefined when vCenter does not say or the call fails
 * (the transfer then uses the vCenter TLS settings). Never rejects.
 */
export async function hostThumbprintOf(c: VsphereClient, vm: MoRef): Promise<string | undefined> {
  try {
    const [host] = await retrieveAll(c, [
      {
        propSet: [{ type: 'HostSystem', all: false, pathSet: [THUMBPRINT] }],
        objectSet: [{ obj: vm, skip: true, selectSet: [{ type: 'VirtualMachine', path: 'runtime.host' }] }],
      },
    ]);
    const value = host?.propSet.find((p) => p.name === THUMBPRINT)?.val;
    return typeof value === 'string' && value !== '' ? value : undefined;
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
