// The demo fleet on its own thread (lib/server/demo/fleet-thread.ts): its simulated agents take
// the demo hosts with issued tokens, register and heartbeat over HTTP through the agent listener's
// thread like real agents, and take faults sent as messages — a host that loses power goes
// unreachable at the controller and comes back when it powers on.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startController, stopController, type HaController } from "@/lib/server/ha/controller";
import { systemClock } from "@/lib/server/ha/clock";
import { silentLogger } from "@/lib/server/ha/log";
import { seedDemo } from "@/lib/server/seed";
import { startAgentListenerThread, type AgentListenerThread } from "@/lib/server/http/agent-listener-threaded";
import { startDemoFleetThread, type DemoFleetThread } from "@/lib/server/demo/fleet-threaded";
import type { TDemoFaultResult } from "@/lib/schemas/demo";
import { setThreadSourceRoot } from "@/lib/server/threads";
import { createTestDb, type TestDb } from "../support/test-db";

let t: TestDb;
let ctl: HaController;
let listener: AgentListenerThread;
let fleet: DemoFleetThread;
let stepper: ReturnType<typeof setInterval>;

beforeAll(async () => {
  setThreadSourceRoot(fileURLToPath(new URL("../..", import.meta.url)));
  t = await createTestDb();
  await seedDemo(t.db);
  stopController();
  ctl = startController({ db: t.db, clock: systemClock, log: silentLogger });
  await ctl.start();
  listener = (await startAgentListenerThread(0, "127.0.0.1", silentLogger))!;
  const agentUrl = `http://127.0.0.1:${listener.address().port}`;
  const f = await startDemoFleetThread(
    { databaseUrl: t.url, agentUrl, timing: { ...ctl.timing }, clusterId: ctl.clusterId ?? null, maxHosts: 100, logLevel: "error" },
    silentLogger,
  );
  if (!f) throw new Error("the fleet thread did not start");
  fleet = f;
  let busy = false;
  stepper = setInterval(() => {
    if (busy) return;
    busy = true;
    void ctl.step().finally(() => (busy = false));
  }, 250);
}, 120_000);

afterAll(async () => {
  clearInterval(stepper);
  await fleet?.stop();
  await new Promise<void>((r) => (listener ? listener.close(r) : r()));
  stopController();
  await t.cleanup();
});

const hostStates = async () => Object.fromEntries((await t.db.host.findMany({ select: { name: true, state: true, simulated: true } })).map((h) => [h.name, h]));

describe("the demo fleet on its own thread", () => {
  it("drives every demo host over HTTP: tokens issued, hosts simulated, heartbeats heard", async () => {
    expect(fleet.demo).toBe(true);
    const hosts = await t.db.host.count();
    await expect.poll(() => fleet.agents(), { timeout: 20_000 }).toBe(hosts);
    await expect
      .poll(
        async () => {
          await ctl.persistHeartbeats(true);
          return t.db.host.count({ where: { lastHeartbeatAt: { not: null }, simulated: true } });
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(hosts);
  }, 60_000);

  it("a host that loses power goes unreachable at the controller; powered on, it is back online", async () => {
    const host = (await t.db.host.findFirstOrThrow({ where: { state: "online" }, orderBy: { name: "asc" }, select: { name: true } })).name;
    const r = await fleet.call<TDemoFaultResult>("fault", { action: "host-down", host });
    expect(r).toMatchObject({ ok: true, host });
    expect(await fleet.call("hostStatus", host)).toMatchObject({ simulated: true, up: false });
    await expect.poll(async () => (await hostStates())[host].state, { timeout: 30_000, interval: 250 }).not.toBe("online");
    await fleet.call("fault", { action: "host-up", host });
    await expect.poll(async () => (await hostStates())[host].state, { timeout: 60_000, interval: 250 }).toBe("online");
  }, 120_000);

  it("answers refused faults as the in-process fleet does (the error's code and message come back)", async () => {
    await expect(fleet.call("fault", { action: "host-up", host: "no-such-host" })).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringMatching(/no simulated agent/) });
    await expect(fleet.call("fault", { action: "explode", host: "x" })).rejects.toMatchObject({ code: "VALIDATION" });
  });
});
