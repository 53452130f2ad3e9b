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
  /** Interface name; Windows default `Ethernet0`, Linux default: the first non-loopback interface. */
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
function linuxDhcp(): string[] {
  return [
    'modprobe -r vmxnet3 && modprobe vmxnet3',
    'sleep 1',
    'if command -v nmcli >/dev/null 2>&1 && nmcli -t -f RUNNING general 2>/dev/null | grep -q running; then',
    '  nmcli device reapply "$NIC" || nmcli device connect "$NIC"',
    'elif command -v networkctl >/dev/null 2>&1 && networkctl status >/dev/null 2>&1; then',
    '  networkctl reconfigure "$NIC"; networkctl renew "$NIC"',
    'elif command -v dhclient >/dev/null 2>&1; then',
    '  dhclient -r "$NIC"; dhclient -1 "$NIC"',
    'fi',
  ];
}

function linuxStatic(ip: StaticIp): string[] {
  return [
    `IC_IP=${ip.address}`,
    `IC_PREFIX=${ip.prefixLength}`,
    `IC_GATEWAY=${ip.gateway}`,
    `IC_DNS="${ip.dns.join(' ')}"`,
    'modprobe -r vmxnet3 && modprobe vmxnet3',
    'ip link set dev "$NIC" up',
    'ip addr flush dev "$NIC"',
    'ip addr add "$IC_IP/$IC_PREFIX" dev "$NIC"',
    'ip route replace default via "$IC_GATEWAY" dev "$NIC"',
  ];
}

function linuxRefresh(o: RefreshOptions): GuestProgram {
  const lines = [
    o.nicName ? `NIC=${o.nicName}` : 'NIC=$(ls /sys/class/net | grep -v "^lo$" | head -n 1)',
    `OUT="${o.outputPath}"`,
    'rm -f "$OUT"',
    'hwclock --hctosys >/dev/null 2>&1 || true',
  ];
  const custom = o.staticIp ? o.staticRefreshCommand : o.refreshCommand;
  if (o.staticIp && !custom) lines.push(...linuxStatic(o.staticIp));
  else if (o.staticIp) lines.push(...linuxStatic(o.staticIp).slice(0, 4), custom as string);
  else lines.push(...(custom ? [custom] : linuxDhcp()));
  lines.push(
    // Wait (bounded) for an address so the report below has one; the Lambda falls back to guest.net anyway.
    'i=0; while [ "$i" -lt 60 ]; do ip -4 -o addr show dev "$NIC" scope global | grep -q inet && break; i=$((i+1)); sleep 1; done',
    'vmware-toolbox-cmd info update network >/dev/null 2>&1 || true',
    'ip -4 -o addr show dev "$NIC" scope global > "$OUT"',
    'exit 0',
  );
  return { programPath: SH, arguments: `-c ${shQuote(lines.join('\n'))}` };
}

function windowsRefresh(o: RefreshOptions): GuestProgram {
  const nic = o.nicName ?? DEFAULT_WINDOWS_NIC;
  const steps: string[] = [];
  const custom = o.staticIp ? o.staticRefreshCommand : o.refreshCommand;
  if (custom) {
    steps.push(`${custom} || exit /b 1`);
  } else {
    steps.push(
      `netsh interface set interface name="${nic}" admin=disabled || exit /b 1`,
      'ping -n 3 127.0.0.1 > NUL',
      `netsh interface set interface name="${nic}" admin=enabled || exit /b 1`,
    );
    if (o.staticIp) {
      const ip = o.staticIp;
      steps.push(
        `netsh interface ipv4 set address name="${nic}" static ${ip.address} ${prefixToMask(ip.prefixLength)} ${ip.gateway} || exit /b 1`,
        ...ip.dns.map((d, i) =>
          i === 0
            ? `netsh interface ipv4 set dnsservers name="${nic}" static ${d} primary validate=no`
            : `netsh interface ipv4 add dnsservers name="${nic}" ${d} index=${i + 1} validate=no`,
        ),
      );
    } else {
      steps.push(`ipconfig /renew "${nic}" > NUL`);
    }
  }
  steps.push(`ipconfig > "${o.outputPath}"`, 'exit /b 0');
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

/**
 * IPv4 addresses in the report file, best first: `ip -4 -o addr` lines on Linux, `ipconfig` on Windows
 * (the named adapter's section first).
 */
export function addressesInReport(text: string, os: GuestOs, nicName?: string): string[] {
  if (os === 'linux') {
    return [...text.matchAll(/\binet (\d+\.\d+\.\d+\.\d+)\/\d+/g)].map((m) => m[1] as string);
  }
  const nic = (nicName ?? DEFAULT_WINDOWS_NIC).toLowerCase();
  const sections = text.split(/\r?\n(?=\S)/);
  const ordered = [
    ...sections.filter((s) => s.toLowerCase().includes(`adapter ${nic}:`)),
    ...sections.filter((s) => !s.toLowerCase().includes(`adapter ${nic}:`)),
  ];
  return ordered.flatMap((s) =>
    [...s.matchAll(/IPv4 Address[ .]*: *(\d+\.\d+\.\d+\.\d+)/g)].map((m) => m[1] as string),
  );
}
