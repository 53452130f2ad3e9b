// ViewManager: CreateContainerView / DestroyView; a ContainerView's `view` is computed on every read.
import { randomUUID } from 'node:crypto';
import { notFound } from './faults.js';
import type { CallCtx, Sim } from './sim.js';
import { Arr, bool, MoRef, type Obj, obj, str } from './values.js';
import { child, kids, moOf, textOf } from './xml.js';

interface View {
  container: MoRef;
  types: string[];
  recursive: boolean;
}

const views = new WeakMap<Sim, Map<string, View>>();
const viewsOf = (sim: Sim) => {
  let m = views.get(sim);
  if (!m) {
    m = new Map();
    views.set(sim, m);
  }
  return m;
};

function childrenOf(sim: Sim, ref: MoRef, ctx: CallCtx): MoRef[] {
  const p = sim.props(ref, ctx);
  if (!p) return [];
  const names =
    ref.type === 'Folder'
      ? ['childEntity']
      : ref.type === 'Datacenter'
        ? ['vmFolder', 'hostFolder', 'datastoreFolder', 'networkFolder']
        : ref.type === 'ClusterComputeResource'
          ? ['host', 'resourcePool']
          : [];
  const out: MoRef[] = [];
  for (const n of names) {
    const v = p.get(n);
    if (v instanceof MoRef) out.push(v);
    else if (v instanceof Arr) for (const i of v.items) if (i instanceof MoRef) out.push(i);
  }
  return out;
}

function viewContents(sim: Sim, v: View, ctx: CallCtx): MoRef[] {
  const out: MoRef[] = [];
  const seen = new Set<string>();
  const visit = (ref: MoRef) => {
    for (const c of childrenOf(sim, ref, ctx)) {
      const key = `${c.type}:${c.value}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (v.types.length === 0 || v.types.includes(c.type) || v.types.includes('ManagedEntity')) out.push(c);
      if (v.recursive) visit(c);
    }
  };
  visit(v.container);
  return out;
}

export function registerViewManager(sim: Sim): void {
  sim.register({
    CreateContainerView: (s, call, ctx) => {
      const container = s.target(call, 'container', ctx);
      const id = `session[${ctx.session?.key}]${randomUUID()}`;
      viewsOf(s).set(id, {
        container,
        types: kids(call, 'type').map((t) => t.text.trim()),
        recursive: textOf(call, 'recursive') === 'true',
      });
      return new MoRef('ContainerView', id);
    },
    DestroyView: (s, call) => {
      const ref = moOf(child(call, '_this'));
      if (!ref || !viewsOf(s).delete(ref.value)) throw notFound(ref ?? new MoRef('ContainerView', '?'));
      return undefined;
    },
  });
  sim.providers.push((ref, s, ctx): Obj | undefined => {
    if (ref.type !== 'ContainerView') return undefined;
    const v = viewsOf(s).get(ref.value);
    if (!v) return undefined;
    return obj('ContainerView', {
      container: v.container,
      type: new Arr('string', v.types.map(str)),
      recursive: bool(v.recursive),
      view: new Arr('ManagedObjectReference', viewContents(s, v, ctx)),
    });
  });
}
