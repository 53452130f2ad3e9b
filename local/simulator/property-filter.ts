// PropertyFilter + WaitForUpdatesEx: a real long-poll. Each filter remembers what it last reported
// (serialised), so a call returns only what changed since, or nothing when maxWaitSeconds runs out.
import { randomUUID } from 'node:crypto';
import { notFound } from './faults.js';
import { collect } from './property-collector.js';
import type { CallCtx, Sim } from './sim.js';
import { Arr, bool, enumv, MoRef, type Obj, obj, str, type Val } from './values.js';
import { child, moOf, ser, textOf, type XNode } from './xml.js';

interface Filter {
  id: string;
  spec: XNode;
  partial: boolean;
  session: string;
  last: Map<string, Map<string, string>>;
}

interface SessionState {
  version: number;
  filters: Map<string, Filter>;
}

const state = new WeakMap<Sim, Map<string, SessionState>>();
function stateOf(sim: Sim, ctx: CallCtx): SessionState {
  let m = state.get(sim);
  if (!m) {
    m = new Map();
    state.set(sim, m);
  }
  const key = ctx.session?.key ?? '';
  let s = m.get(key);
  if (!s) {
    s = { version: 0, filters: new Map() };
    m.set(key, s);
  }
  return s;
}

/** Filters that exist now: those of live sessions (a filter dies with its session, as in vCenter). */
export function openFilterCount(sim: Sim): number {
  let n = 0;
  for (const [key, s] of state.get(sim) ?? []) if (sim.sessions.get(key)) n += s.filters.size;
  return n;
}

function diff(sim: Sim, f: Filter, ctx: CallCtx): Obj | undefined {
  const now = collect(sim, f.spec, ctx, false);
  const updates: Obj[] = [];
  const seen = new Set<string>();
  for (const found of now) {
    const key = `${found.ref.type}:${found.ref.value}`;
    seen.add(key);
    const before = f.last.get(key);
    const after = new Map(found.props.map(([k, v]) => [k, ser('v', v, true)]));
    const changes: Obj[] = [];
    for (const [k, v] of found.props)
      if (before?.get(k) !== after.get(k)) changes.push(change(k, 'assign', v));
    if (before) for (const k of before.keys()) if (!after.has(k)) changes.push(change(k, 'remove'));
    f.last.set(key, after);
    if (!before) updates.push(objectUpdate('enter', found.ref, changes));
    else if (changes.length) updates.push(objectUpdate('modify', found.ref, changes));
  }
  for (const key of [...f.last.keys()]) {
    if (seen.has(key)) continue;
    f.last.delete(key);
    const [type = '', value = ''] = key.split(/:(.*)/s);
    updates.push(objectUpdate('leave', new MoRef(type, value), []));
  }
  if (!updates.length) return undefined;
  return obj('PropertyFilterUpdate', {
    filter: new MoRef('PropertyFilter', f.id),
    objectSet: new Arr('ObjectUpdate', updates),
  });
}

const change = (name: string, op: string, val?: Val) =>
  obj('PropertyChange', { name: str(name), op: enumv('PropertyChangeOp', op), val });
const objectUpdate = (kind: string, ref: MoRef, changes: Obj[]) =>
  obj('ObjectUpdate', {
    kind: enumv('ObjectUpdateKind', kind),
    obj: ref,
    changeSet: new Arr('PropertyChange', changes),
  });

async function waitForUpdates(sim: Sim, call: XNode, ctx: CallCtx): Promise<Obj | undefined> {
  const st = stateOf(sim, ctx);
  const version = textOf(call, 'version') ?? '';
  if (version === '') for (const f of st.filters.values()) f.last.clear();
  const mws = textOf(child(call, 'options'), 'maxWaitSeconds');
  const deadline = Date.now() + (mws === undefined ? 600_000 : Number(mws) * 1000);
  for (;;) {
    const sets = [...st.filters.values()].map((f) => diff(sim, f, ctx)).filter((x): x is Obj => !!x);
    if (sets.length) {
      st.version++;
      return obj('UpdateSet', {
        version: str(String(st.version)),
        filterSet: new Arr('PropertyFilterUpdate', sets),
        truncated: bool(false),
      });
    }
    const left = deadline - Date.now();
    if (left <= 0 || !sim.sessions.get(ctx.session?.key)) return undefined;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sim.inv.events.off('change', done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(left, 1000));
      sim.inv.events.on('change', done);
    });
  }
}

export function registerPropertyFilters(sim: Sim): void {
  sim.register({
    CreateFilter: (s, call, ctx) => {
      const spec = child(call, 'spec');
      if (!spec) return undefined;
      collect(s, spec, ctx, true);
      const id = `session[${ctx.session?.key}]${randomUUID()}`;
      stateOf(s, ctx).filters.set(id, {
        id,
        spec,
        partial: textOf(call, 'partialUpdates') === 'true',
        session: ctx.session?.key ?? '',
        last: new Map(),
      });
      return new MoRef('PropertyFilter', id);
    },
    DestroyPropertyFilter: (s, call, ctx) => {
      const ref = moOf(child(call, '_this')) ?? new MoRef('PropertyFilter', '?');
      if (!stateOf(s, ctx).filters.delete(ref.value)) throw notFound(ref);
      s.inv.changed();
      return undefined;
    },
    WaitForUpdatesEx: (s, call, ctx) => waitForUpdates(s, call, ctx),
    WaitForUpdates: (s, call, ctx) => waitForUpdates(s, call, ctx),
    CheckForUpdates: (s, call, ctx) => {
      const opts = {
        ...call,
        children: [
          ...call.children.filter((c) => c.name !== 'options'),
          {
            name: 'options',
            attrs: {},
            text: '',
            children: [{ name: 'maxWaitSeconds', attrs: {}, text: '0', children: [] }],
          },
        ],
      };
      return waitForUpdates(s, opts, ctx);
    },
  });
  sim.providers.push((ref, s, ctx) => {
    if (ref.type !== 'PropertyFilter') return undefined;
    const f = stateOf(s, ctx).filters.get(ref.value);
    return f ? obj('PropertyFilter', { partialUpdates: bool(f.partial) }) : undefined;
  });
}
