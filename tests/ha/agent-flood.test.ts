// One agent token must not be able to flood the console: every list and string of the agent
// schemas is bounded, an unknown VM is recorded once per episode (not once per heartbeat or per
// VM), and a host that heartbeats far more often than its interval gets 429s.
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { importCluster } from "@/lib/server/cluster-import";
import { HaController, HEARTBEAT_LIMIT, RateLimitedError, UNKNOWN_VMS_EVENT_MIN_MS, UNKNOWN_VMS_LISTED, startController, stopController } from "@/lib/server/ha/controller";
import { VirtualClock } from "@/lib/server/ha/clock";
import { silentLogger } from "@/lib/server/ha/log";
import { agentHeartbeat, registerAgent } from "@/lib/server/agent/service";
import { startAgentListener } from "@/lib/server/http/agent-listener";
import { MAX_AGENT_GPUS, MAX_AGENT_NICS, MAX_AGENT_VMS, MAX_COMMANDS_SEEN, ZHeartbeat, ZRegisterRequest } from "@/lib/schemas/agent";
import { createTestDb, type TestDb } from "../support/test-db";

let t: TestDb | null = null;
let server: http.Server | null = null;
afterEach(async () => {
  if (server) await new Promise((r) => server!.close(r));
  server = null;
  stopController();
  await t?.cleanup();
  t = null;
});

async function setup(opts: { heartbeatLimit?: false } = {}) {
  t = await createTestDb();
  const imp = await importCluster(
    t.db,
    {
      hosts: [
        { name: "h1", cpus: 16, memoryGiB: 64 },
        { name: "h2", cpus: 16, memoryGiB: 64 },
      ],
      vms: [{ name: "v1", vcpus: 2, memoryGiB: 4, host: "h1" }],
    },
    { now: new Date(0) },
  );
  const clock = new VirtualClock(0);
  const controller = new HaController({ db: t.db, clock, log: silentLogger, ...opts });
  await controller.start();
  return { deps: { db: t.db, controller }, imp, clock, controller, db: t.db };
}

const vm = (i: number) => ({ vmId: `ghost-${i}`, generation: 1, state: "running" as const });

describe("agent schemas are bounded", () => {
  const hostId = "h";
  it("a heartbeat lists at most 512 VMs, 64 NICs and 512 seen commands, with bounded strings", () => {
    expect(ZHeartbeat.safeParse({ hostId, seq: 1, vms: Array.from({ length: MAX_AGENT_VMS }, (_, i) => vm(i)) }).success).toBe(true);
    const tooMany = ZHeartbeat.safeParse({ hostId, seq: 1, vms: Array.from({ length: 3000 }, (_, i) => vm(i)) });
    expect(tooMany.success).toBe(false);
    expect(tooMany.error!.issues[0].path).toEqual(["vms"]);
    expect(ZHeartbeat.safeParse({ hostId, seq: 1, vms: [], nics: Array.from({ length: MAX_AGENT_NICS + 1 }, (_, i) => ({ name: `n${i}`, linkUp: true })) }).success).toBe(false);
    expect(ZHeartbeat.safeParse({ hostId, seq: 1, vms: [], nics: [{ name: "x".repeat(65), linkUp: true }] }).success).toBe(false);
    expect(ZHeartbeat.safeParse({ hostId, seq: 1, vms: [], commandsSeen: Array.from({ length: MAX_COMMANDS_SEEN }, (_, i) => `c${i}`) }).success).toBe(true);
    expect(ZHeartbeat.safeParse({ hostId, seq: 1, vms: [], commandsSeen: Array.from({ length: MAX_COMMANDS_SEEN + 1 }, (_, i) => `c${i}`) }).success).toBe(false);
    expect(ZHeartbeat.safeParse({ hostId, seq: 1, vms: [{ vmId: "v".repeat(129), generation: 1, state: "running" }] }).success).toBe(false);
    expect(ZHeartbeat.safeParse({ hostId: "h".repeat(129), seq: 1, vms: [] }).success).toBe(false);
  });

  it("a registration lists at most 64 GPUs and 64 NICs, with bounded strings", () => {
    const gpu = (i: number) => ({ name: `gpu${i}`, model: "NVIDIA L4" });
    const nic = (i: number) => ({ name: `ens${i}`, linkUp: true });
    expect(ZRegisterRequest.safeParse({ hostName: "h1", gpus: Array.from({ length: MAX_AGENT_GPUS }, (_, i) => gpu(i)), nics: Array.from({ length: MAX_AGENT_NICS }, (_, i) => nic(i)) }).success).toBe(true);
    expect(ZRegisterRequest.safeParse({ hostName: "h1", gpus: Array.from({ length: MAX_AGENT_GPUS + 1 }, (_, i) => gpu(i)) }).success).toBe(false);
    expect(ZRegisterRequest.safeParse({ hostName: "h1", nics: Array.from({ length: MAX_AGENT_NICS + 1 }, (_, i) => nic(i)) }).success).toBe(false);
    expect(ZRegisterRequest.safeParse({ hostName: "h1", gpus: [{ name: "g", model: "m".repeat(129) }] }).success).toBe(false);
    expect(ZRegisterRequest.safeParse({ hostName: "h1", nics: [{ name: "n", linkUp: true, bond: "b".repeat(65) }] }).success).toBe(false);
    expect(ZRegisterRequest.safeParse({ hostName: "h1", nics: [{ name: "n", linkUp: true, sriovVfs: 100_000 }] }).success).toBe(false);
  });

  it("a heartbeat listing 3,000 VMs is refused (400-class validation) and writes nothing", async () => {
    const { deps, imp, controller, db } = await setup();
    const before = await db.event.count();
    await expect(agentHeartbeat(deps, imp.hostIds.h1, { hostId: imp.hostIds.h1, seq: 1, vms: Array.from({ length: 3000 }, (_, i) => vm(i)) })).rejects.toMatchObject({
      code: "VALIDATION",
      fieldErrors: { vms: [expect.stringMatching(/512/)] },
    });
    await controller.step();
    expect(await db.event.count()).toBe(before);
  });
});

describe("unknown VMs reported by a host", () => {
  it("are recorded once per episode: one event listing the first ids and the count", async () => {
    const { deps, imp, clock, controller, db } = await setup();
    const h1 = imp.hostIds.h1;
    const v1 = { vmId: imp.vmIds.v1, generation: 1, state: "running" as const };
    let seq = 0;
    const beat = async (vms: { vmId: string; generation: number; state: "running" | "starting" }[], seconds = 1) => {
      for (let s = 0; s < seconds; s++) {
        clock.advance(1000);
        await agentHeartbeat(deps, h1, { hostId: h1, seq: seq++, vms });
        await agentHeartbeat(deps, imp.hostIds.h2, { hostId: imp.hostIds.h2, seq, vms: [] });
        await controller.step();
      }
    };
    const unknownEvents = () => db.event.findMany({ where: { kind: "unknown-vms-reported" }, orderBy: { at: "asc" } });
    const eventsBefore = await db.event.count();
    // A flood: 500 ids it makes up, different in every heartbeat, for 30 s.
    for (let s = 0; s < 30; s++) await beat([v1, ...Array.from({ length: 500 }, (_, i) => vm(s * 1000 + i))]);
    let evs = await unknownEvents();
    expect(evs).toHaveLength(1);
    const data = JSON.parse(evs[0].data!);
    expect(data.count).toBe(500);
    expect(data.vms).toHaveLength(UNKNOWN_VMS_LISTED);
    expect(data.more).toBe(500 - UNKNOWN_VMS_LISTED);
    expect(evs[0].hostId).toBe(h1);
    expect(evs[0].vmId).toBeNull();
    expect(evs[0].message).toMatch(/h1 reports 500 VMs the console does not know: ghost-0, ghost-1, .* and 480 more/);
    // Nothing else was written for them: no stale-copy event, no command.
    expect(await db.event.count()).toBe(eventsBefore + 1);
    expect(await db.agentCommand.count()).toBe(0);
    // The episode ends; another begins within a minute of the event: folded into it (a flapping report).
    await beat([v1], 5);
    await beat([v1, vm(-1)], 5);
    expect(await unknownEvents()).toHaveLength(1);
    // A new episode a minute later is recorded again, once.
    await beat([v1], 5);
    clock.advance(UNKNOWN_VMS_EVENT_MIN_MS);
    await beat([v1, vm(-2)], 10);
    evs = await unknownEvents();
    expect(evs).toHaveLength(2);
    expect(JSON.parse(evs[1].data!)).toMatchObject({ count: 1, vms: [{ vmId: "ghost--2", generation: 1 }], more: 0 });
  });
});

describe("heartbeat rate limit per host", () => {
  it("a host heartbeating far more often than its interval gets RATE_LIMITED (429); its neighbours do not", async () => {
    const { deps, imp, clock, controller } = await setup();
    const h1 = imp.hostIds.h1;
    const h2 = imp.hostIds.h2;
    const hb = (hostId: string, seq: number) => agentHeartbeat(deps, hostId, { hostId, seq, vms: [] });
    clock.advance(1000);
    for (let i = 0; i < HEARTBEAT_LIMIT.burst; i++) await hb(h1, i);
    const refused = await hb(h1, 99).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect(refused).toMatchObject({ code: "RATE_LIMITED", status: 429 });
    expect((refused as Error).message).toMatch(/h1 sends heartbeats far more often than every 1s/);
    // Another host is not affected.
    expect((await hb(h2, 1)).ok).toBe(true);
    // The bucket refills at `perInterval` per heartbeat interval.
    clock.advance(1000 / HEARTBEAT_LIMIT.perInterval);
    expect((await hb(h1, 100)).ok).toBe(true);
    await expect(hb(h1, 101)).rejects.toBeInstanceOf(RateLimitedError);
    // A refused heartbeat is not liveness: the host is still judged by the ones it got through.
    clock.advance(10_000);
    for (let s = 0; s < 120; s++) {
      clock.advance(1000);
      expect((await hb(h1, 200 + s)).ok).toBe(true); // once per interval: never limited
      await hb(h2, 200 + s);
    }
    await controller.step();
    expect((await deps.db.host.findMany()).map((h) => h.state)).toEqual(["online", "online"]);
  });

  it("keeps its state on the controller instance: a new controller starts with full buckets", async () => {
    const { deps, imp, clock } = await setup();
    const h1 = imp.hostIds.h1;
    for (let i = 0; i < HEARTBEAT_LIMIT.burst; i++) await agentHeartbeat(deps, h1, { hostId: h1, seq: i, vms: [] });
    await expect(agentHeartbeat(deps, h1, { hostId: h1, seq: 99, vms: [] })).rejects.toMatchObject({ code: "RATE_LIMITED" });
    const other = new HaController({ db: deps.db, clock, log: silentLogger });
    await other.start();
    expect((await agentHeartbeat({ db: deps.db, controller: other }, h1, { hostId: h1, seq: 100, vms: [] })).ok).toBe(true);
  });

  it("can be turned off (heartbeatLimit: false)", async () => {
    const { deps, imp } = await setup({ heartbeatLimit: false });
    const h1 = imp.hostIds.h1;
    for (let i = 0; i < 100; i++) expect((await agentHeartbeat(deps, h1, { hostId: h1, seq: i, vms: [] })).ok).toBe(true);
  });

  it("answers 429 application/problem+json over HTTP", async () => {
    t = await createTestDb();
    await importCluster(t.db, { hosts: [{ name: "h1", cpus: 8, memoryGiB: 32 }], vms: [] }, { now: new Date(0), name: "flood" });
    stopController();
    const ctl = startController({ db: t.db, clock: new VirtualClock(0), log: silentLogger });
    await ctl.start();
    server = await startAgentListener(0, "127.0.0.1");
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const reg = await registerAgent({ db: t.db, controller: ctl }, { hostName: "h1" });
    const post = (seq: number) =>
      fetch(`${base}/api/agent/v1/heartbeat`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${reg.token}` },
        body: JSON.stringify({ hostId: reg.hostId, seq, vms: [] }),
      });
    for (let i = 0; i < HEARTBEAT_LIMIT.burst; i++) expect((await post(i)).status).toBe(200);
    const res = await post(99);
    expect(res.status).toBe(429);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const p = await res.json();
    expect(p).toMatchObject({ status: 429, detail: expect.stringMatching(/far more often/) });
  });
});
