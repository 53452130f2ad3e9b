// One simulated guest OS per VM: files, processes, and the network timeline (stale IP → refresh → lease).
import type { Dhcp } from './dhcp.js';
import type { GuestEnv } from './guest-env.js';
import { commandLine, runScript } from './guest-shell.js';
import type { Inventory } from './inventory.js';
import type { Latency, Scheduler } from './latency.js';
import type { VmState } from './vm.js';

export interface GuestProcess {
  pid: number;
  name: string;
  owner: string;
  cmdLine: string;
  startTime: number;
  endTime: number;
  exitCode: number;
}

interface NetEvent {
  at: number;
  mac: string;
  ip?: string;
  prefix: number;
  origin: 'dhcp' | 'manual' | 'linklayer';
}

class Guest {
  readonly files = new Map<string, { content: string; at: number }>();
  readonly procs = new Map<number, GuestProcess>();
  readonly timeline: NetEvent[] = [];
  leaseAt?: number;
}

export class Guests {
  private readonly guests = new Map<string, Guest>();
  private nextPid = 4100;

  constructor(
    private readonly inv: Inventory,
    private readonly dhcp: Dhcp,
    private readonly latency: Latency,
    private readonly sched: Scheduler,
  ) {}

  of(vm: VmState): Guest {
    let g = this.guests.get(vm.id);
    if (!g) {
      g = new Guest();
      this.guests.set(vm.id, g);
    }
    return g;
  }

  drop(vmId: string): void {
    this.guests.delete(vmId);
  }

  readFile(vm: VmState, path: string, now = Date.now()): string | undefined {
    const f = this.of(vm).files.get(normPath(path));
    return f && f.at <= now ? f.content : undefined;
  }

  writeFile(vm: VmState, path: string, content: string): void {
    this.of(vm).files.set(normPath(path), { content, at: Date.now() });
  }

  private schedule(vm: VmState, ev: NetEvent): void {
    const g = this.of(vm);
    g.timeline.push(ev);
    this.sched.at(ev.at - Date.now(), () => {
      if (!this.inv.vms.has(vm.id)) return;
      vm.guestNet = { mac: ev.mac, ip: ev.ip, prefix: ev.prefix, origin: ev.origin };
      if (ev.ip && ev.origin === 'dhcp') this.dhcp.leases.push({ vm: vm.name, ip: ev.ip, at: Date.now() });
      this.inv.changed();
    });
  }

  env(vm: VmState): GuestEnv {
    const g = this.of(vm);
    const stateAt = (t: number) => {
      let s = { mac: vm.guestNet.mac, ip: vm.guestNet.ip, prefix: vm.guestNet.prefix };
      for (const e of g.timeline) if (e.at <= t) s = { mac: e.mac, ip: e.ip, prefix: e.prefix };
      return s;
    };
    const l = this.latency;
    return {
      os: vm.os,
      nicName: vm.guestNicName,
      hostName: vm.hostName,
      ms: { command: l.scale(20), blockingTimeout: l.ms('dhcpTimeout', false), sleepSecond: l.scale(1000) },
      ipAt: (t) => {
        const s = stateAt(t);
        return s.ip ? { ip: s.ip, prefix: s.prefix } : undefined;
      },
      macAt: (t) => stateAt(t).mac,
      pendingLease: () => g.leaseAt,
      refresh: (t) => {
        // later refreshes join a pending lease; after it landed they renew the same address at once
        if (g.leaseAt !== undefined) return Math.max(t, g.leaseAt);
        const connected = vm.nic.connected && vm.powerState === 'poweredOn';
        const mac = vm.nic.mac;
        this.schedule(vm, { at: t, mac, prefix: 24, origin: 'dhcp' });
        if (!connected || this.dhcp.mode === 'down') return undefined;
        const at = t + l.ms('ipAfterRefresh');
        if (this.dhcp.mode === 'linkLocal') {
          this.schedule(vm, {
            at,
            mac,
            ip: this.dhcp.linkLocal(),
            prefix: 16,
            origin: 'linklayer',
          });
          return undefined;
        }
        g.leaseAt = at;
        this.schedule(vm, { at, mac, ip: this.dhcp.allocate(), prefix: 24, origin: 'dhcp' });
        return at;
      },
      setStatic: (t, ip, prefix) =>
        this.schedule(vm, { at: t, mac: vm.nic.mac, ip, prefix, origin: 'manual' }),
      guestinfo: (key) => vm.extraConfig.get(key),
      readFile: (p) => this.readFile(vm, p),
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
