// SearchIndex: FindByInventoryPath, FindChild.
import type { Sim } from './sim.js';
import { Arr, MoRef, Prim } from './values.js';
import { child, moOf, textOf } from './xml.js';

export function registerSearchIndex(sim: Sim): void {
  sim.register({
    FindByInventoryPath: (s, call) => s.inv.findByPath(textOf(call, 'inventoryPath') ?? ''),
    FindChild: (s, call, ctx) => {
      const entity = moOf(child(call, 'entity'));
      const name = textOf(call, 'name');
      if (!entity) return undefined;
      const kids = s.props(entity, ctx)?.get('childEntity');
      return (kids instanceof Arr ? kids.items : []).find((r): r is MoRef => {
        const n = r instanceof MoRef ? s.props(r, ctx)?.get('name') : undefined;
        return n instanceof Prim && n.value === name;
      });
    },
  });
}
