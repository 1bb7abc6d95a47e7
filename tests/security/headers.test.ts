// Security headers (next.config.ts headers(), proxy.ts CSP with a per-request nonce) and the
// proxy's early answers: anonymous page → /sign-in, anonymous /api/v1 → 401, agent API and
// health untouched.
import { describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import nextConfig from "@/next.config";
import { proxy } from "@/proxy";
import { API_CSP, hasSessionCookie, isPublicPath, pageCsp } from "@/lib/security-headers";
import { authSecret, secureCookies } from "@/lib/server/auth/auth";

const reqOf = (path: string, init: { method?: string; headers?: Record<string, string> } = {}) => new NextRequest(new URL(path, "http://haven.test"), { method: init.method ?? "GET", headers: init.headers });

function directives(csp: string): Map<string, string> {
  return new Map(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v.join(" ")]));
}

describe("next.config.ts headers()", () => {
  it("sends frame, sniffing, referrer and permissions headers on every path, and a locked CSP on the API", async () => {
    const rules = await nextConfig.headers!();
    const all = rules.find((r) => r.source === "/:path*")!;
    const h = Object.fromEntries(all.headers.map((x) => [x.key.toLowerCase(), x.value]));
    expect(h["x-frame-options"]).toBe("DENY");
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(h["permissions-policy"]).toMatch(/camera=\(\)/);
    const api = rules.find((r) => r.source === "/api/:path*")!;
    expect(api.headers).toContainEqual({ key: "Content-Security-Policy", value: API_CSP });
    expect(directives(API_CSP).get("frame-ancestors")).toBe("'none'");
    expect(nextConfig.poweredByHeader).toBe(false);
    expect(nextConfig.experimental?.serverActions?.bodySizeLimit).toBe("256kb");
  });
});

describe("the page CSP", () => {
  it("allows scripts only with this request's nonce (no unsafe-inline / unsafe-eval in production), no framing", () => {
    const d = directives(pageCsp("abc123", false));
    expect(d.get("script-src")).toBe("'self' 'nonce-abc123' 'strict-dynamic'");
    expect(d.get("frame-ancestors")).toBe("'none'");
    expect(d.get("object-src")).toBe("'none'");
    expect(d.get("base-uri")).toBe("'self'");
    expect(d.get("form-action")).toBe("'self'");
  });
});

describe("proxy.ts", () => {
  it("sends an anonymous page request to /sign-in (keeping where it was going)", () => {
    const res = proxy(reqOf("/hosts?state=failed"));
    expect(res.status).toBe(307);
    const to = new URL(res.headers.get("location")!);
    expect(to.pathname).toBe("/sign-in");
    expect(to.searchParams.get("next")).toBe("/hosts?state=failed");
  });

  it("lets the sign-in and setup pages through with a fresh nonce CSP each time", () => {
    const a = proxy(reqOf("/sign-in")).headers.get("content-security-policy")!;
    const b = proxy(reqOf("/setup")).headers.get("content-security-policy")!;
    expect(a).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(directives(a).get("script-src")).not.toBe(directives(b).get("script-src"));
  });

  it("passes a page request with a session cookie on (the layout checks the session itself)", () => {
    const res = proxy(reqOf("/hosts", { headers: { cookie: "haven.session_token=abc" } }));
    expect(res.headers.get("location")).toBeNull();
    expect(res.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
  });

  it("answers 401 problem+json to an anonymous /api/v1 call; agent API and health pass", async () => {
    const res = proxy(reqOf("/api/v1/agent-tokens", { method: "POST" }));
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 401 });
    for (const p of ["/api/agent/v1/heartbeat", "/api/health"]) expect(proxy(reqOf(p, { method: "POST" })).status).toBe(200);
    expect(proxy(reqOf("/api/v1/agent-tokens", { method: "POST", headers: { authorization: "Bearer x" } })).status).toBe(200);
  });

  it("knows which paths are public and which cookies are sessions", () => {
    expect(["/sign-in", "/setup", "/api/health", "/api/agent/v1/register"].every(isPublicPath)).toBe(true);
    expect(["/", "/users", "/audit", "/api/v1/demo/faults", "/sign-in-x", "/api/agentx"].some(isPublicPath)).toBe(false);
    expect(hasSessionCookie("a=1; __Secure-haven.session_token=x")).toBe(true);
    expect(hasSessionCookie("xhaven.session_token=x")).toBe(false);
  });
});

describe("cookies and secrets", () => {
  it("session cookies are secure in production unless explicitly turned off; httpOnly and sameSite lax always", async () => {
    const prev = { env: process.env.NODE_ENV, ins: process.env.HAVEN_INSECURE_COOKIES };
    try {
      (process.env as Record<string, string>).NODE_ENV = "production";
      delete process.env.HAVEN_INSECURE_COOKIES;
      expect(secureCookies()).toBe(true);
      process.env.HAVEN_INSECURE_COOKIES = "1";
      expect(secureCookies()).toBe(false);
    } finally {
      (process.env as Record<string, string | undefined>).NODE_ENV = prev.env;
      if (prev.ins === undefined) delete process.env.HAVEN_INSECURE_COOKIES;
      else process.env.HAVEN_INSECURE_COOKIES = prev.ins;
    }
  });

  it("the cookie secret comes from the env, else a 0600 file next to the store", async () => {
    const fs = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "haven-secret-"));
    const prev = process.env.HAVEN_AUTH_SECRET;
    try {
      delete process.env.HAVEN_AUTH_SECRET;
      const url = `file:${path.join(dir, "x.db")}`;
      const s1 = authSecret(url);
      expect(s1.length).toBeGreaterThanOrEqual(32);
      expect(authSecret(url)).toBe(s1);
      expect(fs.statSync(path.join(dir, "x.db.auth-secret")).mode & 0o077).toBe(0);
      process.env.HAVEN_AUTH_SECRET = "s".repeat(40);
      expect(authSecret(url)).toBe("s".repeat(40));
    } finally {
      if (prev === undefined) delete process.env.HAVEN_AUTH_SECRET;
      else process.env.HAVEN_AUTH_SECRET = prev;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
