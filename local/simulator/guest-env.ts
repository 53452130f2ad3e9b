// What the simulated guest shell can see and do. Times are absolute ms (Date.now() scale); the shell
// runs a whole script up front on a virtual clock and the environment schedules the effects.
import type { GuestOs } from './vm.js';

export interface GuestEnv {
  os: GuestOs;
  nicName: string;
  hostName: string;
  /** IPv4 the guest shows at virtual time t (undefined = none) */
  ipAt(t: number): { ip: string; prefix: number } | undefined;
  /** MAC the guest shows at virtual time t */
  macAt(t: number): string;
  /**
   * A network refresh (driver reload, DHCP renew, link up) at time t. Returns when a usable lease arrives,
   * or undefined if none will (NIC disconnected, DHCP down or link-local only).
   */
  refresh(t: number): number | undefined;
  /** when the lease of an earlier refresh lands, if one is pending */
  pendingLease(): number | undefined;
  setStatic(t: number, ip: string, prefix: number): void;
  guestinfo(key: string): string | undefined;
  readFile(path: string): string | undefined;
  writeFile(t: number, path: string, content: string, append: boolean): void;
  /** scaled durations */
  ms: { command: number; blockingTimeout: number; sleepSecond: number };
}

export interface CommandResult {
  out: string;
  code: number;
  /** virtual time after the command */
  t: number;
}
