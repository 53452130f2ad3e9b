// Maps what the vSphere client throws (VsphereFault with a vim25 faultName, VsphereTransportError) to the
// workflow's error names. Matching is by `name`, not instanceof, so a second copy of the client module in a
// bundle cannot break it.
import {
  CloneFailedError,
  GuestLoginFailedError,
  GuestOpsUnavailableError,
  GuestOpsUnsupportedError,
  HostCapacityExceededError,
  LoginFailedError,
  NicReconnectFailedError,
  PermissionDeniedError,
  SourceNotFoundError,
  TeardownFailedError,
  VcenterUnavailableError,
  WorkflowError,
} from './errors.js';

export type Phase = 'login' | 'verify' | 'clone' | 'reconnect' | 'guest' | 'ip' | 'lease' | 'teardown';

const GUEST_TRANSIENT = new Set([
  'GuestOperationsUnavailable',
  'InvalidState',
  'TaskInProgress',
  'TooManyGuestLogons',
  'GuestProcessNotFound',
]);
const GUEST_LOGIN = new Set(['InvalidGuestLogin', 'GuestPermissionDenied', 'GuestAuthenticationChallenge']);
const GUEST_UNSUPPORTED = new Set([
  'GuestComponentsOutOfDate',
  'OperationDisabledByGuest',
  'OperationNotSupportedByGuest',
]);
/** Faults that mean "busy, try again" outside guest operations. */
const TRANSIENT = new Set(['TaskInProgress', 'HostCommunication', 'HostNotConnected', 'RequestCanceled']);

export function faultNameOf(error: unknown): string | undefined {
  if (error instanceof Error && error.name === 'VsphereFault') {
    const name = (error as Error & { faultName?: unknown }).faultName;
    return typeof name === 'string' ? name : undefined;
  }
  return undefined;
}

function isTransport(error: unknown): boolean {
  return error instanceof Error && error.name === 'VsphereTransportError';
}

/** The InsufficientResourcesFault family (InsufficientMemoryResourcesFault, InsufficientHostCapacityFault, …). */
function isCapacity(fault: string): boolean {
  return fault.startsWith('Insufficient');
}

/**
 * Turns any error from a vSphere call into the workflow error for that phase. WorkflowErrors pass through;
 * `what` names the object (a VM name or path) for the message.
 */
export function toWorkflowError(error: unknown, phase: Phase, what: string): Error {
  if (error instanceof WorkflowError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const fault = faultNameOf(error);
  const opts = { cause: error, ...(fault ? { faultName: fault } : {}) };
  if (isTransport(error)) {
    return phase === 'guest'
      ? new GuestOpsUnavailableError(`${what}: guest transfer failed: ${message}`, opts)
      : new VcenterUnavailableError(`${what}: ${message}`, opts);
  }
  if (error instanceof Error && error.name === 'VsphereTimeoutError') {
    // A vSphere task or wait that outlived this invocation's budget. Under its own name it would match no
    // Retry: an InstantClone whose task is still running would then be discarded with no moref and its
    // clone left to the reaper. As VcenterUnavailable it is retried, and the retry finds the clone by name.
    const detail = `${what}: vCenter did not finish in time (${message})`;
    if (phase === 'guest') return new GuestOpsUnavailableError(detail, opts);
    if (phase === 'teardown') return new TeardownFailedError(detail, opts);
    return new VcenterUnavailableError(detail, opts);
  }
  if (fault === undefined) return error instanceof Error ? error : new Error(message);
  // Only a fresh Login that vCenter refuses is LoginFailed (not retried). NotAuthenticated is a session that
  // was lost again right after the client's own re-login: transient, so retried as VcenterUnavailable.
  if (fault === 'InvalidLogin') {
    return new LoginFailedError(`vCenter login failed while working on ${what}`, opts);
  }
  if (fault === 'NotAuthenticated') {
    return new VcenterUnavailableError(`${what}: the vCenter session was lost again after a new login`, opts);
  }
  if (fault === 'NoPermission') return new PermissionDeniedError(`${what}: ${message}`, opts);
  if (phase === 'guest') {
    if (GUEST_LOGIN.has(fault)) return new GuestLoginFailedError(`${what}: guest login rejected`, opts);
    if (GUEST_UNSUPPORTED.has(fault)) return new GuestOpsUnsupportedError(`${what}: ${message}`, opts);
    if (GUEST_TRANSIENT.has(fault)) return new GuestOpsUnavailableError(`${what}: ${message}`, opts);
  }
  if (TRANSIENT.has(fault)) return new VcenterUnavailableError(`${what}: ${message}`, opts);
  switch (phase) {
    case 'verify':
      return fault === 'ManagedObjectNotFound'
        ? new SourceNotFoundError(`${what} disappeared while being checked`, opts)
        : new VcenterUnavailableError(`${what}: ${message}`, opts);
    case 'clone':
      return isCapacity(fault)
        ? new HostCapacityExceededError(`${what}: ${message}`, opts)
        : new CloneFailedError(`${what}: InstantClone_Task failed: ${message}`, opts);
    case 'reconnect':
      return new NicReconnectFailedError(`${what}: ${message}`, opts);
    case 'teardown':
      return new TeardownFailedError(`${what}: ${message}`, opts);
    case 'guest':
      return new GuestOpsUnavailableError(`${what}: ${message}`, opts);
    default:
      return new VcenterUnavailableError(`${what}: ${message}`, opts);
  }
}
