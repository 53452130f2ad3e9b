// Checks on a request's staticIps beyond their syntax: each clone gets an address a host can hold on the
// gateway's subnet, and no two clones get the same one. Used by the request schema (request.ts), so a bad
// address fails ValidateRequest with InvalidRequest naming the field.
import type * as z from 'zod';

const toInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const maskOf = (prefix: number) => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

const SPECIAL: { base: string; prefix: number; what: string }[] = [
  { base: '0.0.0.0', prefix: 8, what: 'in 0.0.0.0/8 ("this network")' },
  { base: '127.0.0.0', prefix: 8, what: 'a loopback address' },
  { base: '169.254.0.0', prefix: 16, what: 'a link-local address' },
  { base: '224.0.0.0', prefix: 4, what: 'a multicast address' },
  { base: '240.0.0.0', prefix: 4, what: 'a reserved address (240.0.0.0/4, broadcast)' },
];

/** Why `ip` cannot be a host's address on a /prefix subnet, or undefined when it can. */
export function hostAddressProblem(ip: string, prefix: number): string | undefined {
  const n = toInt(ip);
  for (const s of SPECIAL) {
    if ((n & maskOf(s.prefix)) >>> 0 === toInt(s.base)) return `${ip} is ${s.what}`;
  }
  if (prefix <= 30) {
    const host = ~maskOf(prefix) >>> 0;
    if ((n & host) >>> 0 === 0) return `${ip} is the network address of its /${prefix} subnet`;
    if ((n & host) >>> 0 === host) return `${ip} is the broadcast address of its /${prefix} subnet`;
  }
  return undefined;
}

export interface StaticIpsInput {
  addresses: string[];
  prefixLength: number;
  gateway: string;
}

/** zod superRefine for staticIps: every problem becomes an issue at the field it is about. */
export function checkStaticIps(value: StaticIpsInput, ctx: z.RefinementCtx): void {
  const { addresses, prefixLength, gateway } = value;
  const mask = maskOf(prefixLength);
  const subnet = (ip: string) => (toInt(ip) & mask) >>> 0;
  const gatewayProblem = hostAddressProblem(gateway, prefixLength);
  if (gatewayProblem) ctx.addIssue({ code: 'custom', path: ['gateway'], message: gatewayProblem });
  const seen = new Map<string, number>();
  addresses.forEach((ip, i) => {
    const path = ['addresses', i];
    const problem = hostAddressProblem(ip, prefixLength);
    if (problem) ctx.addIssue({ code: 'custom', path, message: problem });
    const first = seen.get(ip);
    if (first !== undefined)
      ctx.addIssue({
        code: 'custom',
        path,
        message: `${ip} is already addresses[${first}]: one address per clone`,
      });
    else seen.set(ip, i);
    if (ip === gateway)
      ctx.addIssue({ code: 'custom', path, message: `${ip} is the gateway; a clone cannot hold it` });
    else if (subnet(ip) !== subnet(gateway))
      ctx.addIssue({
        code: 'custom',
        path: ['gateway'],
        message: `${gateway} is outside ${ip}/${prefixLength}: the gateway must be on the clones' subnet`,
      });
  });
}
