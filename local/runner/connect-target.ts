// A quiet vSphere session to the runner's target (the simulator or a real vCenter): the runner reports on its
// own, so the client's warnings stay out of the progress output.
import { VsphereClient } from '../../lambdas/vsphere/index.js';
import type { VcenterTarget } from './types.js';

export function connectTarget(target: VcenterTarget): Promise<VsphereClient> {
  return VsphereClient.connect({
    url: target.url,
    username: target.username,
    password: target.password,
    ...(target.insecure ? { insecure: true } : {}),
    ...(target.caPem ? { caPem: target.caPem } : {}),
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
}
