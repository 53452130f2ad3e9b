import type { NicBacking, VirtualDeviceConfigSpec, VirtualEthernetCard } from './types.js';

/**
 * The WSDL declares `backing` as the standard-network backing; other backings' fields are
 * ordered here (node-soap writes undeclared subtype fields in JS key order).
 */
function backing(b: NicBacking): object {
  switch (b._type) {
    case 'VirtualEthernetCardNetworkBackingInfo':
      return {
        _type: b._type,
        deviceName: b.deviceName,
        useAutoDetect: b.useAutoDetect,
        network: b.network,
        inPassthroughMode: b.inPassthroughMode,
      };
    case 'VirtualEthernetCardDistributedVirtualPortBackingInfo':
      return {
        _type: b._type,
        port: {
          switchUuid: b.port.switchUuid,
          portgroupKey: b.port.portgroupKey,
          portKey: b.port.portKey,
          connectionCookie: b.port.connectionCookie,
        },
      };
    case 'VirtualEthernetCardOpaqueNetworkBackingInfo':
      return { _type: b._type, opaqueNetworkId: b.opaqueNetworkId, opaqueNetworkType: b.opaqueNetworkType };
  }
}

/** A NIC device in WSDL order, with its concrete type as `_type` (→ xsi:type). */
export function nicDevice(d: VirtualEthernetCard): object {
  return {
    _type: d._type,
    key: d.key,
    deviceInfo: d.deviceInfo && { label: d.deviceInfo.label, summary: d.deviceInfo.summary },
    backing: d.backing && backing(d.backing),
    connectable: d.connectable && {
      migrateConnect: d.connectable.migrateConnect,
      startConnected: d.connectable.startConnected,
      allowGuestControl: d.connectable.allowGuestControl,
      connected: d.connectable.connected,
      status: d.connectable.status,
    },
    controllerKey: d.controllerKey,
    unitNumber: d.unitNumber,
    addressType: d.addressType,
    macAddress: d.macAddress,
    wakeOnLanEnabled: d.wakeOnLanEnabled,
    externalId: d.externalId,
    uptCompatibilityEnabled: d.uptCompatibilityEnabled,
  };
}

/** deviceChange entries for ReconfigVM / RelocateSpec. */
export function deviceChanges(changes: VirtualDeviceConfigSpec[] | undefined): object[] | undefined {
  return changes?.map((ch) => ({ operation: ch.operation, device: nicDevice(ch.device) }));
}
