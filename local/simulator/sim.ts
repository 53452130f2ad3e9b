// The simulator core: state shared by the managed-object modules, and method dispatch.
import { Dhcp } from './dhcp.js';
import { FaultInjector, notFound, SimFault } from './faults.js';
import { Guests } from './guest.js';
import { aboutInfo, Inventory } from './inventory.js';
import { DEFAULT_LATENCY, Latency, Scheduler } from './latency.js';
import { OperationConcurrency } from './operation-kinds.js';
import { type Caller, DEFAULT_SESSION_IDLE_MS, type Session, Sessions } from './session-manager.js';
import { Tasks } from './task.js';
import { DEFAULT_GUESTINFO_POLL_MS } from './tools-guest-info.js';
import type { SimulatorOptions } from './types.js';
import { Arr, MoRef, type Obj, obj, type Val } from './values.js';
import { child, moOf, type XNode } from './xml.js';

export interface CallCtx {
  session?: Session;
  /** the client's address and User-Agent, for UserSession */
  caller: Caller;
  /** set by Login */
  newSession?: Session;
  /** "host:port" the client used; guest file URLs carry the port */
  port: number;
}

/**
 * Methods that answer without a session. The property collector's retrieve methods answer a dead session
 * with every requested property in missingSet (NotAuthenticated), as vCenter and vcsim do.
 */
const WITHOUT_SESSION = new Set([
  'RetrieveServiceContent',
  'Login',
  'RetrieveProperties',
  'RetrievePropertiesEx',
]);

export type Handler = (sim: Sim, call: XNode, ctx: CallCtx) => Promise<Val | undefined> | Val | undefined;

/** Objects that are not inventory but answer to PropertyCollector (views, filters, managers). */
export type PropsProvider = (ref: MoRef, sim: Sim, ctx: CallCtx) => Obj | undefined;

export const CREDENTIALS = {
  vcenter: { username: 'administrator@vsphere.local', password: 'Sim-Passw0rd!' },
  linux: { username: 'root', password: 'sim-linux' },
  windows: { username: 'Administrator', password: 'Sim-Windows1!' },
};

/** README "Hosts and memory": what an instant clone holds of its source's memory during its life, in the model. */
export const DEFAULT_INSTANT_CLONE_MEMORY_FRACTION = 0.25;

export class Sim {
  readonly inv: Inventory;
  readonly latency: Latency;
  readonly sched = new Scheduler();
  readonly faults: FaultInjector;
  readonly sessions: Sessions;
  readonly tasks: Tasks;
  readonly operations = new OperationConcurrency();
  readonly dhcp = new Dhcp();
  readonly guests: Guests;
  readonly calls: Record<string, number> = {};
  readonly handlers = new Map<string, Handler>();
  readonly providers: PropsProvider[] = [];
  readonly guestOpsUnavailableMs: number;
  readonly instantCloneMemoryFraction: number;
  readonly about: Obj;

  constructor(readonly options: SimulatorOptions) {
    this.inv = new Inventory(options.hostVersion ?? '7.0.3', options.hosts);
    this.latency = new Latency(options.timeScale ?? 1, DEFAULT_LATENCY);
    this.faults = new FaultInjector(options.faults);
    this.sessions = new Sessions(
      CREDENTIALS.vcenter.username,
      CREDENTIALS.vcenter.password,
      this.latency.scale(options.sessionIdleTimeoutMs ?? DEFAULT_SESSION_IDLE_MS),
    );
    // vCenter keeps finished tasks in recentTask for about 10 minutes.
    this.tasks = new Tasks(
      this.inv,
      CREDENTIALS.vcenter.username,
      this.latency.scale(10 * 60_000),
      this.operations,
    );
    this.guests = new Guests(
      this.inv,
      this.dhcp,
      this.latency,
      this.sched,
      this.latency.scale(options.guestInfoPollIntervalMs ?? DEFAULT_GUESTINFO_POLL_MS),
    );
    this.guestOpsUnavailableMs = this.latency.scale(
      options.guestOpsUnavailableMs ?? DEFAULT_LATENCY.guestOpsUnavailable,
    );
    this.instantCloneMemoryFraction =
      options.instantCloneMemoryFraction ?? DEFAULT_INSTANT_CLONE_MEMORY_FRACTION;
    this.about = aboutInfo(
      'VMware vCenter Server',
      options.vcenterVersion ?? '7.0.3',
      'vpx',
      'VirtualCenter',
    );
  }

  register(methods: Record<string, Handler>): void {
    for (const [k, v] of Object.entries(methods)) this.handlers.set(k, v);
  }

  async invoke(method: string, call: XNode, ctx: CallCtx): Promise<Val | undefined> {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
    const h = this.handlers.get(method);
    if (!h) throw new SimFault('MethodNotFound', `Method ${method} not found`);
    const needsSession = !WITHOUT_SESSION.has(method);
    let injected =
      method.endsWith('_Task') || (!ctx.session && needsSession) ? undefined : this.faults.take(method);
    if (injected?.faultName === 'NotAuthenticated') {
      // An injected NotAuthenticated is a session lost just before this call (idle timeout, vCenter restart):
      // every session ends and the call is answered as vCenter answers a dead session.
      this.sessions.expireAll();
      ctx.session = undefined;
      injected = undefined;
    }
    if (!ctx.session && needsSession)
      throw Sessions.notAuthenticated(
        moOf(child(call, '_this')) ?? new MoRef('ServiceInstance', 'ServiceInstance'),
      );
    const end = ctx.session ? this.sessions.begin(ctx.session) : undefined;
    try {
      if (injected) throw injected;
      await this.sched.sleep(this.latency.ms('soapOverhead'));
      // every call sees what the simulation has due by the time it is answered
      this.sched.runDue();
      return await h(this, call, ctx);
    } finally {
      end?.();
    }
  }

  /** Current property tree of any object, or undefined when it does not exist. */
  props(ref: MoRef, ctx: CallCtx): Obj | undefined {
    if (ref.type === 'Task') return this.tasks.props(ref.value);
    const inv = this.inv.props(ref, Date.now());
    if (inv && ref.type === 'VirtualMachine')
      inv.fields.push(['recentTask', new Arr('ManagedObjectReference', this.tasks.recentFor(ref))]);
    if (inv) return inv;
    for (const p of this.providers) {
      const o = p(ref, this, ctx);
      if (o) return o;
    }
    return undefined;
  }

  /** _this or another moref argument that must exist */
  target(call: XNode, name = '_this', ctx?: CallCtx): MoRef {
    const ref = moOf(child(call, name));
    if (!ref) throw new SimFault('InvalidRequest', `missing ${name}`);
    if (ctx ? !this.props(ref, ctx) : !this.inv.exists(ref)) throw notFound(ref);
    return ref;
  }

  vmOf(call: XNode, name = '_this') {
    const ref = this.target(call, name);
    if (ref.type !== 'VirtualMachine') throw notFound(ref);
    return this.inv.vms.get(ref.value) as NonNullable<ReturnType<typeof this.inv.vms.get>>;
  }
}

export const refs = (list: MoRef[]) => new Arr('ManagedObjectReference', list);
export { MoRef, obj };
