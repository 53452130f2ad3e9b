// What a simulated guest OS has: its network manager (what reacts when the NIC driver is reloaded), the renew
// tools installed, and interfaces besides the vNIC. A clone inherits its source's profile (it resumes from the
// source's memory). See README.md "Guest profiles" for where each behaviour comes from.

export type NetworkManagerKind = 'NetworkManager' | 'systemd-networkd' | 'ifupdown' | 'windows' | 'none';

export interface GuestInterface {
  name: string;
  mac: string;
  ip: string;
  prefix: number;
}

export interface GuestProfile {
  name: GuestProfileName;
  /** the service that configures the vNIC when it (re)appears */
  manager: NetworkManagerKind;
  /** renew tools on the PATH (`command -v` finds them; calling a missing one exits 127) */
  tools: readonly ('nmcli' | 'networkctl' | 'dhclient')[];
  /** interfaces other than lo and the vNIC, e.g. Docker's bridges */
  interfaces: readonly GuestInterface[];
}

const DOCKER_BRIDGES: GuestInterface[] = [
  { name: 'br-4f1c2a9e7b30', mac: '02:42:5c:1a:7e:02', ip: '172.18.0.1', prefix: 16 },
  { name: 'docker0', mac: '02:42:9d:3b:11:01', ip: '172.17.0.1', prefix: 16 },
];

export const GUEST_PROFILES = {
  /** Ubuntu Server 22.04: netplan → systemd-networkd, isc-dhcp-client still installed. */
  'ubuntu-networkd': { manager: 'systemd-networkd', tools: ['networkctl', 'dhclient'], interfaces: [] },
  /** RHEL / Rocky 9: NetworkManager with its internal DHCP client, no dhclient. */
  'rhel-networkmanager': { manager: 'NetworkManager', tools: ['nmcli'], interfaces: [] },
  /** Debian with ifupdown (`allow-hotplug ens192`, `iface ens192 inet dhcp`) and dhclient. */
  'debian-ifupdown': { manager: 'ifupdown', tools: ['dhclient'], interfaces: [] },
  /** A CI runner image: Ubuntu 22.04 with Docker (docker0 and a user-defined bridge, br-*). */
  'ubuntu-docker-ci': {
    manager: 'systemd-networkd',
    tools: ['networkctl', 'dhclient'],
    interfaces: DOCKER_BRIDGES,
  },
  /** Windows Server 2019: the DHCP client service, one adapter `Ethernet0`. */
  'windows-server': { manager: 'windows', tools: [], interfaces: [] },
} as const satisfies Record<string, Omit<GuestProfile, 'name'>>;

export type GuestProfileName = keyof typeof GUEST_PROFILES;

export function guestProfile(name: GuestProfileName): GuestProfile {
  const p = GUEST_PROFILES[name];
  if (!p)
    throw new Error(
      `unknown guest profile ${String(name)} (known: ${Object.keys(GUEST_PROFILES).join(', ')})`,
    );
  return { name, ...p };
}

/** Tools in every guest unless SimulatorOptions.toolsVersions says otherwise (has `info update network`). */
export const DEFAULT_TOOLS_VERSION = '12.3.0';

/**
 * `vmware-toolbox-cmd info update network` came with VMware Tools 10.1.0 (chef/kitchen-vcenter
 * `lib/kitchen/driver/vcenter.rb`: "Available from VMware Tools 10.1.0"); older toolboxes know no `info`.
 */
export function hasInfoUpdateNetwork(toolsVersion: string): boolean {
  const [major = 0, minor = 0] = toolsVersion.split('.').map(Number);
  return major > 10 || (major === 10 && minor >= 1);
}

/** Sources without a profile in SimulatorOptions.guestProfiles get these. */
export const DEFAULT_GUEST_PROFILES: Record<'linux' | 'linux2' | 'windows', GuestProfileName> = {
  linux: 'ubuntu-networkd',
  linux2: 'rhel-networkmanager',
  windows: 'windows-server',
};

/** open-vm-tools' default `exclude-nics` on Linux: these interfaces never appear in guest.net. */
const TOOLS_EXCLUDED = /^(docker|veth|virbr)/;

export function reportedByTools(iface: GuestInterface): boolean {
  return !TOOLS_EXCLUDED.test(iface.name);
}
