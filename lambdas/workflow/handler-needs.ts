// What a handler needs at run time, declared next to it in `lambdas/<folder>/needs.ts` as `HANDLER_NEEDS`.
// The handler passes it to workflowHandler (which fetches exactly those secrets) and the CDK stack reads the
// same file (cdk/handler-needs.ts) to grant exactly those secrets and to put only vCenter callers in the VPC
// with the security group that reaches vCenter and ESXi. needs.ts files import nothing, so the stack can load
// them without the handler's dependencies.
export interface HandlerNeeds {
  /** Calls vCenter or ESXi: the vCenter secret, the VPC and the vCenter/ESXi security group. */
  readonly vcenter: boolean;
  /** Runs guest operations: every source's guest secret. */
  readonly guest: boolean;
  /** Runs the request's smokeCommand: every source's smokeGuestSecret (where configured). */
  readonly smokeGuest: boolean;
  /**
   * The vCenter operation kind the handler performs under the vCenter-wide throttle (ADR 0006): it holds one
   * permit of that kind from the permit table for its whole invocation (absent: none).
   */
  readonly permit?: OperationKind;
  /** Reads and writes the requesters' holdings in the permit table (the quota: ReserveQuota, FinishRun). */
  readonly holdings?: boolean;
  /**
   * Waits for vCenter tasks or guest programs from learned run times, loaded from and written back to the
   * permit table's `runtimes#` items (ADR 0009).
   */
  readonly runTimes?: boolean;
}

/** The kinds of vCenter operation the throttle limits. */
export type OperationKind = 'clone' | 'reconfigure' | 'guest' | 'teardown';
