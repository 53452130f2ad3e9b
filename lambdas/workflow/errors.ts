// Error names are the contract between the Lambdas and the ASL (DESIGN section 2): each class's `name`
// is what a Retry/Catch `ErrorEquals` matches. The message says what happened and what the user can do.

export interface WorkflowErrorOptions extends ErrorOptions {
  /** vim25 fault behind the error, e.g. `InsufficientResourcesFault` */
  faultName?: string;
}

/** Base of every error a workflow Lambda throws on purpose. */
export abstract class WorkflowError extends Error {
  abstract override readonly name: string;
  /** What the user can do about it; appended to the message. */
  static readonly hint: string = '';
  readonly faultName?: string;

  constructor(detail: string, options: WorkflowErrorOptions = {}) {
    const hint = (new.target as typeof WorkflowError).hint;
    const fault = options.faultName ? ` [${options.faultName}]` : '';
    // A detail that quotes another error's message may carry this hint already: say it once.
    const body = `${detail}${fault}`.replace(/\.+$/, '');
    super(hint && !detail.includes(hint) ? `${body}. ${hint}` : `${detail}${fault}`, {
      cause: options.cause,
    });
    if (options.faultName) this.faultName = options.faultName;
  }
}

/** The request does not match the schema or the configuration; nothing was created. */
export class InvalidRequestError extends WorkflowError {
  override readonly name = 'InvalidRequest';
  static override readonly hint = 'Fix the named field; docs/request.schema.json documents every field.';
}

/** WORKFLOW_CONFIG is missing or invalid (an operator problem, not the request's). */
export class InvalidConfigError extends WorkflowError {
  override readonly name = 'InvalidConfig';
  static override readonly hint = 'Fix the deployment configuration and redeploy.';
}

/** vCenter (or an ESXi host) could not be reached, or answered with a transient error. Retried. */
export class VcenterUnavailableError extends WorkflowError {
  override readonly name = 'VcenterUnavailable';
  static override readonly hint =
    'Check the VPN/route to vCenter and ESXi on port 443 and that vCenter is up; the workflow retries this.';
}

/** vCenter rejected the account. */
export class LoginFailedError extends WorkflowError {
  override readonly name = 'LoginFailed';
  static override readonly hint =
    'Check the username/password in the vCenter secret and that the account is not locked.';
}

/** The vCenter account lacks a privilege. */
export class PermissionDeniedError extends WorkflowError {
  override readonly name = 'PermissionDenied';
  static override readonly hint =
    'Grant the workflow role the privilege named above (README lists the privileges per phase).';
}

/** A configured source VM path does not exist in vCenter. */
export class SourceNotFoundError extends WorkflowError {
  override readonly name = 'SourceNotFound';
  static override readonly hint =
    'Check the inventory path (/<datacenter>/vm/<folder>/<name>) in the configuration and the account’s view of it.';
}

/** vCenter or the source's ESXi host is older than 6.7 (no InstantClone_Task). */
export class UnsupportedVersionError extends WorkflowError {
  override readonly name = 'UnsupportedVersion';
  static override readonly hint = 'Instant clones from a frozen VM need vCenter and ESXi 6.7 or later.';
}

/** The source VM is not powered on and frozen. */
export class SourceNotFrozenError extends WorkflowError {
  override readonly name = 'SourceNotFrozen';
  static override readonly hint =
    'Power it on and freeze it from inside the guest: vmtoolsd --cmd "instantclone.freeze" (Windows: "C:\\Program Files\\VMware\\VMware Tools\\vmtoolsd.exe" --cmd "instantclone.freeze").';
}

/** InstantClone_Task failed; the vSphere fault name is in the message. */
export class CloneFailedError extends WorkflowError {
  override readonly name = 'CloneFailed';
  static override readonly hint = 'See the vSphere fault; the vCenter task list has the details.';
}

/**
 * The sources' hosts have no room for the fleet: found by VerifySourceFrozen from the hosts' free memory before
 * anything is created (placement.ts), or reported by vCenter as InsufficientResourcesFault on a clone.
 */
export class HostCapacityExceededError extends WorkflowError {
  override readonly name = 'HostCapacityExceeded';
  static override readonly hint =
    'Ask for fewer clones (or a lower maxConcurrency), use another source whose frozen VMs are on other hosts or add one to this source’s paths, or free memory on the hosts named.';
}

/** The requester already holds so many clones that this run would exceed its quota (maxClonesHeld). */
export class QuotaExceededError extends WorkflowError {
  override readonly name = 'QuotaExceeded';
  static override readonly hint =
    'Release clones you hold (or wait for their leases to end), or ask for fewer; nothing was created.';
}

/** ReconfigVM_Task could not connect the clone's NIC. */
export class NicReconnectFailedError extends WorkflowError {
  override readonly name = 'NicReconnectFailed';
  static override readonly hint =
    'Check the port group exists on the clone’s host and the Network.Assign privilege.';
}

/** Guest operations are not available yet (Tools not up, guest busy, too many logons). Retried. */
export class GuestOpsUnavailableError extends WorkflowError {
  override readonly name = 'GuestOpsUnavailable';
  static override readonly hint =
    'VMware Tools in the clone is not answering yet; the workflow retries this.';
}

/** The guest rejected the guest account. Not retried. */
export class GuestLoginFailedError extends WorkflowError {
  override readonly name = 'GuestLoginFailed';
  static override readonly hint =
    'Check the username/password in the source’s guest secret and the account inside the guest.';
}

/** The guest does not allow or support guest operations. Not retried. */
export class GuestOpsUnsupportedError extends WorkflowError {
  override readonly name = 'GuestOpsUnsupported';
  static override readonly hint =
    'Update VMware Tools in the source and make sure guest operations are enabled.';
}

/** The network refresh script ran but exited non-zero. */
export class GuestScriptFailedError extends WorkflowError {
  override readonly name = 'GuestScriptFailed';
  static override readonly hint =
    'Run the refresh command by hand in the source (before freezing) or set a refreshCommand for the source.';
}

/** No usable IPv4 address appeared on the clone's NIC before the deadline. */
export class IpTimeoutError extends WorkflowError {
  override readonly name = 'IpTimeout';
  static override readonly hint =
    'DHCP did not answer (or only a 169.254 address appeared): check the DHCP scope of the port group, or use staticIps.';
}

/** The guest holds an address other than the one the clone is to have (a static clone with a DHCP lease). */
export class IpMismatchError extends WorkflowError {
  override readonly name = 'IpMismatch';
  static override readonly hint =
    'A DHCP client or network manager in the source still configures the NIC: check the source image (docs/deploy.md §5) or its staticRefreshCommand.';
}

/** The optional smoke command exited non-zero. */
export class SmokeCommandFailedError extends WorkflowError {
  override readonly name = 'SmokeCommandFailed';
  static override readonly hint = 'The clone came up but the request’s smokeCommand failed inside it.';
}

/** Fewer clones became ready than the request's minReady. */
export class MinReadyNotMetError extends WorkflowError {
  override readonly name = 'MinReadyNotMet';
  static override readonly hint =
    'Each failed clone’s error is in the run summary; all clones were torn down.';
}

/** A clone could not be powered off or destroyed. The reaper will retry once its lease expires. */
export class TeardownFailedError extends WorkflowError {
  override readonly name = 'TeardownFailed';
  static override readonly hint =
    'Delete the VM by hand if it is still there; the reaper removes it after its lease (instantclone.leaseExpires).';
}

/** Every error class, by its ASL name. */
export const ERROR_CLASSES = {
  InvalidRequest: InvalidRequestError,
  InvalidConfig: InvalidConfigError,
  VcenterUnavailable: VcenterUnavailableError,
  LoginFailed: LoginFailedError,
  PermissionDenied: PermissionDeniedError,
  SourceNotFound: SourceNotFoundError,
  UnsupportedVersion: UnsupportedVersionError,
  SourceNotFrozen: SourceNotFrozenError,
  CloneFailed: CloneFailedError,
  HostCapacityExceeded: HostCapacityExceededError,
  QuotaExceeded: QuotaExceededError,
  NicReconnectFailed: NicReconnectFailedError,
  GuestOpsUnavailable: GuestOpsUnavailableError,
  GuestLoginFailed: GuestLoginFailedError,
  GuestOpsUnsupported: GuestOpsUnsupportedError,
  GuestScriptFailed: GuestScriptFailedError,
  IpTimeout: IpTimeoutError,
  IpMismatch: IpMismatchError,
  SmokeCommandFailed: SmokeCommandFailedError,
  MinReadyNotMet: MinReadyNotMetError,
  TeardownFailed: TeardownFailedError,
} as const;

export type WorkflowErrorName = keyof typeof ERROR_CLASSES;
export const ERROR_NAMES = Object.keys(ERROR_CLASSES) as WorkflowErrorName[];
