// Resolves the request's `network` (a port group name or inventory path) to the NIC backing InstantClone
// puts on the clone's first NIC: a standard port group or a distributed one.
import type { NicBacking, VsphereClient } from '../vsphere/index.js';
import { InvalidRequestError } from './errors.js';
import { findVm, propsOf } from './vsphere-ops.js';

/** `DC0/vm/templates/src` → `DC0`. */
export function datacenterOf(path: string): string {
  return path.replace(/^\/+/, '').split('/vm/')[0] ?? '';
}

export async function resolveNetwork(
  c: VsphereClient,
  datacenter: string,
  network: string,
): Promise<NicBacking> {
  const path = network.includes('/') ? network : `${datacenter}/network/${network}`;
  const ref = await findVm(c, path);
  if (!ref) throw new InvalidRequestError(`network: no port group '${network}' at ${path}`);
  const name = network.split('/').pop() ?? network;
  if (ref.type !== 'DistributedVirtualPortgroup') {
    return { _type: 'VirtualEthernetCardNetworkBackingInfo', deviceName: name, network: ref };
  }
  const pg = await propsOf(c, ref, ['config.key', 'config.distributedVirtualSwitch']);
  const dvs = await propsOf(c, pg['config.distributedVirtualSwitch'] as never, ['uuid']);
  return {
    _type: 'VirtualEthernetCardDistributedVirtualPortBackingInfo',
    port: { switchUuid: String(dvs.uuid), portgroupKey: String(pg['config.key']) },
  };
}
