// Per clone, from the events of one execution: the IP detection lag (simulated DHCP lease → the first state
// output carrying the address) and the time to ready (the clone's InstantClone state entered → that output).

import type { ExecutionEvent } from '../local/runner/types.js';

interface IpSeen {
  ip: string;
  leaseAt: number;
  seenAt: number;
  requestedAt?: number;
}

function cloneNameOf(value: unknown): string | undefined {
  const name = (value as { clone?: { name?: unknown } } | undefined)?.clone?.name;
  return typeof name === 'string' ? name : undefined;
}

export function ipsSeen(leases: { ip: string; at: number }[], events: ExecutionEvent[]): IpSeen[] {
  const exits = events
    .filter((e) => e.type === 'StateExited' && e.state?.output !== undefined)
    .map((e) => ({ at: e.timestamp, text: JSON.stringify(e.state?.output), output: e.state?.output }));
  const requested = new Map<string, number>();
  for (const e of events) {
    if (e.type !== 'StateEntered' || e.state?.name !== 'InstantClone') continue;
    const name = cloneNameOf(e.state.input);
    if (name && !requested.has(name)) requested.set(name, e.timestamp);
  }
  const seen: IpSeen[] = [];
  for (const lease of leases) {
    const exit = exits.find((x) => x.at >= lease.at && x.text.includes(`"${lease.ip}"`));
    if (!exit) continue;
    const name = cloneNameOf(exit.output);
    const requestedAt = name ? requested.get(name) : undefined;
    seen.push({
      ip: lease.ip,
      leaseAt: lease.at,
      seenAt: exit.at,
      ...(requestedAt !== undefined ? { requestedAt } : {}),
    });
  }
  return seen;
}

export function ipLags(leases: { ip: string; at: number }[], events: ExecutionEvent[]): number[] {
  return ipsSeen(leases, events).map((s) => s.seenAt - s.leaseAt);
}
