// PropertyCollector: RetrieveProperties(Ex), ContinueRetrievePropertiesEx, traversal of ObjectSpec/TraversalSpec.
import { invalidProperty, notFound, SimFault } from './faults.js';
import { registerPropertyFilters } from './property-filter.js';
import { Sessions } from './session-manager.js';
import type { CallCtx, Sim } from './sim.js';
import { Arr, MoRef, type Obj, obj, str, type Val, walk } from './values.js';
import { isValidPath } from './vim25-types.js';
import { child, kids, moOf, textOf, type XNode } from './xml.js';

export interface Found {
  ref: MoRef;
  props: [string, Val][];
}

const INVENTORY = new Set([
  'Folder',
  'Datacenter',
  'VirtualMachine',
  'HostSystem',
  'ClusterComputeResource',
  'ComputeResource',
  'ResourcePool',
  'Network',
  'Datastore',
]);
const typeMatches = (want: string, actual: string) =>
  want === actual ||
  (want === 'ManagedEntity' && INVENTORY.has(actual)) ||
  (want === 'ComputeResource' && actual === 'ClusterComputeResource');

const pathsOf = (propSet: XNode) => kids(propSet, 'pathSet').map((p) => p.text.trim());

/** vCenter fails the whole call when a pathSet names a property the type does not have. */
export function checkPaths(spec: XNode): void {
  for (const ps of kids(spec, 'propSet')) {
    const type = textOf(ps, 'type') ?? '';
    for (const path of pathsOf(ps)) if (!isValidPath(type, path)) throw invalidProperty(path);
  }
}

/**
 * A retrieve by a caller without a live session: HTTP 200, each root object with every requested property in
 * missingSet as NotAuthenticated (vCenter and vcsim; pyvmomi issues #43 and #294). Nothing is traversed and
 * nothing tells whether an object exists, so a lost session never reads as "no such VM".
 */
function unauthenticated(specs: XNode[]): Obj[] {
  const out: Obj[] = [];
  for (const spec of specs) {
    const propSets = kids(spec, 'propSet');
    for (const os of kids(spec, 'objectSet')) {
      const ref = moOf(child(os, 'obj'));
      if (!ref) continue;
      const own = propSets.filter((p) => typeMatches(textOf(p, 'type') ?? '', ref.type));
      const paths = [...new Set((own.length ? own : propSets).flatMap(pathsOf))];
      const fault = Sessions.notAuthenticated(ref);
      out.push(
        obj('ObjectContent', {
          obj: ref,
          missingSet: new Arr(
            'MissingProperty',
            (paths.length ? paths : ['']).map((path) =>
              obj('MissingProperty', {
                path: str(path),
                fault: obj('LocalizedMethodFault', {
                  fault: fault.detail(),
                  localizedMessage: str(fault.message),
                }),
              }),
            ),
          ),
        }),
      );
    }
  }
  return out;
}

/** Evaluates one PropertyFilterSpec. `strict` throws ManagedObjectNotFound for a missing root object. */
export function collect(sim: Sim, spec: XNode, ctx: CallCtx, strict: boolean): Found[] {
  if (strict) checkPaths(spec);
  const named = new Map<string, XNode>();
  const indexSpecs = (n: XNode) => {
    for (const s of kids(n, 'selectSet')) {
      const name = textOf(s, 'name');
      if (name && child(s, 'path') && !named.has(name)) named.set(name, s);
      indexSpecs(s);
    }
  };
  for (const os of kids(spec, 'objectSet')) indexSpecs(os);

  const found = new Map<string, MoRef>();
  const visited = new Set<string>();
  const follow = (ref: MoRef, selectSet: XNode[]) => {
    for (let sel of selectSet) {
      if (!child(sel, 'path')) sel = named.get(textOf(sel, 'name') ?? '') ?? sel;
      const type = textOf(sel, 'type');
      const path = textOf(sel, 'path');
      if (!type || !path || !typeMatches(type, ref.type)) continue;
      const key = `${ref.type}:${ref.value}/${textOf(sel, 'name') ?? path}`;
      if (visited.has(key)) continue;
      visited.add(key);
      const root = sim.props(ref, ctx);
      const v = root ? walk(root, path) : undefined;
      const targets =
        v instanceof MoRef
          ? [v]
          : v instanceof Arr
            ? v.items.filter((i): i is MoRef => i instanceof MoRef)
            : [];
      for (const t of targets) {
        if (textOf(sel, 'skip') !== 'true') found.set(`${t.type}:${t.value}`, t);
        follow(t, kids(sel, 'selectSet'));
      }
    }
  };
  for (const os of kids(spec, 'objectSet')) {
    const ref = moOf(child(os, 'obj'));
    if (!ref) continue;
    if (!sim.props(ref, ctx)) {
      if (strict) throw notFound(ref);
      continue;
    }
    if (textOf(os, 'skip') !== 'true') found.set(`${ref.type}:${ref.value}`, ref);
    follow(ref, kids(os, 'selectSet'));
  }

  const out: Found[] = [];
  for (const ref of found.values()) {
    const root = sim.props(ref, ctx);
    if (!root) continue;
    const propSets = kids(spec, 'propSet').filter((p) => typeMatches(textOf(p, 'type') ?? '', ref.type));
    if (!propSets.length) continue;
    const props: [string, Val][] = [];
    for (const ps of propSets) {
      const paths = textOf(ps, 'all') === 'true' ? root.fields.map(([k]) => k) : pathsOf(ps);
      for (const p of paths) {
        const v = walk(root, p);
        if (v !== undefined && !props.some(([k]) => k === p)) props.push([p, v]);
      }
    }
    out.push({ ref, props });
  }
  return out;
}

export const objectContent = (f: Found): Obj =>
  obj('ObjectContent', {
    obj: f.ref,
    propSet: new Arr(
      'DynamicProperty',
      f.props.map(([name, val]) => obj('DynamicProperty', { name: str(name), val })),
    ),
  });

const pages = new WeakMap<Sim, Map<string, { session: string; rest: Found[]; page: number }>>();
let tokenSeq = 1;

function page(sim: Sim, all: Found[], max: number, ctx: CallCtx): Obj | undefined {
  if (!all.length) return undefined;
  const size = max > 0 ? max : all.length;
  let token: string | undefined;
  if (all.length > size) {
    token = String(tokenSeq++);
    let m = pages.get(sim);
    if (!m) {
      m = new Map();
      pages.set(sim, m);
    }
    m.set(token, { session: ctx.session?.key ?? '', rest: all.slice(size), page: size });
  }
  return obj('RetrieveResult', {
    token: token ? str(token) : undefined,
    objects: new Arr('ObjectContent', all.slice(0, size).map(objectContent)),
  });
}

export function registerPropertyCollector(sim: Sim): void {
  sim.register({
    RetrieveProperties: (s, call, ctx) => {
      if (!ctx.session) return new Arr('ObjectContent', unauthenticated(kids(call, 'specSet')));
      return new Arr(
        'ObjectContent',
        kids(call, 'specSet')
          .flatMap((sp) => collect(s, sp, ctx, true))
          .map(objectContent),
      );
    },
    RetrievePropertiesEx: (s, call, ctx) => {
      if (!ctx.session) {
        const objects = unauthenticated(kids(call, 'specSet'));
        return objects.length
          ? obj('RetrieveResult', { objects: new Arr('ObjectContent', objects) })
          : undefined;
      }
      const all = kids(call, 'specSet').flatMap((sp) => collect(s, sp, ctx, true));
      return page(s, all, Number(textOf(child(call, 'options'), 'maxObjects') ?? 0), ctx);
    },
    ContinueRetrievePropertiesEx: (s, call, ctx) => {
      const token = textOf(call, 'token') ?? '';
      const p = pages.get(s)?.get(token);
      if (!p || p.session !== ctx.session?.key)
        throw new SimFault('InvalidArgument', 'A specified parameter was not correct: token', [
          ['invalidProperty', str('token')],
        ]);
      pages.get(s)?.delete(token);
      return page(s, p.rest, p.page, ctx);
    },
    CancelRetrievePropertiesEx: (s, call) => {
      pages.get(s)?.delete(textOf(call, 'token') ?? '');
      return undefined;
    },
  });
  registerPropertyFilters(sim);
}
