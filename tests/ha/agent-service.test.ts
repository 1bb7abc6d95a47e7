// The agent protocol service functions (what app/api/agent/v1 routes will wrap).
import { afterEach, describe, expect, it } from "vitest";
import { importCluster } from "@/lib/server/cluster-import";
import { HaController } from "@/lib/server/ha/controller";
import { VirtualClock } from "@/lib/server/ha/clock";
import { silentLogger } from "@/lib/server/ha/log";
import { powerOnVm } from "@/lib/server/ha/vm-power";
import { ackAgentCommand, agentHeartbeat, authenticateAgent, fetchAgentCommands, registerAgent } from "@/lib/server/agent/service";
import { AppError } from "@/lib/server/errors";
import { createTestDb, type TestDb } from "../support/test-db";

let t: TestDb | null = null;
afterEach(async () => {
  await t?.cleanup();
  t = null;
});

async function setup() {
  t = await createTestDb();
  const imp = await importCluster(
    t.db,
    {
      hosts: [
        { name: "h1", cpus: 16, memoryGiB: 64 },
        { name: "h2", cpus: 16, memoryGiB: 64 },
      ],
      vms: [{ name: "v1", vcpus: 2, memoryGiB: 4, power: "off", hostAffinity: ["h1"] }],
    },
    { now: new Date(0) },
  );
  const clock = new VirtualClock(0);
  const controller = new HaController({ db: t.db, clock, log: silentLogger });
  await controller.start();
  return { deps: { db: t.db, controller }, imp, clock, controller };
}

describe("agent service", () => {
  it("registers by host name and authenticates by token; unknown hosts and tokens are refused", async () => {
    const { deps, imp } = await setup();
    const r = await registerAgent(deps, { hostName: "h1" });
    expect(r.hostId).toBe(imp.hostIds.h1);
    expect(r.heartbeatS).toBe(1);
    expect(await authenticateAgent(deps, r.token)).toBe(imp.hostIds.h1);
    const row = await t!.db.host.findUniqueOrThrow({ where: { name: "h1" } });
    expect(row.agentTokenHash).not.toBe(r.token);
    await expect(authenticateAgent(deps, "nope")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(registerAgent(deps, { hostName: "h9" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(registerAgent(deps, { hostName: "h1", extra: 1 })).rejects.toMatchObject({ code: "VALIDATION" });
  });

  it("validates heartbeats and refuses one naming another host", async () => {
    const { deps, imp } = await setup();
    await expect(agentHeartbeat(deps, imp.hostIds.h1, { hostId: imp.hostIds.h1, seq: -1, vms: [] })).rejects.toBeInstanceOf(AppError);
    await expect(agentHeartbeat(deps, imp.hostIds.h1, { hostId: imp.hostIds.h2, seq: 1, vms: [] })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const ok = await agentHeartbeat(deps, imp.hostIds.h1, { hostId: imp.hostIds.h1, seq: 1, vms: [] });
    expect(ok).toMatchObject({ ok: true, commandsPending: false });
  });

  it("hands out queued commands once, and acknowledging twice changes nothing", async () => {
    const { deps, imp, controller } = await setup();
    await powerOnVm(imp.vmIds.v1, {}, controller);
    const hb = await agentHeartbeat(deps, imp.hostIds.h1, { hostId: imp.hostIds.h1, seq: 1, vms: [] });
    expect(hb.commandsPending).toBe(true);
    const { commands } = await fetchAgentCommands(deps, imp.hostIds.h1);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({ kind: "start-vm", vmId: imp.vmIds.v1, generation: 1 });
    expect((await fetchAgentCommands(deps, imp.hostIds.h1)).commands).toHaveLength(0);
    const first = await ackAgentCommand(deps, imp.hostIds.h1, { hostId: imp.hostIds.h1, commandId: commands[0].id, status: "done" });
    expect(first.duplicate).toBe(false);
    expect((await t!.db.vm.findUniqueOrThrow({ where: { id: imp.vmIds.v1 } })).power).toBe("running");
    const again = await ackAgentCommand(deps, imp.hostIds.h1, { hostId: imp.hostIds.h1, commandId: commands[0].id, status: "failed" });
    expect(again.duplicate).toBe(true);
    expect((await t!.db.vm.findUniqueOrThrow({ where: { id: imp.vmIds.v1 } })).power).toBe("running");
    await expect(ackAgentCommand(deps, imp.hostIds.h2, { hostId: imp.hostIds.h2, commandId: commands[0].id, status: "done" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
