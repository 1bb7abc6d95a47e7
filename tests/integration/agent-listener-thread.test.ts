// The agent listener on its own thread (lib/server/http/agent-listener-thread.ts): heartbeats are
// answered while the HA controller's thread is busy, tokens are checked against the store on every
// request, the per-host rate limit holds, the report reaches the controller, and every other
// request is answered by the controller's thread as before.
import { fileURLToPath } from "node:url";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AddressInfo } from "node:net";
import type http from "node:http";
import { importCluster } from "@/lib/server/cluster-import";
import { HEARTBEAT_LIMIT, startController, stopController, type HaController } from "@/lib/server/ha/controller";
import { systemClock } from "@/lib/server/ha/clock";
import { silentLogger } from "@/lib/server/ha/log";
import { issueAgentToken } from "@/lib/server/agent/tokens";
import { startAgentListener } from "@/lib/server/http/agent-listener";
import { startAgentListenerThread, type AgentListenerThread } from "@/lib/server/http/agent-listener-threaded";
import { setThreadSourceRoot } from "@/lib/server/threads";
import { createTestDb, type TestDb } from "../support/test-db";

let t: TestDb;
let ctl: HaController;
let listener: AgentListenerThread;
let base: string;
const tokens: Record<string, { token: string; hostId: string }> = {};

beforeAll(async () => {
  setThreadSourceRoot(fileURLToPath(new URL("../..", import.meta.url)));
  t = await createTestDb();
  await importCluster(t.db, { hosts: ["h1", "h2", "h3"].map((name) => ({ name, cpus: 8, memoryGiB: 32 })), vms: [] }, { now: new Date(), name: "thread" });
  for (const h of ["h1", "h2", "h3"]) tokens[h] = await issueAgentToken(t.db, h);
  stopController();
  ctl = startController({ db: t.db, clock: systemClock, log: silentLogger });
  await ctl.start();
  const l = await startAgentListenerThread(0, "127.0.0.1", silentLogger);
  if (!l) throw new Error("the threaded listener did not start on a SQLite store");
  listener = l;
  base = `http://127.0.0.1:${listener.address().port}`;
}, 60_000);

afterAll(async () => {
  await new Promise<void>((r) => listener?.close(r));
  stopController();
  await t.cleanup();
});

let seq = 0;
const hb = (host: string, token = tokens[host].token, body?: unknown) =>
  fetch(`${base}/api/agent/v1/heartbeat`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body ?? { hostId: tokens[host].hostId, seq: ++seq, vms: [] }),
  });

/** In another process (this thread is about to be blocked): heartbeats every 150 ms for `ms` (within the rate limit); the slowest answer. */
function slowestHeartbeatFromOutside(url: string, token: string, hostId: string, ms: number): Promise<number> {
  const script = `
    const [url, token, hostId, ms] = process.argv.slice(1);
    let max = 0, n = 0; const end = Date.now() + Number(ms);
    (async () => {
      process.stdout.write("go\\n");
      while (Date.now() < end) {
        const s = performance.now();
        const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer " + token }, body: JSON.stringify({ hostId, seq: 1000 + n++, vms: [] }) });
        await r.text();
        if (r.status !== 200) { console.log("status " + r.status); process.exit(1); }
        max = Math.max(max, performance.now() - s);
        await new Promise((res) => setTimeout(res, 150));
      }
      console.log("max " + max.toFixed(0));
    })();`;
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ["-e", script, url, token, hostId, String(ms)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    let blocked = false;
    c.stdout.on("data", (d) => {
      out += d;
      // Block this thread (the controller's) for 2 s once the prober runs.
      if (out.startsWith("go\n") && !blocked) {
        blocked = true;
        setTimeout(() => {
          const until = Date.now() + 2000;
          while (Date.now() < until) {
            /* busy, like a large synchronous store read */
          }
        }, 100);
      }
    });
    c.on("exit", (code) => {
      const m = /max (\d+)/.exec(out);
      if (code === 0 && m) resolve(Number(m[1]));
      else reject(new Error(`prober: ${out}`));
    });
  });
}

describe("the agent listener on its own thread", () => {
  it("answers heartbeats well within the controller thread's 2 s block (the in-thread listener cannot)", async () => {
    const { token, hostId } = tokens.h1;
    const threaded = await slowestHeartbeatFromOutside(`${base}/api/agent/v1/heartbeat`, token, hostId, 3000);
    // Not the block's length (the slowest answer here is the machine's load, not the block).
    expect(threaded).toBeLessThan(1000);
    // The same probe against the listener on the controller's thread waits for the block.
    const inThread: http.Server = await startAgentListener(0, "127.0.0.1");
    try {
      const url = `http://127.0.0.1:${(inThread.address() as AddressInfo).port}/api/agent/v1/heartbeat`;
      expect(await slowestHeartbeatFromOutside(url, tokens.h2.token, tokens.h2.hostId, 3000)).toBeGreaterThan(1700);
    } finally {
      await new Promise((r) => inThread.close(r));
    }
  }, 30_000);

  it("hands the heartbeat to the controller (its last heartbeat is recorded)", async () => {
    const before = Date.now();
    const r = await hb("h3");
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ ok: true, commandsPending: false });
    await expect
      .poll(async () => {
        await ctl.persistHeartbeats(true);
        const h = await t.db.host.findUniqueOrThrow({ where: { id: tokens.h3.hostId }, select: { lastHeartbeatAt: true } });
        return (h.lastHeartbeatAt?.getTime() ?? 0) >= Math.floor(before / 1000) * 1000;
      })
      .toBe(true);
  });

  it("says commands wait when the store has a pending one for the host", async () => {
    await t.db.agentCommand.create({ data: { hostId: tokens.h3.hostId, kind: "stop-vm", payload: "{}", generation: 1, status: "pending", createdAt: new Date() } });
    expect(await (await hb("h3")).json()).toMatchObject({ commandsPending: true });
    await t.db.agentCommand.deleteMany({ where: { hostId: tokens.h3.hostId } });
    expect(await (await hb("h3")).json()).toMatchObject({ commandsPending: false });
  });

  it("refuses a token the moment the store no longer has it, and a heartbeat naming another host", async () => {
    const other = await hb("h2", tokens.h2.token, { hostId: tokens.h3.hostId, seq: 1, vms: [] });
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ detail: "The heartbeat names another host" });
    const bad = await hb("h2", tokens.h2.token, { hostId: tokens.h2.hostId, seq: "x", vms: [] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/seq/);
    await t.db.host.update({ where: { id: tokens.h2.hostId }, data: { agentTokenHash: null } });
    const r = await hb("h2");
    expect(r.status).toBe(401);
    expect(r.headers.get("content-type")).toBe("application/problem+json");
    expect((await fetch(`${base}/api/agent/v1/heartbeat`, { method: "POST", body: "{}" })).status).toBe(401);
  });

  it("rate-limits a host that heartbeats far more often than its interval (429), not its neighbours", async () => {
    tokens.h2 = await issueAgentToken(t.db, "h2");
    // A burst well past the bucket, at once (refills during it stay far below the excess).
    const statuses = await Promise.all(Array.from({ length: HEARTBEAT_LIMIT.burst + 10 }, async () => (await hb("h2")).status));
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(HEARTBEAT_LIMIT.burst);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect((await hb("h3")).status).toBe(200);
  });

  it("passes every other request to the controller's thread: register, commands, health, unknown paths", async () => {
    const reg = await fetch(`${base}/api/agent/v1/register`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${tokens.h3.token}` },
      body: JSON.stringify({ hostName: "h3" }),
    });
    expect(reg.status).toBe(200);
    const r = (await reg.json()) as { token: string; hostId: string };
    expect(r.hostId).toBe(tokens.h3.hostId);
    // The registration replaced the token: the old one stops, the new one heartbeats.
    expect((await hb("h3")).status).toBe(401);
    tokens.h3 = { token: r.token, hostId: r.hostId };
    expect((await hb("h3")).status).toBe(200);
    const cmds = await fetch(`${base}/api/agent/v1/commands`, { headers: { authorization: `Bearer ${r.token}` } });
    expect(cmds.status).toBe(200);
    expect(await cmds.json()).toEqual({ commands: [] });
    expect((await fetch(`${base}/api/agent/v1/nope`)).status).toBe(404);
    expect((await fetch(`${base}/api/agent/v1/heartbeat`)).status).toBe(405);
  });
});
