// The commands the simulated guest recognises (see README.md in this folder). Anything else: 127 / 1.
import type { CommandResult, GuestEnv } from './guest-env.js';
import { hasInfoUpdateNetwork } from './guest-profile.js';

const base = (w: string) => (w.split(/[\\/]/).pop() ?? w).toLowerCase().replace(/\.exe$/, '');

const NOOP = new Set(
  'true : sleep echo printf grep egrep awk cut sed tr head tail [[ export set local logger rm mkdir touch chmod sync udevadm systemctl service timeout ping seq wait read hwclock rem cls exit-noop start-sleep write-host write-output out-null'.split(
    ' ',
  ),
);

const brd = (ip: string, prefix: number) => {
  const n = ip.split('.').reduce((a, o) => (a << 8) + Number(o), 0) >>> 0;
  const host = prefix >= 32 ? 0 : 0xffffffff >>> prefix;
  const b = (n | host) >>> 0;
  return [24, 16, 8, 0].map((s) => (b >>> s) & 0xff).join('.');
};

/** `ip -4 -o addr show [dev X] [scope global]` lines (iproute2's one-line format, `\` for the line break). */
function addrLines(env: GuestEnv, t: number, dev?: string, globalOnly = false): string[] {
  return env
    .linksAt(t)
    .map((l, i) => ({ l, index: i + 1 }))
    .filter(({ l }) => (dev === undefined || l.name === dev) && !(globalOnly && l.kind === 'loopback'))
    .flatMap(({ l, index }) =>
      l.addrs.map((a) =>
        l.kind === 'loopback'
          ? `${index}: lo    inet ${a.ip}/${a.prefix} scope host lo\\       valid_lft forever preferred_lft forever`
          : `${index}: ${l.name}    inet ${a.ip}/${a.prefix} brd ${brd(a.ip, a.prefix)} scope global${a.origin === 'dhcp' ? ' dynamic' : ''} ${l.name}\\       valid_lft ${a.origin === 'dhcp' ? '86400sec' : 'forever'} preferred_lft ${a.origin === 'dhcp' ? '86400sec' : 'forever'}`,
      ),
    );
}

/** `ip -o link [show [dev] X]` lines. */
function linkLines(env: GuestEnv, t: number, dev?: string): string[] {
  return env
    .linksAt(t)
    .map((l, i) => ({ l, index: i + 1 }))
    .filter(({ l }) => dev === undefined || l.name === dev)
    .map(({ l, index }) =>
      l.kind === 'loopback'
        ? `${index}: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00`
        : `${index}: ${l.name}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP mode DEFAULT group default qlen 1000\\    link/ether ${l.mac} brd ff:ff:ff:ff:ff:ff`,
    );
}

function ipconfigText(env: GuestEnv, t: number, all: boolean): string {
  const vnic = env.linksAt(t).find((l) => l.kind === 'vnic');
  const addrs = vnic?.addrs ?? [];
  const dhcp = addrs.some((a) => a.origin === 'dhcp');
  return [
    '',
    'Windows IP Configuration',
    '',
    ...(all ? [`   Host Name . . . . . . . . . . . . : ${env.hostnameAt(t)}`, ''] : ['']),
    `Ethernet adapter ${env.nicName}:`,
    '',
    '   Connection-specific DNS Suffix  . : sim.local',
    ...(all
      ? [
          '   Description . . . . . . . . . . . : vmxnet3 Ethernet Adapter',
          `   Physical Address. . . . . . . . . : ${(vnic?.mac ?? '').toUpperCase().replaceAll(':', '-')}`,
          `   DHCP Enabled. . . . . . . . . . . : ${dhcp || addrs.length === 0 ? 'Yes' : 'No'}`,
        ]
      : []),
    ...(addrs.length
      ? [
          ...addrs.flatMap((a) => [
            `   IPv4 Address. . . . . . . . . . . : ${a.ip}${all ? '(Preferred)' : ''}`,
            `   Subnet Mask . . . . . . . . . . . : ${prefixToMask(a.prefix)}`,
          ]),
          `   Default Gateway . . . . . . . . . : ${(addrs[0]?.ip ?? '').replace(/\.\d+$/, '.1')}`,
        ]
      : ['   Media State . . . . . . . . . . . : Media disconnected']),
    '',
  ].join('\r\n');
}

const prefixToMask = (p: number) =>
  [0, 1, 2, 3].map((i) => (0xff << (8 - Math.max(0, Math.min(8, p - i * 8)))) & 0xff).join('.');
const maskToPrefix = (m: string) =>
  m.split('.').reduce((n, o) => n + (Number(o) >>> 0).toString(2).replace(/0/g, '').length, 0);

/** Base tools every simulated Linux guest has on its PATH (besides the profile's renew tools). */
const LINUX_TOOLS = new Set(
  'sh bash ip modprobe hostname hostnamectl grep cut tr head cat echo printf sleep true false test [ mkdir rm ls udevadm systemctl hwclock vmtoolsd vmware-rpctool vmware-toolbox-cmd awk sed timeout'.split(
    ' ',
  ),
);

function onPath(env: GuestEnv, tool: string): boolean {
  if (env.os === 'windows') return true;
  return LINUX_TOOLS.has(tool) || (env.profile.tools as readonly string[]).includes(tool);
}

/** `[ … ]` / `test …`: string and integer comparisons, -n, -z, -e/-f on the guest's files. */
function testExpr(env: GuestEnv, args: string[]): boolean {
  const a = args.at(-1) === ']' ? args.slice(0, -1) : args;
  if (a[0] === '!') return !testExpr(env, a.slice(1));
  if (a.length === 1) return (a[0] ?? '') !== '';
  if (a.length === 2) {
    const [op, v = ''] = a;
    if (op === '-n') return v !== '';
    if (op === '-z') return v === '';
    if (op === '-e' || op === '-f') return env.readFile(v) !== undefined;
    return false;
  }
  const [x = '', op, y = ''] = a;
  const num = {
    '-eq': (p: number, q: number) => p === q,
    '-ne': (p: number, q: number) => p !== q,
    '-lt': (p: number, q: number) => p < q,
    '-le': (p: number, q: number) => p <= q,
    '-gt': (p: number, q: number) => p > q,
    '-ge': (p: number, q: number) => p >= q,
  } as Record<string, (p: number, q: number) => boolean>;
  if (op === '=' || op === '==') return x === y;
  if (op === '!=') return x !== y;
  const f = num[op ?? ''];
  return f ? f(Number(x), Number(y)) : false;
}

/** printf FORMAT ARGS…: %s and %d, \n and \t; the format is reused while arguments remain. */
function printf(args: string[]): string {
  const [fmt = '', ...rest] = args;
  const unescaped = fmt.replace(/\\n/g, '\n').replace(/\\t/g, '\t');
  let out = '';
  let i = 0;
  do {
    out += unescaped.replace(/%[sd]/g, () => rest[i++] ?? '');
  } while (i < rest.length && /%[sd]/.test(fmt));
  return out;
}

/** `nmcli connection add … con-name N … [802-3-ethernet.mac-address M] ipv4.method manual ipv4.addresses A/P` */
function nmcliAdd(env: GuestEnv, args: string[]): CommandResult['code'] {
  const opt = (k: string) => {
    const i = args.findIndex((x) => x.toLowerCase() === k);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const name = opt('con-name');
  const addr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(opt('ipv4.addresses') ?? '');
  if (!name) return 2;
  if (opt('ipv4.method') === 'manual' && addr?.[1]) {
    env.nmProfiles.set(name, {
      mac: opt('802-3-ethernet.mac-address') ?? opt('ethernet.mac-address'),
      ip: addr[1],
      prefix: Number(addr[2]),
    });
  }
  return 0;
}

/** Runs one simple command (already split into words, quotes removed). */
export function runCommand(env: GuestEnv, words: string[], t0: number): CommandResult {
  const win = env.os === 'windows';
  const [head = '', ...args] = words;
  const cmd = base(head);
  const a = args.map((x) => x.toLowerCase());
  const line = a.join(' ');
  let t = t0 + env.ms.command;
  const ok = (out = '', code = 0): CommandResult => ({ out, code, t });
  const notFound = () =>
    win
      ? ok(`'${head}' is not recognized as an internal or external command,\r\n`, 1)
      : ok(`sh: 1: ${head}: not found\n`, 127);
  const blockUntilLease = (failCode: number, exclusive = false): CommandResult => {
    const lease = env.refresh(t, exclusive);
    if (lease === undefined) return { out: '', code: failCode, t: t + env.ms.blockingTimeout };
    t = Math.max(t, lease);
    return ok();
  };

  if (!win && !onPath(env, cmd) && !NOOP.has(cmd) && cmd !== 'exit' && cmd !== 'command' && cmd !== 'which')
    return notFound();
  if (cmd === 'exit') return { out: '', code: Number(args[0] ?? 0) || 0, t };
  if (cmd === 'sleep' || cmd === 'start-sleep') {
    const n = Number(args.find((x) => /^\d+(\.\d+)?$/.test(x)) ?? 1);
    return { out: '', code: 0, t: t + n * env.ms.sleepSecond };
  }
  if (cmd === 'timeout' && win) {
    const n = Number(args[args.indexOf('/t') + 1] ?? 1);
    return { out: '', code: 0, t: t + n * env.ms.sleepSecond };
  }
  if (cmd === 'echo' || cmd === 'write-output' || cmd === 'write-host') return ok(`${args.join(' ')}\n`);
  if (cmd === 'printf') return ok(printf(args));
  if (cmd === 'false') return ok('', 1);
  if (cmd === 'test' || cmd === '[') return ok('', testExpr(env, args) ? 0 : 1);
  if (cmd === 'hostname') {
    if (a[0] === '-i' || a[0] === '-I')
      return ok(
        `${env
          .linksAt(t)
          .filter((l) => l.kind !== 'loopback')
          .flatMap((l) => l.addrs.map((x) => x.ip))
          .join(' ')} \n`,
      );
    if (args[0] && !args[0].startsWith('-')) {
      env.setHostname(t, args[0]);
      return ok();
    }
    return ok(`${env.hostnameAt(t)}\n`);
  }
  if (cmd === 'hostnamectl') {
    const i = a.indexOf('set-hostname');
    if (i >= 0 && args[i + 1]) {
      env.setHostname(t, args[i + 1] as string);
      return ok();
    }
    return ok(`   Static hostname: ${env.hostnameAt(t)}\n`);
  }
  if (cmd === 'cat' || cmd === 'type') {
    const c = env.readFile(args[0] ?? '');
    return c === undefined ? ok('', 1) : ok(c);
  }
  if (cmd === 'ls') {
    const dir = (args.find((x) => !x.startsWith('-')) ?? '').replace(/\/$/, '');
    if (dir === '/sys/class/net')
      return ok(
        env
          .linksAt(t)
          .map((l) => l.name)
          .sort()
          .map((n) => `${n}\n`)
          .join(''),
      );
    return ok();
  }
  if (cmd === 'vmtoolsd' || cmd === 'vmware-rpctool') {
    const m = /info-get\s+(guestinfo\.[\w.-]+)/.exec(args.join(' '));
    if (m?.[1]) {
      const v = env.guestinfo(m[1]);
      return v === undefined ? ok('No value found\n', 1) : ok(`${v}\n`);
    }
    return ok();
  }
  if (cmd === 'vmware-toolbox-cmd' || cmd === 'vmwaretoolboxcmd') {
    // open-vm-tools toolbox/toolboxcmd-info.c: `info update network` gathers the NIC info and sends it now;
    // a toolbox older than 10.1 has no `info` command (toolbox-cmd.c: unknown command, EX_USAGE)
    if (a[0] === 'info' && !hasInfoUpdateNetwork(env.toolsVersion))
      return ok(`${cmd}: Unknown command 'info'.\n`, 64);
    if (a[0] === 'info' && a[1] === 'update' && a[2] === 'network') env.gatherNetwork(t);
    return ok();
  }
  if (cmd === 'command' || cmd === 'which') {
    const tool = args.filter((x) => !x.startsWith('-')).at(-1) ?? '';
    return onPath(env, tool) ? ok(`/usr/bin/${tool}\n`) : ok('', 1);
  }

  // network refresh
  if (cmd === 'modprobe') {
    if (!a.includes('-r')) env.driverReload(t);
    return ok();
  }
  if (cmd === 'dhclient' || cmd === 'dhcpcd' || cmd === 'udhcpc') {
    if (a.includes('-x') || a.includes('-k')) {
      env.stopDhcp(t, false);
      return ok();
    }
    if (a.includes('-r')) {
      env.stopDhcp(t, true);
      return ok();
    }
    if (a.includes('-nw')) {
      env.refresh(t);
      return ok();
    }
    return blockUntilLease(2);
  }
  if (cmd === 'nmcli') {
    const running = env.profile.manager === 'NetworkManager';
    if (/-f running general|general status/.test(line))
      return running ? ok('running\n') : ok('Error: NetworkManager is not running.\n', 8);
    if (!running) return ok('Error: NetworkManager is not running.\n', 8);
    const conn = /^(connection|con|c)$/.test(a[0] ?? '');
    if (conn && a[1] === 'add') return ok('', nmcliAdd(env, args.slice(2)));
    if (conn && /^(delete|del)$/.test(a[1] ?? '')) {
      const found = env.nmProfiles.delete(args[2] ?? '');
      return found ? ok() : ok(`Error: unknown connection '${args[2] ?? ''}'.\n`, 10);
    }
    if (conn && a[1] === 'up' && env.nmUp(t, args[2] ?? '')) return ok();
    if (/(device|dev|d) (reapply|connect|up)|(connection|con|c) up|networking on/.test(line))
      return blockUntilLease(4, true);
    if (/-g ip4\.address/.test(line)) {
      const ip = env.ipAt(t);
      return ok(ip ? `${ip.ip}/${ip.prefix}\n` : '');
    }
    return ok();
  }
  if (cmd === 'networkctl') {
    const running = env.profile.manager === 'systemd-networkd';
    if (!running) return ok('Failed to query link: systemd-networkd is not running.\n', 1);
    if (/reconfigure/.test(line)) env.networkdReconfigure(t);
    else if (/renew|up/.test(line)) env.refresh(t);
    return ok();
  }
  if (cmd === 'ip') {
    const sub = a.filter((x) => !x.startsWith('-'));
    const devOf = () =>
      sub.includes('dev') ? sub[sub.indexOf('dev') + 1] : sub[1] === 'show' ? sub[2] : undefined;
    const isAddr = /^(addr|address|a)$/.test(sub[0] ?? '');
    if (isAddr && sub[1] === 'add') {
      const m = /^(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?$/.exec(sub[2] ?? '');
      if (!m?.[1]) return ok('Error: any valid prefix is expected rather than "".\n', 1);
      env.addAddress(t, m[1], Number(m[2] ?? 32));
      return ok();
    }
    if (isAddr && sub[1] === 'flush') {
      env.flush(t);
      return ok();
    }
    if (/^(link|l)$/.test(sub[0] ?? '')) {
      if (sub[1] === 'set') return ok();
      return ok(
        linkLines(env, t, devOf())
          .map((x) => `${x}\n`)
          .join(''),
      );
    }
    if (isAddr || sub.length === 0) {
      return ok(
        addrLines(env, t, devOf(), sub.includes('scope') && sub.includes('global'))
          .map((x) => `${x}\n`)
          .join(''),
      );
    }
    return ok();
  }
  if (cmd === 'netsh') {
    const m =
      /interface set interface (?:name=)?"?([^"]+?)"? (?:admin=)?(enable|enabled|disable|disabled)\b/i.exec(
        args.join(' '),
      );
    if (m) {
      if ((m[1] ?? '').toLowerCase() !== env.nicName.toLowerCase())
        return ok('An interface with this name is not registered with the router.\r\n', 1);
      if (m[2]?.startsWith('enable')) env.adapterEnable(t);
      return ok();
    }
    const s =
      /interface ip(?:v4)? set address (?:name=)?"?([^"]+?)"? (?:source=)?static (?:address=)?(\S+) (?:mask=)?(\S+)/i.exec(
        args.join(' '),
      );
    if (s?.[2]) {
      env.setStatic(t, s[2], maskToPrefix(s[3] ?? '255.255.255.0'));
      return ok();
    }
    return ok();
  }
  if (cmd === 'ipconfig') {
    const all = a.includes('/all');
    if (a.includes('/release')) return ok(ipconfigText(env, t, all));
    if (a.includes('/renew')) {
      const r = blockUntilLease(1, true);
      return {
        ...r,
        out:
          r.code === 0
            ? ipconfigText(env, r.t, false)
            : 'An error occurred while renewing interface Ethernet0 : unable to contact your DHCP server. Request has timed out.\r\n',
      };
    }
    return ok(ipconfigText(env, t, all));
  }
  if (cmd === 'restart-netadapter' || cmd === 'enable-netadapter') {
    env.adapterEnable(t);
    return ok();
  }
  if (cmd === 'get-netipaddress') {
    const ip = env.ipAt(t);
    return ok(ip ? `${ip.ip}\r\n` : '');
  }
  if (NOOP.has(cmd)) return ok();
  return notFound();
}
