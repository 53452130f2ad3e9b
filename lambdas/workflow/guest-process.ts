// Running a program in a guest and waiting for it: StartProgramInGuest, then ListProcessesInGuest until
// endTime is set (guest operations offer no push; govmomi polls the same way). Faults map to the guest
// error names the ASL retries (GuestOpsUnavailable) or fails fast on (GuestLoginFailed, GuestOpsUnsupported).
import {
  downloadGuestFile,
  type GuestAuth,
  initiateFileTransferFromGuest,
  listProcessesInGuest,
  type MoRef,
  retrieveAll,
  startProgramInGuest,
  type VsphereClient,
} from '../vsphere/index.js';
import { GuestScriptFailedError } from './errors.js';
import type { GuestProgram } from './guest-scripts.js';
import { logger } from './powertools.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the program and returns its exit code; throws GuestScriptFailed when it outlives `timeoutMs`. */
export async function runInGuest(
  c: VsphereClient,
  vm: MoRef,
  auth: GuestAuth,
  program: GuestProgram,
  timeoutMs: number,
): Promise<number> {
  const pid = await startProgramInGuest(c, vm, auth, program);
  const deadline = Date.now() + timeoutMs;
  let pause = 250;
  for (;;) {
    const [info] = await listProcessesInGuest(c, vm, auth, [pid]);
    if (info?.endTime) return Number(info.exitCode ?? 0);
    if (Date.now() + pause > deadline) {
      throw new GuestScriptFailedError(
        `guest program ${program.programPath} (pid ${pid}) still running after ${timeoutMs} ms`,
      );
    }
    await sleep(pause);
    pause = Math.min(pause * 2, 1_000);
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
