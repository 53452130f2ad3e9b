// IP detection lag: from the simulated DHCP lease to the first state output that carries the address.

import type { ExecutionEvent } from '../local/runner/types.js';

export function ipLags(leases: { ip: string; at: number }[], events: ExecutionEvent[]): number[] {
  const exits = events
    .filter((e) => e.type === 'StateExited' && e.state?.output !== undefined)
    .map((e) => ({ at: e.timestamp, text: JSON.stringify(e.state?.output) }));
  const lags: number[] = [];
  for (const lease of leases) {
    const seen = exits.find((x) => x.at >= lease.at && x.text.includes(`"${lease.ip}"`));
    if (seen) lags.push(seen.at - lease.at);
  }
  return lags;
}
