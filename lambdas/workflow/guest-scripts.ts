// The programs run in a clone through Guest Operations. One script per clone refreshes the network (a frozen
// clone still has the source's NIC state and must pick up its new MAC and lease) and writes the guest's own view
// of its addresses to an output file, which the Lambda reads back by file transfer. StartProgramInGuest returns
// no stdout, hence the file.
import type { StaticIp } from './naming.js';

export type GuestOs = 'linux' | 'windows';

export interface GuestProgram {
  programPath: string;
  arguments: string;
}

export interface RefreshOptions {
  os: GuestOs;
  /** The clone's MAC (from config.hardware.device): Linux finds its interface by it, both OSes report on it. */
  mac: string;
  /** Windows adapter name for netsh (default `Ethernet0`); Linux ignores it and finds the interface by MAC. */
  nicName?: string;
  /** Per-source replacement for the built-in DHCP refresh. */
  refreshCommand?: string;
  /** Per-source replacement for the built-in static-IP refresh. */
  staticRefreshCommand?: string;
  staticIp: StaticIp | null;
  outputPath: string;
}

const SH = '/bin/sh';
const CMD = 'C:\\Windows\\System32\\cmd.exe';
export const DEFAULT_WINDOWS_NIC = 'Ethernet0';
/** The Linux script's exit code when no interface carries the clone's MAC. */
export const EXIT_NO_INTERFACE_WITH_MAC = 97;
/** The name of the NetworkManager profile / networkd file the static script writes. */
export const STATIC_PROFILE = 'ic-static';

/** Single-quotes a value for sh (`'` becomes `'\''`). */
export function shQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

export function outputPathFor(os: GuestOs, cloneName: string): string {
  return os === 'windows'
    ? `C:\\Windows\\Temp\\ic-refresh-${cloneName}.txt`
    : `/tmp/ic-refresh-${cloneName}.txt`;
}

function prefixToMask(prefix: number): string {
  const bits = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 0xff).join('.');
}

// The script body avoids single quotes so it can travel inside sh -c '…' unchanged.

const NM_RUNNING =
  'command -v nmcli >/dev/null 2>&1 && nmcli -t -f RUNNING general 2>/dev/null | grep -q running';
const NETWORKD_RUNNING = 'command -v networkctl >/dev/null 2>&1 && networkctl status >/dev/null 2>&1';
const RELOAD_DRIVER = 'modprobe -r vmxnet3 && modprobe vmxnet3';

/** $NIC := the interface carrying the clone's MAC (after a driver reload the guest shows the new MAC). */
const FIND_NIC = [
  'udevadm settle >/dev/null 2>&1 || sleep 1',
  'NIC=$(ip -o link | grep -i "link/ether $MAC " | cut -d: -f2 | tr -d " ")',
];
const REQUIRE_NIC = [
  'if [ -z "$NIC" ]; then',
  `  echo "no interface has MAC $MAC" > "$OUT"; exit ${EXIT_NO_INTERFACE_WITH_MAC}`,
  'fi',
];

/**
 * guestinfo.ic.hostname becomes the host name before anything renews DHCP (the driver reload already makes
 * NetworkManager and systemd-networkd ask), so the lease and DNS registration carry the clone's own name.
 */
const APPLY_HOSTNAME = [
  'IC_HOST=$(vmtoolsd --cmd "info-get guestinfo.ic.hostname" 2>/dev/null)',
  'if [ -n "$IC_HOST" ]; then',
  '  hostnamectl set-hostname "$IC_HOST" 2>/dev/null || hostname "$IC_HOST"',
  'fi',
];

function linuxDhcp(): string[] {
  return [
    RELOAD_DRIVER,
    ...FIND_NIC,
    ...REQUIRE_NIC,
    `if ${NM_RUNNING}; then`,
    '  nmcli device reapply "$NIC" || nmcli device connect "$NIC"',
    `elif ${NETWORKD_RUNNING}; then`,
    '  networkctl reconfigure "$NIC"; networkctl renew "$NIC"',
    'elif command -v dhclient >/dev/null 2>&1; then',
    '  dhclient -r "$NIC"; dhclient -1 "$NIC"',
    'fi',
  ];
}

function staticVars(ip: StaticIp): string[] {
  return [
    `IC_IP=${ip.address}`,
    `IC_PREFIX=${ip.prefixLength}`,
    `IC_GATEWAY=${ip.gateway}`,
    `IC_DNS="${ip.dns.join(' ')}"`,
  ];
}

/**
 * The static address is handed to whatever manages the NIC *before* the driver reload, so that when the NIC
 * reappears its manager applies the address instead of starting DHCP (a lease started by the reload would
 * otherwise land after the static address: see local/simulator/README.md "Guest profiles").
 */
function linuxStatic(ip: StaticIp): string[] {
  return [
    ...staticVars(ip),
    `if ${NM_RUNNING}; then`,
    `  nmcli connection delete ${STATIC_PROFILE} >/dev/null 2>&1`,
    `  nmcli connection add type ethernet con-name ${STATIC_PROFILE} ifname "*" 802-3-ethernet.mac-address "$MAC" connection.autoconnect-priority 999 ipv4.method manual ipv4.addresses "$IC_IP/$IC_PREFIX" ipv4.gateway "$IC_GATEWAY" ipv4.dns "$IC_DNS" ipv6.method ignore || exit 4`,
    `  ${RELOAD_DRIVER}`,
    ...FIND_NIC.map((l) => `  ${l}`),
    ...REQUIRE_NIC.map((l) => `  ${l}`),
    `  nmcli connection up ${STATIC_PROFILE} ifname "$NIC" || exit 4`,
    `elif ${NETWORKD_RUNNING}; then`,
    '  mkdir -p /run/systemd/network',
    `  printf "[Match]\\nMACAddress=%s\\n\\n[Network]\\nAddress=%s/%s\\nGateway=%s\\nDNS=%s\\nDHCP=no\\n" "$MAC" "$IC_IP" "$IC_PREFIX" "$IC_GATEWAY" "$IC_DNS" > /run/systemd/network/00-${STATIC_PROFILE}.network`,
    '  networkctl reload',
    `  ${RELOAD_DRIVER}`,
    ...FIND_NIC.map((l) => `  ${l}`),
    ...REQUIRE_NIC.map((l) => `  ${l}`),
    '  networkctl reconfigure "$NIC"',
    'else',
    `  ${RELOAD_DRIVER}`,
    ...FIND_NIC.map((l) => `  ${l}`),
    ...REQUIRE_NIC.map((l) => `  ${l}`),
    // ifupdown's hotplug may have started dhclient for the reappeared NIC: stop it before it leases
    '  dhclient -x "$NIC" >/dev/null 2>&1 || true',
    '  ip addr flush dev "$NIC"',
    '  ip link set dev "$NIC" up',
    '  ip addr add "$IC_IP/$IC_PREFIX" dev "$NIC"',
    '  ip route replace default via "$IC_GATEWAY" dev "$NIC"',
    'fi',
  ];
}

function linuxRefresh(o: RefreshOptions): GuestProgram {
  const lines = [
    `MAC=${o.mac.toLowerCase()}`,
    `OUT="${o.outputPath}"`,
    'rm -f "$OUT"',
    'hwclock --hctosys >/dev/null 2>&1 || true',
    ...APPLY_HOSTNAME,
  ];
  const custom = o.staticIp ? o.staticRefreshCommand : o.refreshCommand;
  if (custom) {
    // $MAC always; $NIC when the guest already shows the clone's MAC; looked up again afterwards
    lines.push(
      ...FIND_NIC,
      ...(o.staticIp ? staticVars(o.staticIp) : []),
      custom,
      ...FIND_NIC,
      ...REQUIRE_NIC,
    );
  } else lines.push(...(o.staticIp ? linuxStatic(o.staticIp) : linuxDhcp()));
  lines.push(
    // Wait (bounded, 60 s) for an address so the report below has one; the Lambda falls back to guest.net anyway.
    // Looks ten times a second: each gap between looks is lag before the workflow can see the lease.
    'i=0; while [ "$i" -lt 600 ]; do ip -4 -o addr show dev "$NIC" scope global | grep -q inet && break; i=$((i+1)); sleep 0.1; done',
    // Tools send guest.net on their 30 s poll; this sends it now (see WINDOWS_TOOLS_UPDATE_NETWORK)
    'vmware-toolbox-cmd info update network >/dev/null 2>&1 || true',
    'ip -4 -o addr show dev "$NIC" scope global > "$OUT"',
    'exit 0',
  );
  return { programPath: SH, arguments: `-c ${shQuote(lines.join('\n'))}` };
}

/**
 * Tools send guest.net to vCenter on their 30 s guest-info poll; this sends it now (VMware Tools ≥ 10.1; on
 * Windows the toolbox is VMwareToolboxCmd.exe in Tools' default folder), so that vCenter shows the refreshed
 * address when the script ends: WaitForIp's static check and its fallback wait on guest.net.
 */
const WINDOWS_TOOLS_UPDATE_NETWORK =
  '"C:\\Program Files\\VMware\\VMware Tools\\VMwareToolboxCmd.exe" info update network > NUL 2>&1';

function windowsRefresh(o: RefreshOptions): GuestProgram {
  const nic = o.nicName ?? DEFAULT_WINDOWS_NIC;
  const steps: string[] = [];
  const custom = o.staticIp ? o.staticRefreshCommand : o.refreshCommand;
  // disable/enable makes the adapter read the clone's MAC
  const restartAdapter = [
    `netsh interface set interface name="${nic}" admin=disabled || exit /b 1`,
    'ping -n 3 127.0.0.1 > NUL',
    `netsh interface set interface name="${nic}" admin=enabled || exit /b 1`,
  ];
  if (custom) {
    steps.push(`${custom} || exit /b 1`);
  } else if (o.staticIp) {
    const ip = o.staticIp;
    // Static first: it turns DHCP off for the adapter, so enabling it afterwards starts no DHCP exchange.
    steps.push(
      `netsh interface ipv4 set address name="${nic}" static ${ip.address} ${prefixToMask(ip.prefixLength)} ${ip.gateway} || exit /b 1`,
      ...ip.dns.map((d, i) =>
        i === 0
          ? `netsh interface ipv4 set dnsservers name="${nic}" static ${d} primary validate=no`
          : `netsh interface ipv4 add dnsservers name="${nic}" ${d} index=${i + 1} validate=no`,
      ),
      ...restartAdapter,
      'ping -n 4 127.0.0.1 > NUL',
    );
  } else {
    steps.push(...restartAdapter, `ipconfig /renew "${nic}" > NUL`);
  }
  steps.push(WINDOWS_TOOLS_UPDATE_NETWORK, `ipconfig /all > "${o.outputPath}"`, 'exit /b 0');
  return { programPath: CMD, arguments: `/c "${steps.join(' & ')}"` };
}

/** The network refresh + report program for a clone. */
export function refreshProgram(o: RefreshOptions): GuestProgram {
  return o.os === 'windows' ? windowsRefresh(o) : linuxRefresh(o);
}

/** The request's smoke command, run by the guest's shell. */
export function smokeProgram(os: GuestOs, command: string): GuestProgram {
  return os === 'windows'
    ? { programPath: CMD, arguments: `/c "${command}"` }
    : { programPath: SH, arguments: `-c ${shQuote(command)}` };
}

const macKey = (mac: string) => mac.toLowerCase().replaceAll('-', ':');

/**
 * IPv4 addresses in the report file that sit on the clone's NIC, in order. Linux: `ip -4 -o addr` lines of the
 * interface the script found by MAC. Windows: `ipconfig /all`, the adapter section whose Physical Address is
 * the clone's MAC (a report without Physical Addresses, e.g. from a custom command: the named adapter's).
 */
export function addressesInReport(text: string, os: GuestOs, mac: string, nicName?: string): string[] {
  if (os === 'linux') {
    return [...text.matchAll(/\binet (\d+\.\d+\.\d+\.\d+)\/\d+/g)].map((m) => m[1] as string);
  }
  const sections = text.split(/\r?\n(?=\S)/);
  const physical = (s: string) => /Physical Address[ .]*: *([0-9A-Fa-f-]{17})/.exec(s)?.[1];
  const nic = (nicName ?? DEFAULT_WINDOWS_NIC).toLowerCase();
  const mine = sections.some((s) => physical(s))
    ? sections.filter((s) => macKey(physical(s) ?? '') === macKey(mac))
    : sections.filter((s) => s.toLowerCase().includes(`adapter ${nic}:`));
  return mine.flatMap((s) =>
    [...s.matchAll(/IPv4 Address[ .]*: *(\d+\.\d+\.\d+\.\d+)/g)].map((m) => m[1] as string),
  );
}
