// Lease arithmetic (ADR 0004 §2). The lease starts at the first Ready; an extension adds minutes to whatever is
// left (or to now, if the lease already ran out while the extension travelled), never past maxLeaseMinutes
// after that first Ready. `seconds` is the Ready state's timeout (TimeoutSecondsPath).
import * as z from 'zod';

export const leaseState = z.object({
  startedAt: z.string(),
  expiresAt: z.string(),
  seconds: z.number().int().min(1),
  maxExpiresAt: z.string(),
  extensions: z.number().int().min(0),
});
export type Lease = z.infer<typeof leaseState>;

/** What SendTaskSuccess may hand the Ready state (anything without `action: "extend"` releases). */
export const leaseAction = z.discriminatedUnion('action', [
  z.looseObject({ action: z.literal('release') }),
  z.looseObject({ action: z.literal('extend'), leaseMinutes: z.number().int().min(1) }),
]);
export type LeaseAction = z.infer<typeof leaseAction>;

const MINUTE_MS = 60_000;

function secondsUntil(expiresAt: number, now: number): number {
  return Math.max(1, Math.ceil((expiresAt - now) / 1000));
}

export function startLease(leaseSeconds: number, maxLeaseMinutes: number, now: Date): Lease {
  const t = now.getTime();
  const max = t + maxLeaseMinutes * MINUTE_MS;
  const expires = Math.min(t + leaseSeconds * 1000, Math.max(max, t + 1000));
  return {
    startedAt: now.toISOString(),
    expiresAt: new Date(expires).toISOString(),
    seconds: secondsUntil(expires, t),
    maxExpiresAt: new Date(Math.max(max, expires)).toISOString(),
    extensions: 0,
  };
}

export function extendLease(lease: Lease, minutes: number, now: Date): Lease {
  const t = now.getTime();
  const max = Date.parse(lease.maxExpiresAt);
  const from = Math.max(Date.parse(lease.expiresAt), t);
  const expires = Math.max(Math.min(from + minutes * MINUTE_MS, max), Math.min(from, max));
  return {
    ...lease,
    expiresAt: new Date(expires).toISOString(),
    seconds: secondsUntil(expires, t),
    extensions: lease.extensions + 1,
  };
}
