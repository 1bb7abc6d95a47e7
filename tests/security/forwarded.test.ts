// Forwarding headers are believed only from HAVEN_TRUSTED_PROXIES: the socket sanitiser over a
// real HTTP server, the client address and host read from sanitised headers, and the API's
// same-origin check that no longer takes X-Forwarded-Host from anyone.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { clientAddress, isTrustedProxy, normaliseAddress, originMatches, parseTrustedProxies, requestHost, UNKNOWN_CLIENT } from "@/lib/forwarded";
import { installForwardedSanitiser } from "@/lib/forwarded-sanitiser";

describe("HAVEN_TRUSTED_PROXIES", () => {
  it("parses addresses and CIDRs (IPv4, IPv6, IPv4-mapped) and names what it cannot read", () => {
    const t = parseTrustedProxies(" 10.0.0.0/8, 192.168.1.5 ::1  fd00::/8, ::ffff:172.16.0.0/112, nonsense, 300.1.1.1");
    expect(t.invalid).toEqual(["nonsense", "300.1.1.1"]);
    for (const a of ["10.1.2.3", "::ffff:10.9.9.9", "192.168.1.5", "::1", "fd12::7", "172.16.3.4"]) expect(isTrustedProxy(a, t), a).toBe(true);
    for (const a of ["11.0.0.1", "192.168.1.6", "::2", "fe80::1", "172.17.0.1", "", "garbage"]) expect(isTrustedProxy(a, t), a).toBe(false);
    expect(isTrustedProxy("127.0.0.1", parseTrustedProxies(undefined))).toBe(false);
  });

  it("normalises addresses as they appear in sockets and headers", () => {
    expect(normaliseAddress("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(normaliseAddress("10.0.0.1:5000")).toBe("10.0.0.1");
    expect(normaliseAddress("[2001:db8::1]:443")).toBe("2001:db8::1");
    expect(normaliseAddress("evil.example")).toBeNull();
  });
});

describe("client address and host from sanitised headers", () => {
  const trusted = parseTrustedProxies("10.0.0.0/8");
  it("is the nearest hop that is not a trusted proxy; a client's own additions on the left count for nothing", () => {
    const h = new Headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.5, 10.0.0.2, 10.0.0.1" });
    expect(clientAddress(h, { trusted, sanitised: true })).toBe("203.0.113.5");
    expect(clientAddress(new Headers({ "x-forwarded-for": "10.0.0.3" }), { trusted, sanitised: true })).toBe("10.0.0.3");
  });

  it("believes nothing forwarded where no sanitiser ran", () => {
    const h = new Headers({ "x-forwarded-for": "203.0.113.5", "x-forwarded-host": "evil.example", host: "haven.test" });
    expect(clientAddress(h, { trusted, sanitised: false })).toBe(UNKNOWN_CLIENT);
    expect(requestHost(h, null, { sanitised: false })).toBe("haven.test");
    expect(originMatches(new Headers({ ...Object.fromEntries(h), origin: "https://evil.example" }), null, { sanitised: false }).ok).toBe(false);
    expect(originMatches(new Headers({ host: "haven.test", origin: "http://haven.test" }), null, { sanitised: false }).ok).toBe(true);
    expect(originMatches(new Headers({ host: "haven.test", origin: "null" }), null, { sanitised: false }).ok).toBe(false);
  });
});

describe("the socket sanitiser", () => {
  let server: http.Server;
  let port = 0;
  const seen: http.IncomingHttpHeaders[] = [];
  const prev = process.env.HAVEN_TRUSTED_PROXIES;

  beforeAll(async () => {
    installForwardedSanitiser();
    server = http.createServer((req, res) => {
      seen.push({ ...req.headers });
      res.end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });
  afterEach(() => {
    if (prev === undefined) delete process.env.HAVEN_TRUSTED_PROXIES;
    else process.env.HAVEN_TRUSTED_PROXIES = prev;
  });

  const spoofed = { "x-forwarded-for": "1.2.3.4", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https", "x-real-ip": "5.6.7.8", forwarded: "for=9.9.9.9" };
  const send = async () => {
    await fetch(`http://127.0.0.1:${port}/x`, { headers: spoofed });
    return seen.at(-1)!;
  };

  it("drops forwarding headers from a peer that is not a trusted proxy; X-Forwarded-For is the peer", async () => {
    delete process.env.HAVEN_TRUSTED_PROXIES;
    const h = await send();
    expect(h["x-forwarded-for"]).toBe("127.0.0.1");
    for (const k of ["x-forwarded-host", "x-forwarded-proto", "x-real-ip", "forwarded"]) expect(h[k], k).toBeUndefined();
    const headers = new Headers(h as Record<string, string>);
    expect(clientAddress(headers)).toBe("127.0.0.1");
    expect(requestHost(headers)).toBe(`127.0.0.1:${port}`);
  });

  it("keeps them from a trusted proxy and appends the proxy itself", async () => {
    process.env.HAVEN_TRUSTED_PROXIES = "127.0.0.1";
    const h = await send();
    expect(h["x-forwarded-for"]).toBe("1.2.3.4, 127.0.0.1");
    expect(h["x-forwarded-host"]).toBe("evil.example");
    const headers = new Headers(h as Record<string, string>);
    expect(clientAddress(headers)).toBe("1.2.3.4");
    expect(requestHost(headers)).toBe("evil.example");
  });
});
