// The end of the network refresh by push. Both refresh scripts end by asking Tools to send guest.net now
// (`vmware-toolbox-cmd info update network`), and vCenter pushes that through the property collector; so
// after StartProgramInGuest one property filter on the clone's guest.net is long-polled, and each push is
// followed by one look at the process (ListProcessesInGuest): ended with 0 and guest.net showing the address
// the workflow accepts is the answer (no dense process polls, no file read-back). Between bounded long polls
// the process is also looked at on a plan (after the usual run time, then every few seconds), so a script
// that fails (exits non-zero) is found as before, and one that exits 0 while guest.net stays silent (Tools
// older than 10.1 have no `info update network`; guest.net then waits for their 30 s poll) hands over to the
// read-back.
// docs/adr/0008-refresh-end-by-push.md.
import {
  clock,
  type GuestAuth,
  listProcessesInGuest,
  type MoRef,
  PropertyWatch,
  type VsphereClient,
} from '../vsphere/index.js';
import { GuestScriptFailedError } from './errors.js';
import { startWhenReady } from './guest-process.js';
import type { GuestProgram } from './guest-scripts.js';
import type { GuestNic } from './ip-selection.js';
import { logger } from './powertools.js';
import { runTimes } from './run-times.js';
import { list } from './vsphere-ops.js';

/** A run within the usual spread (±10 %) has pushed by the longest recent run and a tenth: look then. */
const FIRST_LOOK_AFTER_LONGEST = 1.1;
/** Without data, the first look at the process comes this soon (simulated ms) … */
const FIRST_LOOK_WITHOUT_DATA_MS = 2_000;
/** … and later looks this far apart, each half as long again as the one before, up to the cap. */
const LOOK_GAP_MS = 3_000;
const LOOK_GAP_CAP_MS = 5_000;
/** With the answer showing and the script still running, the next look this soon (then twice as late). */
const DENSE_FIRST_GAP_MS = 50;

export type RefreshEnd =
  /** The script ended with 0 and guest.net showed an address `accept` took, pushed after it started. */
  | { seenIp: string }
  /** The script ended before guest.net showed one (exitCode 0: read the report back instead). */
  | { exitCode: number };

export interface GuestNetPush {
  /** Wall-clock limit for the whole wait (ms); past it the script counts as hung (GuestScriptFailed). */
  timeoutMs: number;
  /** What the program is for, so its usual run time is learned per kind (run-times.ts). */
  kind: string;
  /** The address guest.net shows that the workflow takes as the clone's, or null for none yet. */
  accept: (nets: GuestNic[]) => string | null;
}

/** Simulated ms since the start when look `i` at the process is due. */
function lookPlan(kind: string): (i: number) => number {
  const longest = runTimes.longest(kind);
  const first = longest === undefined ? FIRST_LOOK_WITHOUT_DATA_MS : longest * FIRST_LOOK_AFTER_LONGEST;
  return (i) => {
    let at = first;
    for (let k = 1; k <= i; k++) at += Math.min(LOOK_GAP_CAP_MS, LOOK_GAP_MS * 1.5 ** (k - 1));
    return at;
  };
}

/**
 * Starts the refresh program and waits until guest.net shows an address `accept` takes, or the program ends
 * without one. The property filter is destroyed in every path.
 */
export async function runUntilGuestNetShows(
  c: VsphereClient,
  vm: MoRef,
  auth: GuestAuth,
  program: GuestProgram,
  w: GuestNetPush,
): Promise<RefreshEnd> {
  const deadline = Date.now() + w.timeoutMs;
  let pushedAtMs: number | undefined;
  // A failed filter call (the script goes on regardless) leaves the looks on the plan and the read-back.
  let pushLost = false;
  const lost = (error: unknown) => {
    logger.warn('waiting for guest.net failed; the refresh is looked at on its plan instead', {
      errorName: (error as Error).name,
    });
    pushLost = true;
    pushedAtMs = undefined;
    return undefined;
  };
  // The filter and its first values come before the start, so that they predate the script (a static
  // refresh can be over within a few round trips): only what is pushed after them counts.
  const watch = await PropertyWatch.open(c, [{ obj: vm, paths: ['guest.net'] }]).catch(lost);
  const shown = () => (pushedAtMs === undefined || !watch ? null : w.accept(list(watch.of(vm)['guest.net'])));
  const poll = async (maxWaitSeconds: number) =>
    watch && !pushLost ? watch.next(maxWaitSeconds).catch(lost) : undefined;
  try {
    await poll(0);
    const pid = await startWhenReady(c, vm, auth, program, w.timeoutMs);
    const started = clock.now();
    const elapsed = () => clock.now() - started;
    const lookAt = lookPlan(w.kind);
    let planned = 0;
    let lastRunningMs: number | undefined;
    let lookNow = false;
    // Pushes may have come while this wait slept instead of long-polling (between dense looks).
    let unheard = false;
    let denseGapMs = 0;
    for (;;) {
      const leftMs = deadline - Date.now();
      if (leftMs <= 0)
        throw new GuestScriptFailedError(
          `guest program ${program.programPath} (pid ${pid}) still running after ${w.timeoutMs} ms`,
        );
      if (lookNow || elapsed() >= lookAt(planned)) {
        const lookedAt = elapsed();
        const p = (await listProcessesInGuest(c, vm, auth, [pid]))[0];
        lookNow = false;
        if (p?.endTime) {
          const exitCode = Number(p.exitCode ?? 0);
          if (exitCode !== 0) return { exitCode };
          // A push still on its way (a look by the plan), or missed while sleeping: one check, no wait.
          if (!pushLost && (unheard || shown() === null) && (await poll(0)) === 'changed')
            pushedAtMs = elapsed();
          const seenIp = shown();
          runTimes.record(
            w.kind,
            seenIp && pushedAtMs !== undefined
              ? { endedMs: Math.min(pushedAtMs, lookedAt), exact: true }
              : { lastRunningMs, endedMs: lookedAt },
          );
          return seenIp ? { seenIp } : { exitCode };
        }
        lastRunningMs = lookedAt;
        while (elapsed() >= lookAt(planned)) planned++;
        if (shown() !== null) {
          // The answer is showing and the script still runs: right after its own push it is about to end
          // (a few commands), after Tools' poll it may run on. Look again soon, then less and less often.
          denseGapMs = Math.min(LOOK_GAP_MS, denseGapMs ? denseGapMs * 2 : DENSE_FIRST_GAP_MS);
          await clock.sleep(Math.min(denseGapMs, leftMs / clock.scale));
          unheard = true;
          lookNow = true;
          continue;
        }
      }
      const untilLook = Math.max(0, lookAt(planned) - elapsed());
      if (pushLost) {
        await clock.sleep(Math.min(untilLook, leftMs / clock.scale));
        continue;
      }
      const got = await poll(
        Math.min(clock.wallSeconds(untilLook / 1000), Math.max(1, Math.ceil(leftMs / 1000))),
      );
      unheard = false;
      // Any push is looked into at once: the script pushes as its last step, and an address guest.net shows
      // while the script still runs (Tools' own poll) may yet change (a static address, then a DHCP lease
      // beside it), so it is the answer only once the script is seen to have ended well.
      if (got === 'changed') {
        pushedAtMs = elapsed();
        lookNow = true;
      }
    }
  } finally {
    await watch?.close();
  }
}
