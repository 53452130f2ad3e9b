// One simulated guest OS per VM: files, processes, and the network timeline (stale IP → refresh → lease).
import type { Dhcp } from './dhcp.js';
import type { GuestEnv } from './guest-env.js';
import { commandLine, runScript } from './guest-shell.js';
import type { Inventory } from './inventory.js';
import type { Latency, Scheduler } from './latency.js';
import { DEFAULT_GUESTINFO_POLL_MS, PollTicks, pollPhase } from './tools-guest-info.js';
import { type GuestAddress, type GuestNet, type VmState, vnicAddresses } from './vm.js';

export interface GuestProcess {
  pid: number;
  name: string;
  owner: string;
  cmdLine: string;
  startTime: number;
  endTime: number;
  exitCode: number;
}

type NetOp = { at: number; cancelled?: boolean } & (
  | { kind: 'mac'; mac: string }
  | { kind: 'add'; addr: GuestAddress }
  | { kind: 'flush' }
  | { kind: 'lease'; addr: GuestAddress; exclusive: boolean; hostname: string }
  | { kind: 'dropDhcp' }
);

class Guest {
  readonly files = new Map<string, { content: string; at: number }>();
  readonly procs = new Map<number, GuestProcess>();
  /** the vNIC as it was when this guest was first seen (a clone: the source's, from memory) */
  readonly base: GuestNet;
  readonly baseHostname: string;
  readonly ops: NetOp[] = [];
  readonly hostnames: { at: number; name: string }[] = [];
  lease?: { ip: string; op: NetOp };
  /** Windows: the adapter's DHCP setting and its persistent static address */
  dhcpEnabled = true;
  persistentStatic?: GuestAddress;
  readonly nmProfiles = new Map<string, { mac?: string; ip: string; prefix: number }>();
  /** poll ticks already scheduled (one timer per tick, however many changes it gathers) */
  readonly pollsDue = new Set<number>();

  constructor(
    vm: VmState,
    /** when Tools in this guest gather guest info on their poll */
    readonly ticks: PollTicks,
  ) {
    this.base = { ...vm.guestNet, more: [...(vm.guestNet.more ?? [])] };
    this.baseHostname = vm.hostName;
  }

  /** the vNIC at time t: every op up to t, in time order */
  vnicAt(t: number): { mac: string; addrs: GuestAddress[] } {
    let mac = this.base.mac;
    let addrs = vnicAddresses(this.base);
    const due = this.ops.filter((o) => o.at <= t && !o.cancelled).sort((a, b) => a.at - b.at);
    for (const op of due) {
      if (op.kind === 'mac') {
        mac = op.mac;
        addrs = [];
      } else if (op.kind === 'flush') addrs = [];
      else if (op.kind === 'dropDhcp') addrs = addrs.filter((a) => a.origin === 'manual');
      else if (op.kind === 'add') {
        if (!addrs.some((a) => a.ip === op.addr.ip)) addrs = [...addrs, op.addr];
      } else {
        // a DHCP client replaces its own earlier lease; an exclusive one (NetworkManager, Windows) every address
        addrs = op.exclusive ? [] : addrs.filter((a) => a.origin === 'manual' && a.ip !== op.addr.ip);
        addrs = [...addrs, op.addr];
      }
    }
    return { mac, addrs };
  }

  /** the vNIC at time t as Tools report it */
  netAt(t: number): GuestNet {
    const s = this.vnicAt(t);
    const [first, ...more] = s.addrs;
    return { mac: s.mac, ip: first?.ip, prefix: first?.prefix ?? 24, origin: first?.origin ?? 'dhcp', more };
  }

  hostnameAt(t: number): string {
    let name = this.baseHostname;
    for (const h of this.hostnames) if (h.at <= t) name = h.name;
    return name;
  }
}

const sameNet = (a: GuestNet, b: GuestNet) =>
  a.mac === b.mac && JSON.stringify(vnicAddresses(a)) === JSON.stringify(vnicAddresses(b));

const LOOPBACK = { ip: '127.0.0.1', prefix: 8, origin: 'manual' } as const;
const NETWORKD_DIRS = ['/run/systemd/network/', '/etc/systemd/network/'];

export class Guests {
  private readonly guests = new Map<string, Guest>();
  private nextPid = 4100;
  private readonly startedAt = Date.now();

  constructor(
    private readonly inv: Inventory,
    private readonly dhcp: Dhcp,
    private readonly latency: Latency,
    private readonly sched: Scheduler,
    /** Tools' guest-info poll interval, scaled ms; 0 = no poll */
    private readonly pollIntervalMs = latency.scale(DEFAULT_GUESTINFO_POLL_MS),
  ) {}

  of(vm: VmState): Guest {
    let g = this.guests.get(vm.id);
    if (!g) {
      g = new Guest(vm, PollTicks.running(this.pollIntervalMs, this.startedAt, pollPhase(vm.name)));
      this.guests.set(vm.id, g);
    }
    return g;
  }

  /**
   * An instant clone resumes from its source's memory: its files, its network state (vm.guestNet, set by the
   * caller from held()), and the Tools poll timer where the source's stood (see tools-guest-info.ts).
   */
  resume(clone: VmState, src: VmState, at = Date.now()): void {
    const s = this.of(src);
    const ticks = PollTicks.resumed(this.pollIntervalMs, s.ticks, src.frozen, pollPhase(src.name), at);
    const g = new Guest(clone, ticks);
    for (const [p, f] of s.files) g.files.set(p, { ...f });
    this.guests.set(clone.id, g);
  }

  /** A power-on boots the guest afresh from vm.guestNet (files on disk stay); Tools start their poll now. */
  boot(vm: VmState, at = Date.now()): void {
    const old = this.guests.get(vm.id);
    const g = new Guest(vm, PollTicks.running(this.pollIntervalMs, at, 0));
    for (const [p, f] of old?.files ?? []) g.files.set(p, { ...f });
    this.guests.set(vm.id, g);
  }

  drop(vmId: string): void {
    this.guests.delete(vmId);
  }

  /** What the guest OS holds now; vCenter shows it (vm.guestNet, vm.hostName) only once Tools gathered it. */
  held(vm: VmState, now = Date.now()): { net: GuestNet; hostName: string } {
    const g = this.guests.get(vm.id);
    return g
      ? { net: g.netAt(now), hostName: g.hostnameAt(now) }
      : { net: vm.guestNet, hostName: vm.hostName };
  }

  /**
   * Tools send what they gathered at time t: the vNIC (guest.net, guest.ipAddress) and, on the poll, the host
   * name too (`info update network` sends NIC info only: open-vm-tools toolbox/toolboxcmd-info.c). vCenter
   * pushes only what changed.
   */
  private send(vm: VmState, g: Guest, t: number, poll: boolean): void {
    if (this.guests.get(vm.id) !== g || !this.inv.vms.has(vm.id)) return;
    if (vm.powerState !== 'poweredOn' || vm.frozen) return;
    let changed = false;
    const net = g.netAt(t);
    if (!sameNet(net, vm.guestNet)) {
      vm.guestNet = net;
      changed = true;
    }
    const hostName = g.hostnameAt(t);
    if (poll && hostName !== vm.hostName) {
      vm.hostName = hostName;
      changed = true;
    }
    if (changed) this.inv.changed();
  }

  /** A change in the guest at time t reaches vCenter with the next poll gather at or after t. */
  private pollAfter(vm: VmState, g: Guest, t: number): void {
    const at = g.ticks.nextAt(t);
    if (at === undefined || g.pollsDue.has(at)) return;
    g.pollsDue.add(at);
    this.sched.at(at - Date.now(), () => {
      g.pollsDue.delete(at);
      this.send(vm, g, at, true);
    });
  }

  readFile(vm: VmState, path: string, now = Date.now()): string | undefined {
    const f = this.of(vm).files.get(normPath(path));
    return f && f.at <= now ? f.content : undefined;
  }

  writeFile(vm: VmState, path: string, content: string): void {
    this.of(vm).files.set(normPath(path), { content, at: Date.now() });
  }

  private schedule(vm: VmState, op: NetOp): NetOp {
    const g = this.of(vm);
    g.ops.push(op);
    if (op.kind === 'lease' && op.addr.origin === 'dhcp') {
      const lease = op;
      this.sched.at(op.at - Date.now(), () => {
        if (!this.inv.vms.has(vm.id) || lease.cancelled || vm.powerState !== 'poweredOn') return;
        this.dhcp.leases.push({ vm: vm.name, ip: lease.addr.ip, at: Date.now(), hostname: lease.hostname });
      });
    }
    this.pollAfter(vm, g, op.at);
    return op;
  }

  /** A static address systemd-networkd has for this MAC in a .network file, if any. */
  private networkdStatic(vm: VmState): GuestAddress | undefined {
    for (const [path, f] of this.of(vm).files) {
      if (!NETWORKD_DIRS.some((d) => path.startsWith(d)) || !path.endsWith('.network')) continue;
      const mac = /^MACAddress=(\S+)/m.exec(f.content)?.[1];
      const addr = /^Address=(\d+\.\d+\.\d+\.\d+)\/(\d+)/m.exec(f.content);
      if (mac?.toLowerCase() === vm.nic.mac.toLowerCase() && addr?.[1])
        return { ip: addr[1], prefix: Number(addr[2]), origin: 'manual' };
    }
    return undefined;
  }

  env(vm: VmState): GuestEnv {
    const g = this.of(vm);
    const l = this.latency;
    const add = (t: number, a: GuestAddress) => this.schedule(vm, { at: t, kind: 'add', addr: a });
    const flush = (t: number) => this.schedule(vm, { at: t, kind: 'flush' });
    const stopDhcp = (t: number, release: boolean) => {
      for (const op of g.ops) if (op.kind === 'lease' && op.at > t) op.cancelled = true;
      if (g.lease?.op.cancelled || release) g.lease = undefined;
      if (release) this.schedule(vm, { at: t, kind: 'dropDhcp' });
    };
    const refresh = (t: number, exclusive = false): number | undefined => {
      const pending = g.lease && !g.lease.op.cancelled && g.lease.op.at > t ? g.lease.op.at : undefined;
      if (pending !== undefined) return pending;
      // a renew on a guest that still shows the source's MAC picks up the hardware's (see README)
      if (g.vnicAt(t).mac !== vm.nic.mac) this.schedule(vm, { at: t, kind: 'mac', mac: vm.nic.mac });
      const connected = vm.nic.connected && vm.powerState === 'poweredOn';
      if (!connected || this.dhcp.mode === 'down') return undefined;
      const hostname = g.hostnameAt(t);
      if (this.dhcp.mode === 'linkLocal') {
        const addr = { ip: this.dhcp.linkLocal(), prefix: 16, origin: 'linklayer' } as const;
        this.schedule(vm, { at: t + l.ms('ipAfterRefresh'), kind: 'lease', addr, exclusive, hostname });
        return undefined;
      }
      // after a lease landed, a renew gets the same address at once
      const renew = g.lease && g.lease.op.at <= t ? g.lease.ip : undefined;
      const ip = renew ?? this.dhcp.allocate();
      const at = renew ? t : t + l.ms('ipAfterRefresh');
      const addr = { ip, prefix: 24, origin: 'dhcp' } as const;
      g.lease = { ip, op: this.schedule(vm, { at, kind: 'lease', addr, exclusive, hostname }) };
      return at;
    };
    return {
      os: vm.os,
      nicName: vm.guestNicName,
      profile: vm.guestProfile,
      ms: { command: l.scale(20), blockingTimeout: l.ms('dhcpTimeout', false), sleepSecond: l.scale(1000) },
      hostnameAt: (t) => g.hostnameAt(t),
      setHostname: (t, name) => {
        g.hostnames.push({ at: t, name });
        this.pollAfter(vm, g, t);
      },
      toolsVersion: vm.toolsVersion,
      // gathered at t, in vCenter's guest.net a hop (VMX → hostd → vCenter) later
      gatherNetwork: (t) =>
        this.sched.at(t - Date.now() + l.ms('toolsReport'), () => this.send(vm, g, t, false)),
      linksAt: (t) => {
        const v = g.vnicAt(t);
        return [
          { name: 'lo', mac: '00:00:00:00:00:00', addrs: [LOOPBACK], kind: 'loopback' },
          { name: vm.guestNicName, mac: v.mac, addrs: v.addrs, kind: 'vnic' },
          ...vm.guestProfile.interfaces.map((i) => ({
            name: i.name,
            mac: i.mac,
            addrs: [{ ip: i.ip, prefix: i.prefix, origin: 'manual' as const }],
            kind: 'bridge' as const,
          })),
        ];
      },
      ipAt: (t) => {
        const a = g.vnicAt(t).addrs[0];
        return a ? { ip: a.ip, prefix: a.prefix } : undefined;
      },
      driverReload: (t) => {
        stopDhcp(t, false);
        this.schedule(vm, { at: t, kind: 'mac', mac: vm.nic.mac });
        const manager = vm.guestProfile.manager;
        if (manager === 'NetworkManager') {
          const p = [...g.nmProfiles.values()].find(
            (x) => !x.mac || x.mac.toLowerCase() === vm.nic.mac.toLowerCase(),
          );
          if (p) add(t, { ip: p.ip, prefix: p.prefix, origin: 'manual' });
          else refresh(t, true);
        } else if (manager === 'systemd-networkd') {
          const s = this.networkdStatic(vm);
          if (s) add(t, s);
          else refresh(t);
        } else if (manager === 'ifupdown') refresh(t);
      },
      refresh,
      pendingLease: () => (g.lease && !g.lease.op.cancelled ? g.lease.op.at : undefined),
      stopDhcp,
      addAddress: (t, ip, prefix) => add(t, { ip, prefix, origin: 'manual' }),
      flush,
      setStatic: (t, ip, prefix) => {
        g.dhcpEnabled = false;
        g.persistentStatic = { ip, prefix, origin: 'manual' };
        stopDhcp(t, true);
        flush(t);
        add(t, g.persistentStatic);
      },
      adapterEnable: (t) => {
        stopDhcp(t, false);
        this.schedule(vm, { at: t, kind: 'mac', mac: vm.nic.mac });
        if (g.persistentStatic) add(t, g.persistentStatic);
        else if (g.dhcpEnabled) refresh(t, true);
      },
      nmProfiles: g.nmProfiles,
      nmUp: (t, name) => {
        const p = g.nmProfiles.get(name);
        if (!p) return false;
        stopDhcp(t, false);
        flush(t);
        add(t, { ip: p.ip, prefix: p.prefix, origin: 'manual' });
        return true;
      },
      networkdReconfigure: (t) => {
        const s = this.networkdStatic(vm);
        if (!s) {
          refresh(t);
          return;
        }
        // networkd removes addresses it did not configure when it (re)configures a link it manages
        stopDhcp(t, false);
        flush(t);
        add(t, s);
      },
      guestinfo: (key) => vm.extraConfig.get(key),
      readFile: (p) => this.readFile(vm, p),
      listFiles: () => [...g.files.keys()],
      writeFile: (t, p, content, append) => {
        const key = normPath(p);
        const prev = append ? (g.files.get(key)?.content ?? '') : '';
        g.files.set(key, { content: prev + content, at: t });
      },
    };
  }

  start(vm: VmState, owner: string, programPath: string, args: string): GuestProcess {
    const now = Date.now();
    const env = this.env(vm);
    const script = commandLine(vm.os, programPath, args, env.readFile);
    const r = runScript(env, script, now);
    const proc: GuestProcess = {
      pid: this.nextPid++,
      name: programPath.split(/[\\/]/).pop() ?? programPath,
      owner,
      cmdLine: `"${programPath}" ${args}`,
      startTime: now,
      endTime: Math.max(r.endTime, now + this.latency.ms('guestProcess')),
      exitCode: r.exitCode,
    };
    this.of(vm).procs.set(proc.pid, proc);
    return proc;
  }
}

const normPath = (p: string) => (/^[a-z]:\\/i.test(p) ? p.toLowerCase().replace(/\//g, '\\') : p);
