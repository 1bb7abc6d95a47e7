// The dedicated agent listener (HAVEN_AGENT_PORT) over real HTTP: same answers as the routes —
// tokens, validation with field names, 413, 404/405 — and no 5xx under fuzzing.
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { importCluster } from "@/lib/server/cluster-import";
import { startController, stopController } from "@/lib/server/ha/controller";
import { VirtualClock } from "@/lib/server/ha/clock";
import { silentLogger } from "@/lib/server/ha/log";
import { issueAgentToken } from "@/lib/server/agent/tokens";
import { startAgentListener } from "@/lib/server/http/agent-listener";
import { createTestDb, type TestDb } from "../support/test-db";

let t: TestDb;
let server: http.Server;
let base: string;
let hostIds: Record<string, string>;

beforeAll(async () => {
  t = await createTestDb();
  hostIds = (await importCluster(t.db, { hosts: [{ name: "h1", cpus: 8, memoryGiB: 32 }, { name: "h2", cpus: 8, memoryGiB: 32 }], vms: [] }, { now: new Date(0), name: "listener" })).hostIds;
  stopController();
  const ctl = startController({ db: t.db, clock: new VirtualClock(0), log: silentLogger });
  await ctl.start();
  server = await startAgentListener(0, "127.0.0.1");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  stopController();
  await t.cleanup();
});

const post = (path: string, token: string | null, body: string, headers: Record<string, string> = {}) =>
  fetch(base + path, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }, body });

describe("agent listener", () => {
  it("registers, heartbeats and fetches commands like the routes", async () => {
    const issued = (await issueAgentToken(t.db, "h1")).token;
    const reg = await post("/api/agent/v1/register", issued, JSON.stringify({ hostName: "h1" }));
    expect(reg.status).toBe(200);
    const { token, hostId } = await reg.json();
    expect(hostId).toBe(hostIds.h1);
    const hb = await post("/api/agent/v1/heartbeat", token, JSON.stringify({ hostId, seq: 0, vms: [] }));
    expect(hb.status).toBe(200);
    expect(await hb.json()).toMatchObject({ ok: true, commandsPending: false });
    const cmds = await fetch(base + "/api/agent/v1/commands", { headers: { authorization: `Bearer ${token}` } });
    expect(await cmds.json()).toEqual({ commands: [] });
    expect((await fetch(base + "/api/agent/v1/openapi.json")).status).toBe(200);
    expect((await fetch(base + "/api/health")).status).toBe(200);
  });

  it("answers errors as problem+json", async () => {
    const tok = (await issueAgentToken(t.db, "h2")).token;
    const expectProblem = async (res: Response, status: number) => {
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      return res.json();
    };
    await expectProblem(await post("/api/agent/v1/heartbeat", null, "{}"), 401);
    await expectProblem(await post("/api/agent/v1/heartbeat", "nope", "{}"), 401);
    expect((await expectProblem(await post("/api/agent/v1/heartbeat", tok, JSON.stringify({ hostId: hostIds.h2, seq: "x", vms: [] })), 400)).errors).toHaveProperty("seq");
    await expectProblem(await post("/api/agent/v1/heartbeat", tok, JSON.stringify({ hostId: hostIds.h1, seq: 1, vms: [] })), 403);
    await expectProblem(await post("/api/agent/v1/heartbeat", tok, "{oops"), 400);
    await expectProblem(await post("/api/agent/v1/heartbeat", tok, "x".repeat(300 * 1024)), 413);
    await expectProblem(await post("/api/agent/v1/heartbeat", tok, "a=1", { "content-type": "text/plain" }), 415);
    await expectProblem(await fetch(base + "/api/agent/v1/heartbeat", { headers: { authorization: `Bearer ${tok}` } }), 405);
    await expectProblem(await fetch(base + "/api/agent/v1/nope"), 404);
    await expectProblem(await post("/api/agent/v1/commands/abc/ack", tok, JSON.stringify({ hostId: hostIds.h2, status: "done" })), 404);
  });

  it("never answers a 5xx to fuzzed input", async () => {
    const tok = (await issueAgentToken(t.db, "h2")).token;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/api/agent/v1/heartbeat", "/api/agent/v1/register", "/api/agent/v1/commands/x/ack", "/api/agent/v1/commands/%E0%A4%A/ack"),
        fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.record({ hostId: fc.oneof(fc.constant(hostIds.h2), fc.jsonValue()), seq: fc.jsonValue(), vms: fc.jsonValue() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)), fc.string()),
        fc.oneof(fc.constant(tok), fc.constant(null)),
        async (path, body, token) => {
          const res = await post(path, token, body);
          expect(res.status).toBeLessThan(500);
          await res.arrayBuffer();
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });
});
