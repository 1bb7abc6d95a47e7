// Clear status codes where the red team found 500s and 200s: a path that is not valid
// percent-encoding is a 400 problem+json (proxy.ts on the console's port, the dedicated agent
// listener on its own); a server action from another origin is a 403, one over the body limit
// a 413 (411 without a declared length) — all before Next reads the request.
// (e2e/hardening.spec.ts checks the same against the production server.)
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { proxy } from "@/proxy";
import { SERVER_ACTION_BODY_LIMIT_BYTES } from "@/lib/security-headers";
import { ackCommandIdOf } from "@/lib/server/http/agent-paths";
import { startAgentListener } from "@/lib/server/http/agent-listener";

const reqOf = (path: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
  new NextRequest(new URL(path, "http://haven.test"), { method: init.method ?? "GET", headers: { host: "haven.test", ...init.headers } });

async function expectProblem(res: Response, status: number, detail: RegExp) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = (await res.json()) as { status: number; title: string; detail: string };
  expect(body.status).toBe(status);
  expect(body.detail).toMatch(detail);
  return body;
}

describe("a malformed percent-encoding in the path", () => {
  it("is a 400 problem+json from the proxy, for the agent API, the JSON API and pages alike", async () => {
    for (const p of ["/api/agent/v1/commands/%ZZ/ack", "/api/agent/v1/commands/%E0%A4%A/ack", "/api/v1/hosts/%ZZ/agent-token", "/hosts/%ZZ", "/%"]) {
      await expectProblem(proxy(reqOf(p, { method: p.startsWith("/api/agent") ? "POST" : "GET" })), 400, /not valid percent-encoding/);
    }
    // A well-formed escape passes on as before.
    expect(proxy(reqOf("/api/agent/v1/commands/a%20b/ack", { method: "POST" })).status).toBe(200);
  });

  it("is a VALIDATION error (400) for the agent protocol's ack path", () => {
    expect(ackCommandIdOf("/api/agent/v1/commands/a%2Fb/ack")).toBe("a/b");
    expect(ackCommandIdOf("/api/agent/v1/heartbeat")).toBeNull();
    expect(() => ackCommandIdOf("/api/agent/v1/commands/%ZZ/ack")).toThrow(expect.objectContaining({ code: "VALIDATION", message: expect.stringMatching(/not valid percent-encoding/) }));
  });

  describe("on the dedicated agent listener", () => {
    let server: http.Server;
    let base = "";
    beforeAll(async () => {
      server = await startAgentListener(0, "127.0.0.1");
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((r) => server.close(r));
    });

    it("answers 400 problem+json naming the problem (no token needed to learn the path is broken)", async () => {
      for (const id of ["%ZZ", "%E0%A4%A", "%"]) {
        const res = await fetch(`${base}/api/agent/v1/commands/${id}/ack`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer x" }, body: "{}" });
        await expectProblem(res, 400, /not valid percent-encoding/);
      }
    });
  });
});

describe("server actions (POSTs to pages) in the proxy", () => {
  const action = (headers: Record<string, string>) => proxy(reqOf("/hosts/new", { method: "POST", headers: { "next-action": "7f00aa", "content-type": "text/plain;charset=UTF-8", cookie: "haven.session_token=abc", ...headers } }));

  it("refuses another origin with 403 (Next answered 500)", async () => {
    await expectProblem(action({ origin: "https://evil.example", "content-length": "10" }), 403, /own pages \(haven\.test\), not from "https:\/\/evil\.example"/);
    await expectProblem(action({ origin: "null", "content-length": "10" }), 403, /own pages/);
    // A no-JS form post (no Next-Action header) is an action too.
    await expectProblem(proxy(reqOf("/users", { method: "POST", headers: { origin: "https://evil.example", "content-length": "10", "content-type": "multipart/form-data; boundary=x" } })), 403, /own pages/);
  });

  it("does not take X-Forwarded-Host from a peer that is not a trusted proxy", async () => {
    // Next's own check believed it: Origin evil + X-Forwarded-Host evil passed as same-origin.
    await expectProblem(action({ origin: "https://evil.example", "x-forwarded-host": "evil.example", "content-length": "10" }), 403, /own pages \(haven\.test\)/);
  });

  it("refuses a body over the limit with 413 and one of undeclared length with 411 (Next answered 200 with an error digest)", async () => {
    const origin = "http://haven.test";
    await expectProblem(action({ origin, "content-length": String(SERVER_ACTION_BODY_LIMIT_BYTES + 1) }), 413, /at most 262144 \(256 KB\)/);
    await expectProblem(action({ origin, "transfer-encoding": "chunked" }), 411, /Content-Length/);
    const ok = action({ origin, "content-length": String(SERVER_ACTION_BODY_LIMIT_BYTES) });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-security-policy")).toMatch(/nonce-/);
    expect(action({ "content-length": "100" }).status).toBe(200); // no Origin: not a browser's cross-site post
  });
});
