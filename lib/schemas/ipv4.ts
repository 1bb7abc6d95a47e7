// Small IPv4 helpers for the schemas (client-safe, no dependencies).
// The engine's IPAM (lib/engine/ipam.ts) owns allocation; these only check shapes.
// Used by cluster-spec.ts (isIPv4, ipv4InCidr, ipv4ToInt, parseIPv4Cidr) and inventory.ts.

const OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

export function isIPv4(s: string): boolean {
  return typeof s === "string" && IPV4.test(s);
}

export function ipv4ToInt(s: string): number {
  return s.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((sh) => Math.floor(n / 2 ** sh) % 256).join(".");
}

export interface IPv4Cidr {
  /** The block's network address (first) and broadcast address (last), as integers. */
  network: number;
  broadcast: number;
  prefix: number;
  /** Whether the address written was the network address itself (10.0.0.0/24, not 10.0.0.5/24). */
  aligned: boolean;
}

/** Parses `a.b.c.d/p` (p 0..32); null when it is not one. */
export function parseIPv4Cidr(s: string): IPv4Cidr | null {
  if (typeof s !== "string") return null;
  const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(s.trim());
  if (!m || !isIPv4(m[1])) return null;
  const prefix = Number(m[2]);
  if (prefix > 32) return null;
  const size = 2 ** (32 - prefix);
  const addr = ipv4ToInt(m[1]);
  const network = Math.floor(addr / size) * size;
  return { network, broadcast: network + size - 1, prefix, aligned: network === addr };
}

/** Whether `ip` lies in the block (network and broadcast addresses included). */
export function ipv4InCidr(ip: string, cidr: string): boolean {
  const c = parseIPv4Cidr(cidr);
  if (!c || !isIPv4(ip)) return false;
  const n = ipv4ToInt(ip);
  return n >= c.network && n <= c.broadcast;
}

/** A usable host address of the block: inside it, not its network or broadcast address. */
export function isIPv4HostIn(ip: string, cidr: string): boolean {
  const c = parseIPv4Cidr(cidr);
  if (!c || !isIPv4(ip)) return false;
  const n = ipv4ToInt(ip);
  return n > c.network && n < c.broadcast;
}
