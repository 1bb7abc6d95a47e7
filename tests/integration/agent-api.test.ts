// The agent HTTP API through its route handlers (Request in, Response out) against a throwaway
// store and a real HA controller on a virtual clock: tokens, validation, problem+json, body
// limits, acting as another host, duplicate acks — and a fuzz run that must never see a 5xx.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { importCluster } from "@/lib/server/cluster-import";
import { startController, stopController, type HaController } from "@/lib/server/ha/controller";
import { VirtualClock } from "@/lib/server/ha/clock";
import { silentLogger } from "@/lib/server/ha/log";
import { issueAgentToken, revokeAgentToken } from "@/lib/server/agent/tokens";
import { powerOffVm } from "@/lib/server/ha/vm-power";
import { POST as register } from "@/app/api/agent/v1/register/route";
import { POST as heartbeat } from "@/app/api/agent/v1/heartbeat/route";
import { GET as commands } from "@/app/api/agent/v1/commands/route";
import { POST as ack } from "@/app/api/agent/v1/commands/[id]/ack/route";
import { GET as openapi } from "@/app/api/agent/v1/openapi.json/route";
import { POST as issueRoute, DELETE as revokeRoute } from "@/app/api/v1/hosts/[id]/agent-token/route";
import { GET as health } from "@/app/api/health/route";
import { createTestDb, type TestDb } from "../support/test-db";

const BASE = "http://haven.test";
let t: TestDb;
let ctl: HaController;
let clock: VirtualClock;
let ids: { hosts: Record<string, string>; vms: Record<string, string> };

function req(path: string, init: { method?: string; token?: string | null; body?: unknown; raw?: BodyInit; headers?: Record<string, string> } = {}): Request {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: BodyInit | undefined = init.raw;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers["content-type"] ??= "application/json";
  }
  return new Request(BASE + path, { method: init.method ?? (body !== undefined ? "POST" : "GET"), headers, body, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit);
}
const params = (id: string) => ({ params: Promise.resolve({ id }) });
const hb = (hostId: string, extra: Record<string, unknown> = {}) => ({ hostId, seq: 1, vms: [], nics: [], ...extra });

async function expectProblem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const p = await res.json();
  expect(p).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  expect(JSON.stringify(p)).not.toMatch(/\bat .*\.ts:\d+/);
  return p as { detail?: string; errors?: Record<string, string[]> };
}

async function tokenFor(host: string): Promise<string> {
  return (await issueAgentToken(t.db, host)).token;
}

beforeAll(async () => {
  t = await createTestDb();
  const imported = await importCluster(
    t.db,
    {
      hosts: [
        { name: "h1", cpus: 32, memoryGiB: 128, nics: [{ name: "ens1f0", role: "vm", sriovVfs: 4, tag: "fab" }] },
        { name: "h2", cpus: 32, memoryGiB: 128 },
        { name: "h3", cpus: 32, memoryGiB: 128 },
      ],
      vms: [
        { name: "web1", vcpus: 2, memoryGiB: 4, host: "h1", haPriority: "high" },
        { name: "web2", vcpus: 2, memoryGiB: 4, host: "h2", haPriority: "low" },
      ],
    },
    { now: new Date(0), name: "api-test" },
  );
  ids = { hosts: imported.hostIds, vms: imported.vmIds };
  clock = new VirtualClock(0);
  stopController();
  ctl = startController({ db: t.db, clock, log: silentLogger });
  await ctl.start();
});

afterAll(async () => {
  stopController();
  await t.cleanup();
});

describe("agent API", () => {
  it("serves an OpenAPI document generated from the schemas", async () => {
    const res = await openapi();
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/agent/v1/register", "/api/agent/v1/heartbeat", "/api/agent/v1/commands", "/api/agent/v1/commands/{id}/ack"]));
    expect(doc.components.schemas.Heartbeat.required).toEqual(["hostId", "seq", "vms"]);
  });

  it("health reports the store and the controller", async () => {
    const res = await health();
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", db: "ok", controller: "running" });
  });

  it("registers with an issued token and answers with a new one; the issued one stops working", async () => {
    const issued = await tokenFor("h1");
    const res = await register(req("/api/agent/v1/register", { token: issued, body: { hostName: "h1", agentVersion: "test", nics: [{ name: "ens1f0", linkUp: true }] } }));
    expect(res.status).toBe(200);
    const r = await res.json();
    expect(r).toMatchObject({ hostId: ids.hosts.h1, heartbeatS: 1, isolationTimeoutS: 20, vmStartS: 5 });
    expect(r.token).not.toBe(issued);
    expect((await heartbeat(req("/api/agent/v1/heartbeat", { token: r.token, body: hb(ids.hosts.h1) }))).status).toBe(200);
    await expectProblem(await heartbeat(req("/api/agent/v1/heartbeat", { token: issued, body: hb(ids.hosts.h1) })), 401);
  });

  it("refuses to register a token's host under another name, and keeps the token", async () => {
    const tok = await tokenFor("h2");
    const before = (await t.db.host.findUnique({ where: { id: ids.hosts.h2 } }))!.agentTokenHash;
    const p = await expectProblem(await register(req("/api/agent/v1/register", { token: tok, body: { hostName: "h1" } })), 403);
    expect(p.detail).toMatch(/h2/);
    expect((await t.db.host.findUnique({ where: { id: ids.hosts.h2 } }))!.agentTokenHash).toBe(before);
    expect((await heartbeat(req("/api/agent/v1/heartbeat", { token: tok, body: hb(ids.hosts.h2) }))).status).toBe(200);
  });

  it("takes a valid heartbeat", async () => {
    const tok = await tokenFor("h2");
    const res = await heartbeat(req("/api/agent/v1/heartbeat", { token: tok, body: hb(ids.hosts.h2, { vms: [{ vmId: ids.vms.web2, generation: 1, state: "running" }], storageController: { healthy: true } }) }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ ok: true, commandsPending: false, serverTime: clock.now() });
  });

  it("answers a malformed heartbeat with 400 problem+json naming the field", async () => {
    const tok = await tokenFor("h2");
    let p = await expectProblem(await heartbeat(req("/api/agent/v1/heartbeat", { token: tok, body: hb(ids.hosts.h2, { seq: "one" }) })), 400);
    expect(Object.keys(p.errors ?? {})).toEqual(["seq"]);
    p = await expectProblem(await heartbeat(req("/api/agent/v1/heartbeat", { token: tok, body: hb(ids.hosts.h2, { vms: [{ vmId: "x", generation: -1, state: "running" }] }) })), 400);
    expect(Object.keys(p.errors ?? {})).toEqual(["vms.0.generation"]);
    p = await expectProblem(await heartbeat(req("/api/agent/v1/heartbeat", { token: tok, body: hb(ids.hosts.h2, { extra: 1 }) })), 400);
    expect(JSON.stringify(p.errors)).toMatch(/extra/);
    p = await expectProblem(await heartbeat(req("/api/agent/v1/heartbeat", { token: tok, raw: "{not json", headers: { "content-type": "application/json" } })), 400);
    expect(p.detail).toMatch(/JSON/);
    await expectProblem(await heartbeat(req("/api/agent/v1/heartbeat", { token: tok, raw: "", headers: { "content-type": "application/json" } })), 400);
    await expectProblem(await heartbeat(req("/api/agent/v1/heartbeat", { token: tok, raw: "seq=1", headers: { "content-type": "application/x-www-form-urlencoded" } })), 415);
  });

  it("refuses a token acting as another host (403) and leaves the other host alone", async () => {
    const tokA = await tokenFor("h1");
    const p = await expectProblem(await heartbeat(req("/api/agent/v1/heartbeat", { token: tokA, body: hb(ids.hosts.h3) })), 403);
    expect(p.detail).toMatch(/another host/);
  });

  it("answers 413 to a body over 256 KiB, declared or streamed", async () => {
    const tok = await tokenFor("h2");
    const big = JSON.stringify(hb(ids.hosts.h2, { pad: "x".repeat(300 * 1024) }));
    await expectProblem(await heartbeat(req("/api/agent/v1/heartbeat", { token: tok, raw: big, headers: { "content-type": "application/json", "content-length": String(big.length) } })), 413);
    const enc = new TextEncoder().encode(big);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < enc.length; i += 16 * 1024) c.enqueue(enc.slice(i, i + 16 * 1024));
        c.close();
      },
    });
    await expectProblem(await heartbeat(req("/api/agent/v1/heartbeat", { token: tok, raw: stream, headers: { "content-type": "application/json" } })), 413);
  });

  it("answers 401 to no token, a wrong token and a revoked token — and the host is not kept alive by them", async () => {
    const tok = await tokenFor("h3");
    expect((await heartbeat(req("/api/agent/v1/heartbeat", { token: tok, body: hb(ids.hosts.h3) }))).status).toBe(200);
    const hbBefore = (await t.db.host.findUnique({ where: { id: ids.hosts.h3 } }))!;
    await revokeAgentToken(t.db, "h3");
    const res = await heartbeat(req("/api/agent/v1/heartbeat", { body: hb(ids.hosts.h3) }));
    await expectProblem(res, 401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    await expectProblem(await heartbeat(req("/api/agent/v1/heartbeat", { token: "not-a-token", body: hb(ids.hosts.h3) })), 401);
    await expectProblem(await heartbeat(req("/api/agent/v1/heartbeat", { token: tok, body: hb(ids.hosts.h3) })), 401);
    await expectProblem(await commands(req("/api/agent/v1/commands", { token: tok })), 401);
    await expectProblem(await register(req("/api/agent/v1/register", { token: tok, body: { hostName: "h3" } })), 401);
    await expectProblem(await heartbeat(req("/api/agent/v1/heartbeat", { headers: { authorization: "Basic aDM6aDM=" }, body: hb(ids.hosts.h3) })), 401);
    const after = (await t.db.host.findUnique({ where: { id: ids.hosts.h3 } }))!;
    expect(after.agentTokenHash).toBeNull();
    expect(after.lastHeartbeatAt).toEqual(hbBefore.lastHeartbeatAt);

    // Only refused heartbeats for h3 from here on; h1 and h2 keep heartbeating: h3 alone goes unreachable.
    const tok1 = await tokenFor("h1");
    const tok2 = await tokenFor("h2");
    for (let s = 1; s <= 8; s++) {
      clock.set(s * 1000);
      expect((await heartbeat(req("/api/agent/v1/heartbeat", { token: tok1, body: hb(ids.hosts.h1, { vms: [{ vmId: ids.vms.web1, generation: 1, state: "running" }] }) }))).status).toBe(200);
      expect((await heartbeat(req("/api/agent/v1/heartbeat", { token: tok2, body: hb(ids.hosts.h2, { vms: [{ vmId: ids.vms.web2, generation: 1, state: "running" }] }) }))).status).toBe(200);
      expect((await heartbeat(req("/api/agent/v1/heartbeat", { token: tok, body: hb(ids.hosts.h3) }))).status).toBe(401);
      await ctl.step();
    }
    const states = Object.fromEntries((await t.db.host.findMany()).map((h) => [h.name, h.state]));
    expect(states).toEqual({ h1: "online", h2: "online", h3: "unreachable" });
  });

  it("delivers a command once and acknowledging it twice changes nothing", async () => {
    const tok = await tokenFor("h1");
    const vm0 = (await t.db.vm.findUnique({ where: { id: ids.vms.web1 } }))!;
    await powerOffVm(ids.vms.web1, { by: "test" }, ctl);
    const hbRes = await (await heartbeat(req("/api/agent/v1/heartbeat", { token: tok, body: hb(ids.hosts.h1, { vms: [{ vmId: ids.vms.web1, generation: vm0.generation, state: "running" }] }) }))).json();
    expect(hbRes.commandsPending).toBe(true);
    const first = await (await commands(req("/api/agent/v1/commands", { token: tok }))).json();
    expect(first.commands).toHaveLength(1);
    const cmd = first.commands[0];
    expect(cmd).toMatchObject({ kind: "stop-vm", vmId: ids.vms.web1, payload: { reason: "power-off" } });
    expect((await (await commands(req("/api/agent/v1/commands", { token: tok }))).json()).commands).toEqual([]);

    // Another host cannot acknowledge it.
    const tok2 = await tokenFor("h2");
    await expectProblem(await ack(req(`/api/agent/v1/commands/${cmd.id}/ack`, { token: tok2, body: { hostId: ids.hosts.h2, status: "done" } }), params(cmd.id)), 404);
    await expectProblem(await ack(req(`/api/agent/v1/commands/${cmd.id}/ack`, { token: tok2, body: { hostId: ids.hosts.h1, status: "done" } }), params(cmd.id)), 403);
    // The path and the body must agree.
    const p = await expectProblem(await ack(req(`/api/agent/v1/commands/${cmd.id}/ack`, { token: tok, body: { hostId: ids.hosts.h1, commandId: "other", status: "done" } }), params(cmd.id)), 400);
    expect(Object.keys(p.errors ?? {})).toEqual(["commandId"]);

    const a1 = await ack(req(`/api/agent/v1/commands/${cmd.id}/ack`, { token: tok, body: { hostId: ids.hosts.h1, status: "done" } }), params(cmd.id));
    expect(a1.status).toBe(200);
    expect(await a1.json()).toEqual({ ok: true, duplicate: false });
    const row1 = await t.db.agentCommand.findUnique({ where: { id: cmd.id } });
    const vm1 = await t.db.vm.findUnique({ where: { id: ids.vms.web1 } });
    const events1 = await t.db.event.count();
    expect(row1!.status).toBe("done");
    expect(vm1!.power).toBe("stopped");

    clock.advance(1000);
    const a2 = await ack(req(`/api/agent/v1/commands/${cmd.id}/ack`, { token: tok, body: { hostId: ids.hosts.h1, commandId: cmd.id, status: "failed", error: "late" } }), params(cmd.id));
    expect(a2.status).toBe(200);
    expect(await a2.json()).toEqual({ ok: true, duplicate: true });
    expect(await t.db.agentCommand.findUnique({ where: { id: cmd.id } })).toEqual(row1);
    expect(await t.db.vm.findUnique({ where: { id: ids.vms.web1 } })).toEqual(vm1);
    expect(await t.db.event.count()).toBe(events1);
  });

  it("issues and revokes tokens through the admin API only with the admin token (or an admin session)", async () => {
    const prev = process.env.HAVEN_ADMIN_TOKEN;
    try {
      delete process.env.HAVEN_ADMIN_TOKEN;
      // No admin token configured: a bearer is never an admin token (admins sign in instead).
      await expectProblem(await issueRoute(req("/api/v1/hosts/h2/agent-token", { method: "POST", token: "whatever-whatever" }), params("h2")), 401);
      process.env.HAVEN_ADMIN_TOKEN = "admin-secret-0123456789";
      const before = (await t.db.host.findUnique({ where: { id: ids.hosts.h2 } }))!.agentTokenHash;
      await expectProblem(await issueRoute(req("/api/v1/hosts/h2/agent-token", { method: "POST", token: "admin-secret-wrong" }), params("h2")), 401);
      expect((await t.db.host.findUnique({ where: { id: ids.hosts.h2 } }))!.agentTokenHash).toBe(before);
      const res = await issueRoute(req("/api/v1/hosts/h2/agent-token", { method: "POST", token: "admin-secret-0123456789" }), params("h2"));
      expect(res.status).toBe(201);
      const issued = await res.json();
      expect(issued).toMatchObject({ hostId: ids.hosts.h2, hostName: "h2" });
      expect(issued.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((await heartbeat(req("/api/agent/v1/heartbeat", { token: issued.token, body: hb(ids.hosts.h2) }))).status).toBe(200);
      expect((await revokeRoute(req(`/api/v1/hosts/${ids.hosts.h2}/agent-token`, { method: "DELETE", token: "admin-secret-0123456789" }), params(ids.hosts.h2))).status).toBe(200);
      await expectProblem(await heartbeat(req("/api/agent/v1/heartbeat", { token: issued.token, body: hb(ids.hosts.h2) })), 401);
      await expectProblem(await issueRoute(req("/api/v1/hosts/nope/agent-token", { method: "POST", token: "admin-secret-0123456789" }), params("nope")), 404);
    } finally {
      if (prev === undefined) delete process.env.HAVEN_ADMIN_TOKEN;
      else process.env.HAVEN_ADMIN_TOKEN = prev;
    }
  });

  it("never answers malformed or wrong-typed input with a 5xx (fuzz)", async () => {
    const tok = await tokenFor("h2");
    const hostId = ids.hosts.h2;
    const field = fc.oneof(fc.jsonValue(), fc.constant(hostId), fc.constant(undefined));
    const heartbeatish = fc.record(
      { hostId: field, seq: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)), vms: fc.oneof(fc.jsonValue(), fc.array(fc.record({ vmId: fc.oneof(fc.string(), fc.integer()), generation: fc.oneof(fc.integer(), fc.string()), state: fc.oneof(fc.constantFrom("running", "starting"), fc.string()) }))), nics: fc.jsonValue(), storageController: fc.jsonValue() },
      { requiredKeys: [] },
    );
    const bodyArb = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      heartbeatish.map((v) => JSON.stringify(v)),
      fc.record({ hostName: fc.oneof(fc.string(), fc.jsonValue()), nics: fc.jsonValue(), gpus: fc.jsonValue() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
      fc.record({ hostId: field, commandId: fc.jsonValue(), status: fc.oneof(fc.constantFrom("done", "failed"), fc.jsonValue()), error: fc.jsonValue() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
      fc.string(),
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString("latin1")),
    );
    const tokenArb = fc.oneof(fc.constant(tok), fc.constant(null), fc.string({ maxLength: 60 }));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("register", "heartbeat", "ack", "commands"), bodyArb, tokenArb, fc.string({ minLength: 1, maxLength: 30 }), async (route, body, token, cmdId) => {
        const headers: Record<string, string> = { "content-type": "application/json" };
        let res: Response;
        const r = (p: string) => {
          try {
            return req(p, { method: route === "commands" ? "GET" : "POST", token, raw: route === "commands" ? undefined : body, headers });
          } catch {
            return req(p, { method: route === "commands" ? "GET" : "POST", raw: route === "commands" ? undefined : body, headers });
          }
        };
        if (route === "register") res = await register(r("/api/agent/v1/register"));
        else if (route === "heartbeat") res = await heartbeat(r("/api/agent/v1/heartbeat"));
        else if (route === "commands") res = await commands(r("/api/agent/v1/commands"));
        else res = await ack(r(`/api/agent/v1/commands/${encodeURIComponent(cmdId)}/ack`), params(cmdId));
        if (res.status >= 500) throw new Error(`${route} answered ${res.status}: ${await res.text()} for ${body}`);
        if (res.status >= 400) expect(res.headers.get("content-type")).toBe("application/problem+json");
      }),
      { numRuns: 400, seed: 4242 },
    );
  });
});
