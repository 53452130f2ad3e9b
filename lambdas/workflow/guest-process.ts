// Running a program in a guest and waiting for it: StartProgramInGuest, then ListProcessesInGuest until
// endTime is set (guest operations offer no push; govmomi polls the same way). Faults map to the guest
// error names the ASL retries (GuestOpsUnavailable) or fails fast on (GuestLoginFailed, GuestOpsUnsupported).
import {
  downloadGuestFile,
  type GuestAuth,
  initiateFileTransferFromGuest,
  listProcessesInGuest,
  type MoRef,
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

/** The text of a guest file via InitiateFileTransferFromGuest + HTTPS GET; null if it cannot be read. */
export async function readGuestFile(
  c: VsphereClient,
  vm: MoRef,
  auth: GuestAuth,
  path: string,
): Promise<string | null> {
  try {
    const info = await initiateFileTransferFromGuest(c, vm, auth, path);
    return (await downloadGuestFile(c, info.url)).toString('utf8');
  } catch (error) {
    // Needs HTTPS to the ESXi host; without it the IP wait falls back to guest.net.
    logger.warn('guest file read-back failed', { path, errorName: (error as Error).name });
    return null;
  }
}
