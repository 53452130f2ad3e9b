/** A vSphere fault (SOAP fault or a task's `info.error`), named by its vim25 fault type. */
export class VsphereFault extends Error {
  override name = 'VsphereFault' as const;
  /** vim25 fault type without prefix, e.g. `InvalidGuestLogin`, `NotAuthenticated`. */
  readonly faultName: string;
  /** Decoded fault fields (e.g. `obj` for ManagedObjectNotFound), when present. */
  readonly detail: Record<string, unknown>;
  /**
   * The Task whose own `info.error` this is. Unset for a fault of a call (including the calls that wait for
   * a task): only a task's own error says what the task did.
   */
  readonly task?: { type: string; value: string };

  constructor(
    faultName: string,
    message: string,
    detail: Record<string, unknown> = {},
    task?: { type: string; value: string },
  ) {
    super(message ? `${faultName}: ${message}` : faultName);
    this.faultName = faultName;
    this.detail = detail;
    if (task) this.task = task;
  }
}

/** Socket, TLS or HTTP errors that carry no SOAP fault. */
export class VsphereTransportError extends Error {
  override name = 'VsphereTransportError' as const;
  /** HTTP status, when a response arrived. */
  readonly status?: number;

  constructor(message: string, options: { cause?: unknown; status?: number } = {}) {
    super(message, { cause: options.cause });
    this.status = options.status;
  }
}

/** A wait (task, property) that did not finish within its `timeoutMs`. */
export class VsphereTimeoutError extends Error {
  override name = 'VsphereTimeoutError' as const;
}
