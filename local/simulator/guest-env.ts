// What the simulated guest shell can see and do. Times are absolute ms (Date.now() scale); the shell
// runs a whole script up front on a virtual clock and the environment schedules the effects.
import type { GuestInterface, GuestProfile } from './guest-profile.js';
import type { GuestAddress, GuestOs } from './vm.js';

export interface GuestLink {
  name: string;
  mac: string;
  addrs: GuestAddress[];
  kind: 'loopback' | 'vnic' | 'bridge';
}

export interface GuestEnv {
  os: GuestOs;
  /** the vNIC's interface name (ens192, Ethernet0) */
  nicName: string;
  profile: GuestProfile;
  hostnameAt(t: number): string;
  setHostname(t: number, name: string): void;
  /** every interface at virtual time t: lo, the profile's bridges, the vNIC */
  linksAt(t: number): GuestLink[];
  /** the vNIC's first IPv4 at virtual time t (undefined = none) */
  ipAt(t: number): { ip: string; prefix: number } | undefined;
  /**
   * The NIC driver is loaded again (modprobe vmxnet3): the vNIC reappears with the hardware's MAC and no
   * address, and the profile's network manager configures it (DHCP, or a static profile it has for the MAC).
   */
  driverReload(t: number): void;
  /**
   * A DHCP renew at time t. Returns when a usable lease arrives, or undefined if none will (NIC disconnected,
   * DHCP down or link-local only). `exclusive`: the client replaces every address on the interface.
   */
  refresh(t: number, exclusive?: boolean): number | undefined;
  /** when the lease of an earlier refresh lands, if one is pending */
  pendingLease(): number | undefined;
  /** the DHCP client stops: a pending lease never lands; `release` also drops the leased address */
  stopDhcp(t: number, release: boolean): void;
  addAddress(t: number, ip: string, prefix: number): void;
  flush(t: number): void;
  /** Windows `netsh … static`: DHCP off for the adapter, this address replaces the others (persistent) */
  setStatic(t: number, ip: string, prefix: number): void;
  /** Windows adapter enable: the driver starts again, then DHCP or the persistent static address */
  adapterEnable(t: number): void;
  /** NetworkManager connection profiles with a static address, by name */
  nmProfiles: Map<string, { mac?: string; ip: string; prefix: number }>;
  /** activate a static NetworkManager profile on the vNIC; false when there is no such profile */
  nmUp(t: number, name: string): boolean;
  /** systemd-networkd applies its .network files (reconfigure): a static file for the MAC wins over DHCP */
  networkdReconfigure(t: number): void;
  /** `vmware-toolbox-cmd info update network`: Tools send the vNIC's state at t now, not at their next poll */
  gatherNetwork(t: number): void;
  /** VMware Tools' version in the guest */
  toolsVersion: string;
  guestinfo(key: string): string | undefined;
  readFile(path: string): string | undefined;
  /** paths of the guest's files (for globs and grep -l) */
  listFiles(): string[];
  writeFile(t: number, path: string, content: string, append: boolean): void;
  /** scaled durations */
  ms: { command: number; blockingTimeout: number; sleepSecond: number };
}

export type { GuestInterface };

export interface CommandResult {
  out: string;
  code: number;
  /** virtual time after the command */
  t: number;
}
