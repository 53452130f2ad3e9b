// Public types of the vCenter simulator (contract: docs/adr/0001-module-contracts.md).
import type { GuestProfileName } from './guest-profile.js';

export type { GuestProfileName } from './guest-profile.js';
export type SourceKey = 'linux' | 'linux2' | 'windows' | 'notFrozen' | 'poweredOff';

export type DhcpMode = 'up' | 'down' | 'linkLocal';

export interface FaultRule {
  method: string;
  fault: string;
  count?: number;
  probability?: number;
  message?: string;
}

export interface SimulatorOptions {
  /** 0 = any free port (default) */
  port?: number;
  /** default true, self-signed, 127.0.0.1 */
  https?: boolean;
  /** multiplies every modelled latency; default 1 */
  timeScale?: number;
  /** default '7.0.3' */
  vcenterVersion?: string;
  /** default '7.0.3' */
  hostVersion?: string;
  /** after a clone; default 2000 (scaled) */
  guestOpsUnavailableMs?: number;
  faults?: FaultRule[];
  /** the guest OS profile per source (README "Guest profiles"); clones inherit their source's */
  guestProfiles?: Partial<Record<SourceKey, GuestProfileName>>;
  /** a session idle this long (simulated ms, × timeScale) is gone; default vCenter's 30 minutes */
  sessionIdleTimeoutMs?: number;
  /**
   * memory of esxi-01 and esxi-02, in that order (README "Hosts and memory"); default 1.5 TiB each, 4096 MB
   * used by the hypervisor itself
   */
  hosts?: { memoryMB?: number; baseUsageMB?: number }[];
  /** the share of its source's memoryMB an instant clone holds on the host; default 0.25 */
  instantCloneMemoryFraction?: number;
  /**
   * how often Tools in each guest gather guest.net, guest.ipAddress and guest.hostName (simulated ms,
   * × timeScale); default open-vm-tools' 30 s; 0 = no poll (only `vmware-toolbox-cmd info update network`)
   */
  guestInfoPollIntervalMs?: number;
  /**
   * VMware Tools' version per source (default 12.3.0); clones inherit their source's. Below 10.1
   * `vmware-toolbox-cmd info update network` does not exist (exit 64), so guest.net waits for the poll.
   */
  toolsVersions?: Partial<Record<SourceKey, string>>;
}

export interface MoRefLike {
  type: string;
  value: string;
}

export interface SimVm {
  moref: MoRefLike;
  name: string;
  host: string;
  powerState: string;
  frozen: boolean;
  isClone: boolean;
  extraConfig: Record<string, string>;
  mac: string;
  /** what the guest OS holds now: vCenter's guest.net shows it only once Tools have gathered it */
  ip?: string;
  /** every IPv4 the guest holds on the vNIC (a static address and a DHCP lease can sit side by side) */
  ips: string[];
  /** the guest OS's host name now (guest.hostName follows at Tools' next poll) */
  hostName: string;
}

export interface GuestCredentials {
  username: string;
  password: string;
}

/** A host's memory as vCenter reports it (`hardware.memorySize`, `summary.quickStats.overallMemoryUsage`). */
export interface SimHost {
  moref: MoRefLike;
  name: string;
  memoryMB: number;
  usedMB: number;
}

export interface SimStats {
  calls: Record<string, number>;
  maxConcurrent: Record<string, number>;
  /** the most operations of each kind that ran at once (operation-kinds.ts), for the vCenter-wide throttle */
  maxConcurrentByKind: Record<'clone' | 'reconfigure' | 'guest' | 'teardown', number>;
  leases: { vm: string; ip: string; at: number; hostname?: string }[];
  /** property filters that exist now, over all sessions (a client that forgets DestroyPropertyFilter shows here) */
  openFilters: number;
}

export interface RunningSimulator {
  url: string;
  username: string;
  password: string;
  /** inventory paths */
  sources: { linux: string; linux2: string; windows: string; notFrozen: string; poweredOff: string };
  guest: { linux: GuestCredentials; windows: GuestCredentials };
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  expireSessions(): void;
  setDhcp(mode: DhcpMode): void;
  /** switches a source's guest profile; clones made from then on inherit it */
  setGuestProfile(source: SourceKey, profile: GuestProfileName): void;
  inventory(): SimVm[];
  clones(): SimVm[];
  /** each host's memory and current usage */
  hosts(): SimHost[];
  /** a VM as if made by someone else (a leaked clone, a name taken), in `folder` (default `clones`) */
  plantVm(vm: {
    name: string;
    extraConfig?: Record<string, string>;
    powerState?: string;
    folder?: string;
  }): SimVm;
  stats(): SimStats;
  stop(): Promise<void>;
}
