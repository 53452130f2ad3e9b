// The checks VerifySourceFrozen makes on one source VM and its host (DESIGN section 2, step 2).
import type { MoRef, NicBacking, VirtualEthernetCard } from '../vsphere/index.js';
import { SourceNotFrozenError, UnsupportedVersionError } from './errors.js';
import { HOST_MEMORY_PATHS } from './host-memory.js';
import { selectIp } from './ip-selection.js';
import { MIN_VERSION } from './session.js';
import type { SourceFacts } from './states.js';
import { versionAtLeast } from './versions.js';
import { firstNic, list, truthy } from './vsphere-ops.js';

export const VM_PATHS = [
  'runtime.powerState',
  'runtime.instantCloneFrozen',
  'runtime.host',
  'guest.guestFamily',
  'config.guestId',
  'config.hardware.device',
  'config.hardware.memoryMB',
  'guest.ipAddress',
  'guest.net',
];
export const HOST_PATHS = ['name', 'config.product.version', ...HOST_MEMORY_PATHS];

/** Validates one source and returns its facts; `what` names it for messages (source name and path). */
export function checkSource(
  what: string,
  vm: MoRef,
  props: Record<string, unknown>,
  host: Record<string, unknown>,
  networkBacking: NicBacking | null,
): SourceFacts {
  const hostVersion = String(host['config.product.version'] ?? '');
  if (!versionAtLeast(hostVersion, MIN_VERSION)) {
    throw new UnsupportedVersionError(
      `${what}: host ${String(host.name)} runs ESXi ${hostVersion || 'unknown'}`,
    );
  }
  const power = String(props['runtime.powerState']);
  if (power !== 'poweredOn' || !truthy(props['runtime.instantCloneFrozen'])) {
    throw new SourceNotFrozenError(
      `${what} is ${power === 'poweredOn' ? 'powered on but not frozen' : power} (runtime.instantCloneFrozen is not true)`,
    );
  }
  const nic = firstNic(props['config.hardware.device']);
  if (!nic)
    throw new SourceNotFrozenError(`${what} has no Ethernet adapter to clone a network identity from`);
  const mac = nic.macAddress ?? '';
  const reported = typeof props['guest.ipAddress'] === 'string' ? props['guest.ipAddress'] : null;
  const ip = reported ?? selectIp(list(props['guest.net']), { cloneMac: mac, sourceIp: null });
  const family = props['guest.guestFamily'] ?? props['config.guestId'];
  const {
    deviceInfo: _label,
    connectable: _c,
    ...device
  } = nic as VirtualEthernetCard & { deviceInfo?: unknown };
  return {
    vm,
    host: props['runtime.host'] as MoRef,
    hostName: String(host.name ?? ''),
    guestFamily: typeof family === 'string' ? family : null,
    nic: device,
    networkBacking: networkBacking as SourceFacts['networkBacking'],
    ip,
  };
}
