// The commands the simulated guest recognises (see README.md in this folder). Anything else: 127 / 1.
import type { CommandResult, GuestEnv } from './guest-env.js';

const base = (w: string) => (w.split(/[\\/]/).pop() ?? w).toLowerCase().replace(/\.exe$/, '');

const NOOP = new Set(
  'true : sleep echo printf grep egrep awk cut sed tr head tail test [ [[ export set local logger rm mkdir touch chmod sync udevadm systemctl service timeout ping seq wait read vmware-toolbox-cmd rem cls exit-noop start-sleep write-host write-output out-null'.split(
    ' ',
  ),
);

function ipLines(env: GuestEnv, t: number, dev?: string): string[] {
  const a = env.ipAt(t);
  const lo = '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever';
  const nic = a
    ? `2: ${env.nicName}    inet ${a.ip}/${a.prefix} brd ${a.ip.replace(/\.\d+$/, '.255')} scope global dynamic ${env.nicName}\\       valid_lft 86400sec preferred_lft 86400sec`
    : undefined;
  if (dev) return dev === env.nicName && nic ? [nic] : [];
  return nic ? [lo, nic] : [lo];
}

function ipconfigText(env: GuestEnv, t: number): string {
  const a = env.ipAt(t);
  const mask = a ? prefixToMask(a.prefix) : '';
  return [
    '',
    'Windows IP Configuration',
    '',
    '',
    `Ethernet adapter ${env.nicName}:`,
    '',
    '   Connection-specific DNS Suffix  . : sim.local',
    ...(a
      ? [
          `   IPv4 Address. . . . . . . . . . . : ${a.ip}`,
          `   Subnet Mask . . . . . . . . . . . : ${mask}`,
          `   Default Gateway . . . . . . . . . : ${a.ip.replace(/\.\d+$/, '.1')}`,
        ]
      : ['   Media State . . . . . . . . . . . : Media disconnected']),
    '',
  ].join('\r\n');
}

const prefixToMask = (p: number) =>
  [0, 1, 2, 3].map((i) => (0xff << (8 - Math.max(0, Math.min(8, p - i * 8)))) & 0xff).join('.');
const maskToPrefix = (m: string) =>
  m.split('.').reduce((n, o) => n + (Number(o) >>> 0).toString(2).replace(/0/g, '').length, 0);

/** Runs one simple command (already split into words, quotes removed). */
export function runCommand(env: GuestEnv, words: string[], t0: number): CommandResult {
  const win = env.os === 'windows';
  const [head = '', ...args] = words;
  const cmd = base(head);
  const a = args.map((x) => x.toLowerCase());
  const line = a.join(' ');
  let t = t0 + env.ms.command;
  const ok = (out = '', code = 0): CommandResult => ({ out, code, t });
  const blockUntilLease = (failCode: number): CommandResult => {
    const lease = env.refresh(t);
    if (lease === undefined) return { out: '', code: failCode, t: t + env.ms.blockingTimeout };
    t = Math.max(t, lease);
    return ok();
  };

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
  if (cmd === 'printf') return ok((args[0] ?? '').replace(/\\n/g, '\n').replace(/%s/, args[1] ?? ''));
  if (cmd === 'false') return ok('', 1);
  if (cmd === 'hostname') return ok(a[0] === '-i' ? `${env.ipAt(t)?.ip ?? ''} \n` : `${env.hostName}\n`);
  if (cmd === 'cat' || cmd === 'type') {
    const c = env.readFile(args[0] ?? '');
    return c === undefined ? ok('', 1) : ok(c);
  }
  if (cmd === 'vmtoolsd' || cmd === 'vmware-rpctool') {
    const m = /info-get\s+(guestinfo\.[\w.-]+)/.exec(args.join(' '));
    if (m?.[1]) {
      const v = env.guestinfo(m[1]);
      return v === undefined ? ok('No value found\n', 1) : ok(`${v}\n`);
    }
    return ok();
  }
  if (cmd === 'command' || cmd === 'which' || cmd === 'type-v') return ok(`/usr/sbin/${args.at(-1) ?? ''}\n`);

  // network refresh
  if (cmd === 'modprobe') {
    if (!a.includes('-r')) env.refresh(t);
    return ok();
  }
  if (cmd === 'dhclient' || cmd === 'dhcpcd' || cmd === 'udhcpc') {
    if (a.includes('-r') || a.includes('-x') || a.includes('-k')) return ok();
    if (a.includes('-nw')) {
      env.refresh(t);
      return ok();
    }
    return blockUntilLease(2);
  }
  if (cmd === 'nmcli') {
    if (/(device|dev|d) (reapply|connect|up)|(connection|con|c) up|networking on/.test(line))
      return blockUntilLease(4);
    if (/-g ip4\.address/.test(line)) {
      const ip = env.ipAt(t);
      return ok(ip ? `${ip.ip}/${ip.prefix}\n` : '');
    }
    return ok();
  }
  if (cmd === 'networkctl') {
    if (/renew|reconfigure|reload|up/.test(line)) env.refresh(t);
    return ok();
  }
  if (cmd === 'ip') {
    const sub = a.filter((x) => !x.startsWith('-'));
    if (/^(addr|address|a)$/.test(sub[0] ?? '') && sub[1] === 'add') {
      const m = /^(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?$/.exec(sub[2] ?? '');
      if (!m?.[1]) return ok('Error: any valid prefix is expected rather than "".\n', 1);
      env.setStatic(t, m[1], Number(m[2] ?? 24));
      return ok();
    }
    if (/^(link|l)$/.test(sub[0] ?? '') && sub[1] === 'set' && sub.includes('up')) {
      env.refresh(t);
      return ok();
    }
    if (/^(addr|address|a)$/.test(sub[0] ?? '') || sub.length === 0) {
      const dev = sub.includes('dev')
        ? sub[sub.indexOf('dev') + 1]
        : sub[2] && sub[1] === 'show'
          ? sub[2]
          : undefined;
      return ok(
        ipLines(env, t, dev)
          .map((l) => `${l}\n`)
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
      if (m[2]?.startsWith('enable')) env.refresh(t);
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
    if (a.includes('/release')) return ok(ipconfigText(env, t));
    if (a.includes('/renew')) {
      const r = blockUntilLease(1);
      return {
        ...r,
        out:
          r.code === 0
            ? ipconfigText(env, r.t)
            : 'An error occurred while renewing interface Ethernet0 : unable to contact your DHCP server. Request has timed out.\r\n',
      };
    }
    return ok(ipconfigText(env, t));
  }
  if (cmd === 'restart-netadapter' || cmd === 'enable-netadapter') {
    env.refresh(t);
    return ok();
  }
  if (cmd === 'get-netipaddress') {
    const ip = env.ipAt(t);
    return ok(ip ? `${ip.ip}\r\n` : '');
  }
  if (NOOP.has(cmd)) return ok();
  return win
    ? ok(`'${head}' is not recognized as an internal or external command,\r\n`, 1)
    : ok(`sh: 1: ${head}: not found\n`, 127);
}
