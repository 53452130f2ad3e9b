import { describe, expect, it } from 'vitest';
import { extendLease, leaseAction, startLease } from './lease.js';

const at = (iso: string) => new Date(iso);

describe('lease arithmetic', () => {
  const first = startLease(3600, 120, at('2026-01-01T10:00:00.000Z'));

  it('starts at the first Ready with the request’s lease and the deployment’s cap', () => {
    expect(first).toEqual({
      startedAt: '2026-01-01T10:00:00.000Z',
      expiresAt: '2026-01-01T11:00:00.000Z',
      seconds: 3600,
      maxExpiresAt: '2026-01-01T12:00:00.000Z',
      extensions: 0,
    });
  });

  it('adds minutes to what is left and shortens the next wait by the time already spent', () => {
    const later = extendLease(first, 30, at('2026-01-01T10:40:00.000Z'));
    expect(later.expiresAt).toBe('2026-01-01T11:30:00.000Z');
    expect(later.seconds).toBe(50 * 60);
    expect(later.extensions).toBe(1);
    expect(later.startedAt).toBe(first.startedAt);
  });

  it('never goes past maxLeaseMinutes after the first Ready', () => {
    const capped = extendLease(first, 500, at('2026-01-01T10:30:00.000Z'));
    expect(capped.expiresAt).toBe('2026-01-01T12:00:00.000Z');
    expect(capped.seconds).toBe(90 * 60);
  });

  it('counts from now when the lease ran out while the extension travelled', () => {
    const late = extendLease(first, 10, at('2026-01-01T11:00:30.000Z'));
    expect(late.expiresAt).toBe('2026-01-01T11:10:30.000Z');
    expect(late.seconds).toBe(600);
  });

  it('waits at least one second (Step Functions rejects a zero timeout)', () => {
    const spent = extendLease(first, 10, at('2026-01-01T12:30:00.000Z'));
    expect(spent.seconds).toBe(1);
  });

  it('reads release and extend actions, and rejects a bad extension', () => {
    expect(leaseAction.parse({ action: 'extend', leaseMinutes: 15 })).toEqual({
      action: 'extend',
      leaseMinutes: 15,
    });
    expect(leaseAction.safeParse({ action: 'extend', leaseMinutes: 0 }).success).toBe(false);
    expect(leaseAction.parse({ action: 'release', releasedBy: 'ci' }).action).toBe('release');
  });
});
