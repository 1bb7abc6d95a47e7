// IPAM math for managed networks (IPv4): lowest free address of the pool; the network,
// broadcast and gateway addresses are never given; static addresses are validated.
import ipaddr from "ipaddr.js";

export type IpamNetwork = { cidr: string; gateway?: string | null; poolStart?: string | null; poolEnd?: string | null };

interface Parsed {
  base: number; // network address
  prefix: number;
  first: number; // network address
  last: number; // broadcast address
  gateway: number | null;
  poolStart: number;
  poolEnd: number;
}

function toInt(a: ipaddr.IPv4): number {
  const o = a.octets;
  return ((o[0] << 24) >>> 0) + (o[1] << 16) + (o[2] << 8) + o[3];
}

function toStr(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

function parseV4(s: string | null | undefined): number | null {
  if (!s) return null;
  try {
    if (!ipaddr.IPv4.isValidFourPartDecimal(s.trim())) return null;
    return toInt(ipaddr.IPv4.parse(s.trim()));
  } catch {
    return null;
  }
}

function parseCidr(cidr: string): { base: number; prefix: number; hostBits: boolean } | null {
  try {
    const [addr, prefix] = ipaddr.parseCIDR(cidr.trim());
    if (addr.kind() !== "ipv4") return null;
    const n = toInt(addr as ipaddr.IPv4);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    const base = (n & mask) >>> 0;
    return { base, prefix, hostBits: base !== n };
  } catch {
    return null;
  }
}

/** Usable range of a CIDR: /31 and /32 have no network/broadcast address (RFC 3021). */
function usableRange(base: number, prefix: number): [number, number, number, number] {
  const size = 2 ** (32 - prefix);
  const last = base + size - 1;
  if (prefix >= 31) return [base, last, base, last];
  return [base, last, base + 1, last - 1];
}

function parseNet(net: IpamNetwork): Parsed | null {
  const c = parseCidr(net.cidr);
  if (!c) return null;
  const [first, last, lo, hi] = usableRange(c.base, c.prefix);
  const gw = parseV4(net.gateway);
  const ps = parseV4(net.poolStart);
  const pe = parseV4(net.poolEnd);
  return {
    base: c.base,
    prefix: c.prefix,
    first,
    last,
    gateway: gw,
    poolStart: Math.max(lo, ps ?? lo),
    poolEnd: Math.min(hi, pe ?? hi),
  };
}

function reserved(p: Parsed, n: number): boolean {
  if (p.prefix < 31 && (n === p.first || n === p.last)) return true;
  return n === p.gateway;
}

function usedInts(used: Iterable<string>): Set<number> {
  const s = new Set<number>();
  for (const u of used) {
    const n = parseV4(u);
    if (n !== null) s.add(n);
  }
  return s;
}

/** Problems with a managed network's addressing (empty when fine). */
export function validateNetworkConfig(net: IpamNetwork): string[] {
  const problems: string[] = [];
  const c = parseCidr(net.cidr ?? "");
  if (!c) return [`CIDR "${net.cidr}" is not a valid IPv4 network (e.g. 10.10.0.0/24)`];
  if (c.hostBits) problems.push(`CIDR ${net.cidr} has host bits set; the network is ${toStr(c.base)}/${c.prefix}`);
  const [first, last] = usableRange(c.base, c.prefix);
  const inside = (n: number) => n >= first && n <= last;
  const gw = parseV4(net.gateway);
  if (net.gateway && gw === null) problems.push(`gateway "${net.gateway}" is not a valid IPv4 address`);
  if (gw !== null) {
    if (!inside(gw)) problems.push(`gateway ${net.gateway} is outside ${net.cidr}`);
    else if (c.prefix < 31 && gw === first) problems.push(`gateway ${net.gateway} is the network address`);
    else if (c.prefix < 31 && gw === last) problems.push(`gateway ${net.gateway} is the broadcast address`);
  }
  const ps = parseV4(net.poolStart);
  const pe = parseV4(net.poolEnd);
  if (net.poolStart && ps === null) problems.push(`pool start "${net.poolStart}" is not a valid IPv4 address`);
  if (net.poolEnd && pe === null) problems.push(`pool end "${net.poolEnd}" is not a valid IPv4 address`);
  if (!!net.poolStart !== !!net.poolEnd) problems.push("give both the pool start and the pool end, or neither");
  if (ps !== null && !inside(ps)) problems.push(`pool start ${net.poolStart} is outside ${net.cidr}`);
  if (pe !== null && !inside(pe)) problems.push(`pool end ${net.poolEnd} is outside ${net.cidr}`);
  if (ps !== null && pe !== null && ps > pe) problems.push(`pool start ${net.poolStart} is after pool end ${net.poolEnd}`);
  if (problems.length === 0 && poolSize(net) === 0) problems.push("the pool has no usable address");
  return problems;
}

/** Addresses the pool can give (network, broadcast and gateway excluded). */
export function poolSize(net: IpamNetwork): number {
  const p = parseNet(net);
  if (!p || p.poolStart > p.poolEnd) return 0;
  let n = p.poolEnd - p.poolStart + 1;
  if (p.gateway !== null && p.gateway >= p.poolStart && p.gateway <= p.poolEnd) n--;
  return Math.max(0, n);
}

export type AddressAllocator =
  | { ok: true; take(): { ok: true; address: string } | { ok: false; reason: string } }
  | { ok: false; reason: string };

/**
 * Hands out the pool's free addresses lowest first, for many leases at once: the cursor only
 * moves forward, so n takes cost O(pool + n) in all. `used` are addresses already leased.
 */
export function createAddressAllocator(net: IpamNetwork, used: Iterable<string>): AddressAllocator {
  const p = parseNet(net);
  if (!p) return { ok: false, reason: `network CIDR "${net.cidr}" is not a valid IPv4 network` };
  if (p.poolStart > p.poolEnd) return { ok: false, reason: "the address pool is empty" };
  const taken = new Set<number>();
  for (const u of used) {
    const n = parseV4(u);
    if (n !== null) taken.add(n);
  }
  let cursor = p.poolStart;
  return {
    ok: true,
    take() {
      while (cursor <= p.poolEnd && (reserved(p, cursor) || taken.has(cursor))) cursor++;
      if (cursor > p.poolEnd)
        return { ok: false, reason: `no free address left in the pool ${toStr(p.poolStart)}–${toStr(p.poolEnd)} (${poolSize(net)} addresses, all in use)` };
      taken.add(cursor);
      return { ok: true, address: toStr(cursor++) };
    },
  };
}

/** The lowest free address of the pool. */
export function allocateAddress(net: IpamNetwork, used: ReadonlySet<string>): { ok: true; address: string } | { ok: false; reason: string } {
  const a = createAddressAllocator(net, used);
  return a.ok ? a.take() : a;
}

/** A static address: a valid IPv4 address inside the CIDR, not network/broadcast/gateway, and free. */
export function validateStaticAddress(net: IpamNetwork, address: string, used: ReadonlySet<string>): { ok: true } | { ok: false; reason: string } {
  const p = parseNet(net);
  if (!p) return { ok: false, reason: `network CIDR "${net.cidr}" is not a valid IPv4 network` };
  const n = parseV4(address);
  if (n === null) return { ok: false, reason: `"${address}" is not a valid IPv4 address` };
  if (n < p.first || n > p.last) return { ok: false, reason: `${address} is outside ${net.cidr}` };
  if (p.prefix < 31 && n === p.first) return { ok: false, reason: `${address} is the network address of ${net.cidr}` };
  if (p.prefix < 31 && n === p.last) return { ok: false, reason: `${address} is the broadcast address of ${net.cidr}` };
  if (n === p.gateway) return { ok: false, reason: `${address} is the gateway` };
  if (usedInts(used).has(n)) return { ok: false, reason: `${address} is already in use` };
  return { ok: true };
}
