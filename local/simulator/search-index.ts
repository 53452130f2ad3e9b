// SearchIndex: FindByInventoryPath, FindChild.
import type { Sim } from './sim.js';
import { child, moOf, textOf } from './xml.js';

export function registerSearchIndex(sim: Sim): void {
  sim.register({
    FindByInventoryPath: (s, call) => s.inv.findByPath(textOf(call, 'inventoryPath') ?? ''),
    FindChild: (s, call, ctx) => {
      const entity = moOf(child(call, 'entity'));
      const name = textOf(call, 'name');
      if (!entity) return undefined;
      const kids = s.props(entity, ctx)?.get('childEntity');
      const list = kids && 'items' in kids ? kids.items : [];
      return list.find(
        (r) =>
          'type' in r &&
          'value' in r &&
          s.props(r, ctx)?.get('name')?.toString() !== undefined &&
          (s.props(r, ctx)?.get('name') as { value?: string })?.value === name,
      ) as ReturnType<typeof moOf>;
    },
  });
}
