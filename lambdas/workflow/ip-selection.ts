// Which guest-reported address counts as the clone's IP. A frozen source's guest data is copied into the clone
// until Tools report again, so the address must sit on the clone's own MAC and differ from the source's IP.

export interface GuestIpAddress {
  ipAddress: string;
  prefixLength?: number;
  origin?: string;
  state?: string;
}

export interface GuestNic {
  macAddress?: string;
  connected?: boolean;
  ipAddress?: string[];
  ipConfig?: { ipAddress?: GuestIpAddress[] };
}

export interface IpCriteria {
  cloneMac: string;
  sourceIp: string | null;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export function isUsableIpv4(ip: string, sourceIp: string | null): boolean {
  return (
    IPV4.test(ip) &&
    !ip.startsWith('169.254.') &&
    !ip.startsWith('127.') &&
    ip !== '0.0.0.0' &&
    ip !== sourceIp
  );
}

function sameMac(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase().replaceAll('-', ':') === b.toLowerCase().replaceAll('-', ':');
}

/** The first acceptable IPv4 address in guest.net, or null. */
export function selectIp(nics: GuestNic[] | undefined, criteria: IpCriteria): string | null {
  for (const nic of nics ?? []) {
    if (!sameMac(nic.macAddress, criteria.cloneMac)) continue;
    const detailed = nic.ipConfig?.ipAddress;
    if (detailed && detailed.length > 0) {
      const hit = detailed.find(
        (a) =>
          a.origin !== 'linklayer' &&
          (a.state === undefined || a.state === 'preferred') &&
          isUsableIpv4(a.ipAddress, criteria.sourceIp),
      );
      if (hit) return hit.ipAddress;
      continue;
    }
    // Older Tools report only the flat list, without origin/state.
    const flat = nic.ipAddress?.find((ip) => isUsableIpv4(ip, criteria.sourceIp));
    if (flat) return flat;
  }
  return null;
}

/** Every IPv4 address guest.net shows on the clone's MAC that a host could be reached on, in order. */
export function addressesOnMac(nics: GuestNic[] | undefined, cloneMac: string): string[] {
  return (nics ?? [])
    .filter((nic) => sameMac(nic.macAddress, cloneMac))
    .flatMap((nic) => {
      const detailed = nic.ipConfig?.ipAddress;
      if (detailed && detailed.length > 0)
        return detailed
          .filter((a) => a.origin !== 'linklayer' && (a.state === undefined || a.state === 'preferred'))
          .map((a) => a.ipAddress);
      return nic.ipAddress ?? [];
    })
    .filter((ip) => isUsableIpv4(ip, null));
}

export type IpVerdict = { ip: string } | { mismatch: string[] } | null;

/**
 * What the guest's addresses on the clone's NIC say. DHCP: the first usable one that is not the source's.
 * Static: the static address, and nothing else; any other address (a DHCP lease beside it or instead of it)
 * is a mismatch. null: nothing usable yet.
 */
export function judgeAddresses(
  addresses: string[],
  criteria: IpCriteria,
  staticIp: string | null,
): IpVerdict {
  if (!staticIp) {
    const ip = firstUsable(addresses, criteria.sourceIp);
    return ip ? { ip } : null;
  }
  const usable = [...new Set(addresses.filter((ip) => isUsableIpv4(ip, null)))];
  if (usable.length === 0) return null;
  if (usable.length === 1 && usable[0] === staticIp) return { ip: staticIp };
  return { mismatch: usable };
}

/** The first acceptable address among those a refresh script reported, or null. */
export function firstUsable(candidates: string[], sourceIp: string | null): string | null {
  return candidates.find((ip) => isUsableIpv4(ip, sourceIp)) ?? null;
}
