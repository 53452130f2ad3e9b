// The DHCP server of the simulated network. Leases come from 198.18.0.0/15 (RFC 2544 benchmarking
// range), so they never collide with real addresses; sources sit in 198.18.0.0/24.
import type { DhcpMode } from './types.js';

export class Dhcp {
  mode: DhcpMode = 'up';
  private next = 0;
  /** leases handed out, with the host name the client sent (DHCP option 12) */
  readonly leases: { vm: string; ip: string; at: number; hostname?: string }[] = [];

  /** a fresh, never reused address */
  allocate(): string {
    const n = 256 + 10 + this.next++;
    return `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 0xff}.${n & 0xff}`;
  }

  linkLocal(): string {
    return `169.254.${1 + Math.floor(Math.random() * 253)}.${1 + Math.floor(Math.random() * 253)}`;
  }
}
