// Step Functions fails an execution with States.DataLimitExceeded — which no Catch handles, so its clones wait
// for the Reaper — as soon as one state's input or output exceeds 256 KiB. The largest state is FinishRun's
// input: the run, the source facts, one record per clone (name, source path, host, MAC, IP, timings or an
// error) and one teardown record per clone. Its size grows with the request's names, paths and counts, so
// ValidateRequest estimates it from the plan and refuses a request that would not fit.
import type { PlanItem, Run } from './plan.js';

/** AWS's quota for a state's input or output, in UTF-8 bytes. */
export const STATE_PAYLOAD_LIMIT = 256 * 1024;

/**
 * One clone's share of FinishRun's input without its variable strings: a ready record with five phase
 * timings and a smoke result, or a failed record with an error message of up to 400 characters, plus its
 * teardown record (measured on the simulator: about 880 bytes for either, with short names).
 */
const PER_CLONE_BYTES = 1100;
/** The clone's name appears in its record, its teardown record and its error message. */
const NAME_COPIES = 3;
/** ESXi host names come from vCenter, not the request: an FQDN of this length is assumed. */
const HOST_NAME_BYTES = 64;
/** The run object and the state's own keys, without the request's strings; plus the error of a failed run. */
const RUN_BYTES = 2_500;
/** One entry of the source facts (moref, host, guest family) without its path. */
const PER_SOURCE_BYTES = 200;

function bytes(value: string | null): number {
  return value === null ? 0 : Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** An upper estimate of the largest state payload this run will produce, in bytes. */
export function estimateLargestState(run: Run, clones: PlanItem[]): number {
  let total =
    RUN_BYTES +
    bytes(run.requesterId) +
    bytes(run.executionName) +
    bytes(run.folder) +
    bytes(run.pool) +
    bytes(run.network) +
    bytes(run.smokeCommand);
  for (const path of new Set(clones.map((c) => c.sourcePath))) total += PER_SOURCE_BYTES + bytes(path);
  for (const c of clones) {
    total += PER_CLONE_BYTES + NAME_COPIES * bytes(c.name) + bytes(c.sourcePath) + bytes(c.source);
    total += HOST_NAME_BYTES;
  }
  return total;
}

/** How many clones of this shape fit, for the message (at least 0). */
export function clonesThatFit(run: Run, clones: PlanItem[]): number {
  if (clones.length === 0) return 0;
  const perClone = (estimateLargestState(run, clones) - estimateLargestState(run, [])) / clones.length;
  return Math.max(0, Math.floor((STATE_PAYLOAD_LIMIT - estimateLargestState(run, [])) / perClone));
}
