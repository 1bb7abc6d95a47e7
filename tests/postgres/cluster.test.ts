// Three console instances' controller processes on one PostgreSQL store (issue 13), each forked
// and driven exactly as a console does (lib/server/control/process.ts → main.ts): one is elected
// and runs the HA controller (the demo fleet with it), the others forward their console's calls
// to it. kill -9 of the leader: another instance takes the lease within the lease time (+ one
// poll) with the next epoch and runs the controller; the killed one comes back as a follower.
// SIGSTOP of the leader past its lease, then SIGCONT: it steps down (exits) instead of acting,
// and the store's epoch stays the new leader's. Every instance's agent listener (HAVEN_AGENT_PORT)
// answers agents: the leader's itself, the followers' by forwarding to it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import pg from "pg";
import { migratePostgres } from "@/lib/server/cluster/pg-migrate";
import { readLease } from "@/lib/server/cluster/lease";
import { createDb } from "@/lib/server/db";
import { ControllerProcess } from "@/lib/server/control/process";
import { postgresAvailable, startPostgres, type PostgresServer } from "@/scripts/lib/postgres-server";
import { freePort } from "@/scripts/lib/console-cluster";

const LEASE = 4000;
const ROOT = path.resolve(import.meta.dirname, "..", "..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!postgresAvailable())("three instances on one PostgreSQL store", () => {
  let server: PostgresServer;
  let url: string;
  let admin: pg.Client;
  const procs: ControllerProcess[] = [];
  const agentPorts: number[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    url = await server.createDatabase("cluster");
    await migratePostgres(url);
    const db = createDb(url);
    const { seedDemo } = await import("@/lib/server/seed");
    await seedDemo(db);
    await db.$disconnect();
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    for (let i = 0; i < 3; i++) agentPorts.push(await freePort());
    for (let i = 0; i < 3; i++) {
      const p = new ControllerProcess(path.join(ROOT, "lib", "server", "control", "main.ts"), {
        ...process.env,
        DATABASE_URL: url,
        HAVEN_INSTANCE: `test-${i}`,
        HAVEN_LEASE_MS: String(LEASE),
        HAVEN_AUTH_SECRET: "cluster-test-secret-0123456789abcdefghijkl",
        HAVEN_LOG_LEVEL: "warn",
        HAVEN_DEMO_MAX_HOSTS: "50",
        HAVEN_AGENT_PORT: String(agentPorts[i]),
        HAVEN_AGENT_HOST: "127.0.0.1",
      }, () => {});
      p.start();
      procs.push(p);
    }
    for (const p of procs) expect(await p.waitReady(60_000)).toBe(true);
  }, 120_000);

  afterAll(async () => {
    for (const p of procs) p.stop();
    await admin?.end().catch(() => {});
    await sleep(300);
    server?.stop();
  });

  const lease = () => readLease(admin);
  const leaderIndex = async (): Promise<number> => {
    const l = await lease();
    if (!l?.live) return -1;
    return procs.findIndex((p) => l.holder === `test-${procs.indexOf(p)}/${p.pid()}`);
  };
  async function waitFor<T>(f: () => Promise<T | null | false | undefined>, ms: number, what: string): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await f().catch(() => null);
      if (v) return v;
      if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
      await sleep(50);
    }
  }
  const healthOf = (p: ControllerProcess) => p.call("health", [], 5000) as Promise<{ status: string; controller: string }>;

  it("elects one leader; every instance answers the controller's operations (followers forward them)", async () => {
    const li = await waitFor(async () => ((await leaderIndex()) >= 0 ? (await leaderIndex()) + 1 : null), 30_000, "a leader").then((x) => x - 1);
    // Every instance reports the controller running (followers as the leader answers them).
    await waitFor(async () => (await Promise.all(procs.map(healthOf))).every((h) => h.status === "ok" && h.controller === "running"), 60_000, "all healthy");
    const ids = await Promise.all(procs.map((p) => p.call("unavailableHostIds", [], 10_000) as Promise<string[]>));
    for (const x of ids) expect(x).toEqual(ids[li]);
    expect((await lease())!.epoch).toBe("1");
    // Every instance's agent listener answers the agent protocol: the leader's itself, the
    // followers' by forwarding to it (a call without a token: the leader's 401 problem).
    for (const port of agentPorts) {
      const r = await waitFor(async () => {
        const x = await fetch(`http://127.0.0.1:${port}/api/agent/v1/commands`);
        return x.status === 401 ? x : null;
      }, 20_000, `agent port ${port}`);
      expect(r.headers.get("content-type")).toContain("application/problem+json");
      expect(r.headers.get("www-authenticate")).toContain("Bearer");
    }
  }, 120_000);

  it("kill -9 of the leader: another process leads within the lease, with the next epoch; the killed instance rejoins", async () => {
    const takeovers: number[] = [];
    for (let round = 0; round < 3; round++) {
      const li = await waitFor(async () => ((await leaderIndex()) >= 0 ? (await leaderIndex()) + 1 : null), 30_000, "a leader").then((x) => x - 1);
      const before = Number((await lease())!.epoch);
      const pid = procs[li].pid()!;
      const t0 = performance.now();
      process.kill(pid, "SIGKILL");
      const after = await waitFor(async () => {
        const l = await lease();
        return l && l.live && Number(l.epoch) > before ? l : null;
      }, LEASE + 5000, "takeover");
      takeovers.push(performance.now() - t0);
      expect(Number(after.epoch)).toBe(before + 1);
      // Never the killed process. Its instance restarts it at once (as a console restarts its
      // controller process), and that new process may win the election fairly.
      expect(after.holder).not.toBe(`test-${li}/${pid}`);
      // The new leader's controller answers through every instance, the restarted one included.
      await waitFor(async () => procs[li].pid() !== pid && procs[li].ready && (await healthOf(procs[li])).controller === "running", 30_000, "the killed instance back");
    }
    for (const ms of takeovers) expect(ms).toBeLessThan(LEASE + 1500);
  }, 180_000);

  it("SIGSTOP of the leader past its lease, then SIGCONT: it steps down and exits without taking the lease back", async () => {
    const li = await waitFor(async () => ((await leaderIndex()) >= 0 ? (await leaderIndex()) + 1 : null), 30_000, "a leader").then((x) => x - 1);
    const before = await lease();
    const pid = procs[li].pid()!;
    process.kill(pid, "SIGSTOP");
    const after = await waitFor(async () => {
      const l = await lease();
      return l && l.live && Number(l.epoch) > Number(before!.epoch) ? l : null;
    }, LEASE + 5000, "takeover while stopped");
    await sleep(500);
    process.kill(pid, "SIGCONT");
    // It exits (its console restarts it as a follower) and the lease stays the new leader's.
    await waitFor(async () => procs[li].pid() !== pid, 10_000, "the resumed leader exits");
    const now = await lease();
    expect(now!.epoch).toBe(after.epoch);
    expect(now!.holder).toBe(after.holder);
  }, 120_000);
});
