// The throttle against a real DynamoDB implementation (dynalite) through the real SDK client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PermitStore, startPermitStore } from '../../local/runner/permit-store.js';
import { Throttle } from './throttle.js';

describe('Throttle (DynamoDB conditional writes, dynalite)', () => {
  let store: PermitStore;
  beforeAll(async () => {
    store = await startPermitStore();
  });
  afterAll(() => store.stop());

  const throttle = (vcenter: string, clone = 3) =>
    new Throttle({
      client: store.client(),
      tableName: store.tableName,
      vcenter,
      limits: { clone, reconfigure: 1, guest: 1, teardown: 1 },
    });

  it('never lets more than the limit hold a permit at once, across independent throttles', async () => {
    let inside = 0;
    let peak = 0;
    const work = async () => {
      inside++;
      peak = Math.max(peak, inside);
      // long enough that the other holders' conditional writes land meanwhile on a loaded machine (20 ms did not)
      await new Promise((r) => setTimeout(r, 250));
      inside--;
    };
    // two "Lambdas" (clients) per vCenter, 24 operations
    const a = throttle('vc-a');
    const b = throttle('vc-a');
    await Promise.all(
      Array.from({ length: 24 }, (_, i) => (i % 2 ? a : b).with('clone', 10_000, 60_000, work)),
    );
    expect(peak).toBe(3);
  });

  it('keeps vCenters and kinds apart', async () => {
    const t = throttle('vc-b', 1);
    const p1 = await t.acquire('clone', 10_000, 0);
    const p2 = await throttle('vc-c', 1).acquire('clone', 10_000, 0);
    const p3 = await t.acquire('teardown', 10_000, 0);
    await expect(t.acquire('clone', 10_000, 100)).rejects.toMatchObject({ name: 'VcenterUnavailable' });
    for (const p of [p1, p2, p3]) await t.release(p);
  });

  it('a holder that dies loses its permit when the lease expires; its late release frees nothing of others', async () => {
    const t = throttle('vc-d', 1);
    // Never released: the Lambda died. Its lease is long enough that a loaded machine cannot let it expire
    // before the refused attempt below, and short enough for the wait after it.
    const dead = await t.acquire('clone', 2_000, 0);
    await expect(t.acquire('clone', 10_000, 50)).rejects.toMatchObject({ name: 'VcenterUnavailable' });
    const next = await t.acquire('clone', 10_000, 15_000);
    expect(next.slot).toBe(dead.slot);
    await t.release(dead); // the dead holder's late release must not free the new holder's slot
    await expect(t.acquire('clone', 10_000, 50)).rejects.toThrow(/throttle/);
    await t.release(next);
    await t.release(await t.acquire('clone', 10_000, 0));
  });
});
