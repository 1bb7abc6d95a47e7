// Who is on the other end of a request, and which host it was addressed to. The forwarding
// headers (X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Proto, X-Forwarded-Port, X-Real-IP,
// Forwarded) are trusted only from a peer listed in HAVEN_TRUSTED_PROXIES (comma-separated IPs
// and CIDRs, e.g. "127.0.0.1, 10.0.0.0/8, ::1"); by default from nobody.
//
// Only the socket knows the peer, so the server process sanitises each request as it arrives
// (lib/forwarded-sanitiser.ts, installed by next.config.ts before Next sees the request): from an
// untrusted peer the forwarding headers are dropped and X-Forwarded-For becomes the peer's
// address; from a trusted proxy the peer is appended to the proxy's list. What runs after —
// proxy.ts, server actions, routes, Next's own server-action origin check — reads sanitised
// headers. Where no sanitiser ran (scripts, tests), nothing forwarded is believed.
//
// No server-only imports: proxy.ts and next.config.ts load this.
import ipaddr from "ipaddr.js";

/** The request headers a client could use to claim another address, host or scheme. */
export const FORWARDING_HEADERS = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-real-ip", "forwarded"] as const;

/** The client address when it cannot be known (no sanitised headers). */
export const UNKNOWN_CLIENT = "unknown";

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

export interface TrustedProxies {
  ranges: Range[];
  /** Entries of the setting that are neither an address nor a CIDR (ignored). */
  invalid: string[];
}

/** Parses HAVEN_TRUSTED_PROXIES: addresses (a /32 or /128) and CIDRs, comma- or space-separated. */
export function parseTrustedProxies(spec: string | undefined): TrustedProxies {
  const out: TrustedProxies = { ranges: [], invalid: [] };
  for (const raw of (spec ?? "").split(/[\s,]+/)) {
    const s = raw.trim();
    if (!s) continue;
    try {
      if (s.includes("/")) {
        const [addr, bits] = ipaddr.parseCIDR(s);
        out.ranges.push([unmap(addr), addr.kind() === "ipv6" && unmap(addr).kind() === "ipv4" ? Math.max(0, bits - 96) : bits]);
      } else {
        const a = ipaddr.process(s);
        out.ranges.push([a, a.kind() === "ipv4" ? 32 : 128]);
      }
    } catch {
      out.invalid.push(s);
    }
  }
  return out;
}

function unmap(a: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return a.kind() === "ipv6" && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
}

let memo: { spec: string | undefined; value: TrustedProxies } | null = null;

/** The trusted proxies of this process's environment (parsed once per distinct setting). */
export function trustedProxies(env: Record<string, string | undefined> = process.env): TrustedProxies {
  const spec = env.HAVEN_TRUSTED_PROXIES;
  if (!memo || memo.spec !== spec) memo = { spec, value: parseTrustedProxies(spec) };
  return memo.value;
}

/**
 * An address as one canonical string: IPv4-mapped IPv6 ("::ffff:10.0.0.1") as IPv4, IPv6
 * compressed; a port ("10.0.0.1:5000", "[::1]:80") and brackets dropped. Null when not an address.
 */
export function normaliseAddress(raw: string | null | undefined): string | null {
  let s = (raw ?? "").trim();
  if (!s) return null;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(":"));
  s = s.replace(/%[\w.-]+$/, ""); // an IPv6 zone id
  if (!ipaddr.isValid(s)) return null;
  try {
    return ipaddr.process(s).toString();
  } catch {
    return null;
  }
}

/** Whether an address is one of the trusted proxies. */
export function isTrustedProxy(addr: string | null | undefined, trusted: TrustedProxies = trustedProxies()): boolean {
  if (!trusted.ranges.length) return false;
  const n = normaliseAddress(addr);
  if (!n) return false;
  const a = ipaddr.parse(n);
  return trusted.ranges.some(([range, bits]) => range.kind() === a.kind() && a.match(range, bits));
}

// ------------------------------------------------------------------ sanitised headers

const SANITISED = Symbol.for("haven.forwarded.sanitised");

/**
 * Whether this process sanitises incoming requests at the socket (lib/forwarded-sanitiser.ts).
 * A fact about the process (one global, not module state a bundler could copy), set once by
 * the sanitiser when it is installed.
 */
export function forwardingSanitised(): boolean {
  return (globalThis as Record<symbol, unknown>)[SANITISED] === true;
}

/** Called by the sanitiser once it is installed in this process. */
export function markForwardingSanitised(): void {
  (globalThis as Record<symbol, unknown>)[SANITISED] = true;
}

/** X-Forwarded-For as a list, in order (client first, the nearest hop last). */
function forwardedFor(headers: Headers): string[] {
  return (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The client address of a request: the nearest X-Forwarded-For hop that is not a trusted proxy
 * (after sanitising, the list ends with the peer itself). UNKNOWN_CLIENT when the headers were
 * not sanitised, since then any value in them may be the client's own invention.
 */
export function clientAddress(headers: Headers, opts: { trusted?: TrustedProxies; sanitised?: boolean } = {}): string {
  if (!(opts.sanitised ?? forwardingSanitised())) return UNKNOWN_CLIENT;
  const trusted = opts.trusted ?? trustedProxies();
  const hops = forwardedFor(headers);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!isTrustedProxy(hops[i], trusted)) return (normaliseAddress(hops[i]) ?? hops[i]).slice(0, 64);
  }
  // Every hop is a proxy (a request from the proxy host itself): the first one.
  return hops.length ? (normaliseAddress(hops[0]) ?? hops[0]).slice(0, 64) : UNKNOWN_CLIENT;
}

/**
 * The host (with port) a request was addressed to: X-Forwarded-Host's first value when the
 * headers are sanitised (only a trusted proxy's survives; Next fills it from Host otherwise),
 * else the Host header, else `fallback`.
 */
export function requestHost(headers: Headers, fallback: string | null = null, opts: { sanitised?: boolean } = {}): string | null {
  if (opts.sanitised ?? forwardingSanitised()) {
    const xfh = headers.get("x-forwarded-host")?.split(",")[0]?.trim();
    if (xfh) return xfh.toLowerCase();
  }
  return headers.get("host")?.trim().toLowerCase() || fallback;
}

/**
 * Whether a request's Origin (when it sends one) is this console's own host. No Origin at all
 * passes (not a browser's cross-site request); "null" or anything unparsable does not.
 */
export function originMatches(headers: Headers, fallbackHost: string | null, opts: { sanitised?: boolean } = {}): { ok: boolean; origin: string | null; host: string | null } {
  const origin = headers.get("origin");
  const host = requestHost(headers, fallbackHost, opts);
  if (origin === null) return { ok: true, origin, host };
  let o: URL;
  try {
    if (origin === "null") return { ok: false, origin, host };
    o = new URL(origin);
  } catch {
    return { ok: false, origin, host };
  }
  return { ok: !!host && o.host.toLowerCase() === host, origin, host };
}
