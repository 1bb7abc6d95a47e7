// Spurious start failures: a start is failed only by the agent's ack or by a report taken after the
// agent received the command — never by a heartbeat built before it fetched the command and
// processed after (the mass-failover race) — and a start failed without the agent's word is never
// relocated while it may still be booting on its host.
import { afterEach, describe, expect, it } from "vitest";
import { importCluster } from "@/lib/server/cluster-import";
import { HaController } from "@/lib/server/ha/controller";
import { VirtualClock } from "@/lib/server/ha/clock";
import { silentLogger } from "@/lib/server/ha/log";
import { powerOnVm } from "@/lib/server/ha/vm-power";
import { ackAgentCommand, agentHeartbeat, fetchAgentCommands } from "@/lib/server/agent/service";
import type { THeartbeat } from "@/lib/schemas/agent";
import { createTestDb, type TestDb } from "../support/test-db";

let t: TestDb | null = null;
afterEach(async () => {
  await t?.cleanup();
  t = null;
});

async function setup(o: { pin?: boolean } = {}) {
  t = await createTestDb();
  const imp = await importCluster(
    t.db,
    {
      hosts: [
        { name: "h1", cpus: 16, memoryGiB: 64 },
        { name: "h2", cpus: 16, memoryGiB: 64 },
      ],
      vms: [
        { name: "v1", vcpus: 2, memoryGiB: 4, power: "off", haPriority: "high", ...(o.pin ? { hostAffinity: ["h1"] } : {}) },
        { name: "v2", vcpus: 2, memoryGiB: 4, power: "off", haPriority: "high", hostAffinity: ["h1"] },
      ],
    },
    { now: new Date(0) },
  );
  const clock = new VirtualClock(0);
  const controller = new HaController({ db: t.db, clock, log: silentLogger });
  await controller.start();
  const deps = { db: t.db, controller };
  const db = t.db;
  const vmId = imp.vmIds.v1;
  const name = Object.fromEntries(Object.entries(imp.hostIds).map(([n, id]) => [id, n]));
  const other = (hostId: string) => (hostId === imp.hostIds.h1 ? imp.hostIds.h2 : imp.hostIds.h1);
  /** Both agents heartbeat (seq `seq`) and the controller steps, every second, `n` times. */
  const seqs: Record<string, number> = { [imp.hostIds.h1]: 0, [imp.hostIds.h2]: 0 };
  const hb = (hostId: string, extra: Partial<THeartbeat> = {}) => {
    const body: THeartbeat = { hostId, seq: seqs[hostId]++, vms: [], nics: [], ...extra };
    return () => agentHeartbeat(deps, hostId, body);
  };
  const second = async (extra: Record<string, Partial<THeartbeat>> = {}) => {
    clock.advance(1000);
    for (const id of Object.values(imp.hostIds)) await hb(id, extra[id])();
    await controller.step();
  };
  const events = async (kind: string) => db.event.findMany({ where: { kind, vmId }, orderBy: { at: "asc" } });
  const vm = () => db.vm.findUniqueOrThrow({ where: { id: vmId } });
  return { deps, db, clock, controller, vmId, imp, name, other, hb, second, events, vm, seqs };
}

/** Power v1 on and return its start command (pending) and host. */
async function powerOn(s: Awaited<ReturnType<typeof setup>>) {
  await s.second();
  await powerOnVm(s.vmId, {}, s.controller);
  const cmd = await s.db.agentCommand.findFirstOrThrow({ where: { vmId: s.vmId, kind: "start-vm" } });
  return { cmd, hostId: cmd.hostId };
}

describe("a heartbeat built before the agent fetched its start, processed after", () => {
  it("does not fail the start (the mass-failover race: the host's report changed meanwhile)", async () => {
    const s = await setup({ pin: true });
    const { cmd: first, hostId } = await powerOn(s);
    await fetchAgentCommands(s.deps, hostId);
    const running = [{ vmId: s.vmId, generation: first.generation, state: "starting" as const }];
    await s.second({ [hostId]: { vms: running } });
    // A second VM is started on the same host.
    const v2Id: string | null = s.imp.vmIds.v2;
    await powerOnVm(v2Id, {}, s.controller);
    const second = await s.db.agentCommand.findFirstOrThrow({ where: { vmId: v2Id!, kind: "start-vm" } });
    expect(second.hostId).toBe(hostId);
    // The agent builds its next heartbeat (the first VM now running: a changed report, without
    // v2), then fetches v2's start; the heartbeat is processed after the start was marked sent.
    s.clock.advance(1000);
    const stale = s.hb(hostId, { vms: [{ ...running[0], state: "running" }] });
    const { commands } = await fetchAgentCommands(s.deps, hostId);
    expect(commands.map((c) => c.id)).toEqual([second.id]);
    await stale();
    await s.controller.step();
    expect(await s.db.event.count({ where: { kind: "vm-start-failed" } })).toBe(0);
    expect((await s.db.agentCommand.findUniqueOrThrow({ where: { id: second.id } })).status).toBe("sent");
    expect((await s.vm()).power).toBe("running");
    // v2 boots and is confirmed by the next reports: running on its first attempt.
    await s.second({ [hostId]: { vms: [{ ...running[0], state: "running" }, { vmId: v2Id!, generation: second.generation, state: "starting" }] } });
    await s.second({ [hostId]: { vms: [{ ...running[0], state: "running" }, { vmId: v2Id!, generation: second.generation, state: "running" }] } });
    expect((await s.db.vm.findUniqueOrThrow({ where: { id: v2Id! } })).power).toBe("running");
    expect(await s.db.agentCommand.count({ where: { vmId: v2Id!, kind: "start-vm" } })).toBe(1);
    expect(await s.db.event.count({ where: { kind: "vm-start-failed" } })).toBe(0);
  });

  it("does not fail the start (seq: the agent does not echo commands)", async () => {
    const s = await setup();
    const { cmd, hostId } = await powerOn(s);
    // The agent builds heartbeat n+1 (no VM yet), then fetches its command; the heartbeat is
    // processed only after the command was marked sent, and the controller steps on it.
    s.clock.advance(1000);
    const stale = s.hb(hostId);
    const { commands } = await fetchAgentCommands(s.deps, hostId);
    expect(commands.map((c) => c.id)).toEqual([cmd.id]);
    await stale();
    await s.controller.step();
    expect(await s.events("vm-start-failed")).toEqual([]);
    expect((await s.db.agentCommand.findUniqueOrThrow({ where: { id: cmd.id } })).status).toBe("sent");
    // It boots and says so: running, on the first attempt.
    await s.second({ [hostId]: { vms: [{ vmId: s.vmId, generation: commands[0].generation, state: "starting" }] } });
    await ackAgentCommand(s.deps, hostId, { hostId, commandId: cmd.id, status: "done" });
    expect((await s.vm()).power).toBe("running");
    expect(await s.db.agentCommand.count({ where: { vmId: s.vmId, kind: "start-vm" } })).toBe(1);
    expect(await s.events("vm-start-failed")).toEqual([]);
  });

  it("does not fail the start when the report was noted before the fetch and reconciled after", async () => {
    const s = await setup();
    const { cmd, hostId } = await powerOn(s);
    s.clock.advance(1000);
    await s.hb(hostId)(); // noted in memory, reconciled at the next step
    await fetchAgentCommands(s.deps, hostId);
    await s.controller.step();
    expect(await s.events("vm-start-failed")).toEqual([]);
    expect((await s.db.agentCommand.findUniqueOrThrow({ where: { id: cmd.id } })).status).toBe("sent");
  });

  it("does not fail the start (echo: the report's commandsSeen does not list it yet)", async () => {
    const s = await setup();
    const { cmd, hostId } = await powerOn(s);
    await s.second({ [hostId]: { commandsSeen: [] } }); // an echoing agent
    s.clock.advance(1000);
    const stale = s.hb(hostId, { commandsSeen: [] });
    await fetchAgentCommands(s.deps, hostId);
    // Even a few seqs later (heartbeats pipelined, one lost): not listed, so built before the fetch.
    s.seqs[hostId] += 3;
    await stale();
    await s.controller.step();
    expect(await s.events("vm-start-failed")).toEqual([]);
    expect((await s.db.agentCommand.findUniqueOrThrow({ where: { id: cmd.id } })).status).toBe("sent");
  });
});

describe("a start the host really lost is still failed", () => {
  it("by a report that echoes the command and does not list the VM (after vmStart)", async () => {
    const s = await setup();
    const { cmd, hostId } = await powerOn(s);
    await fetchAgentCommands(s.deps, hostId);
    s.clock.advance(6000); // past vmStart
    await s.hb(hostId, { commandsSeen: [cmd.id] })();
    await s.controller.step();
    const failed = await s.events("vm-start-failed");
    expect(failed).toHaveLength(1);
    expect(failed[0].message).toMatch(/does not report it/);
    expect((await s.db.agentCommand.findUniqueOrThrow({ where: { id: cmd.id } })).status).toBe("failed");
    // Retried once on the same host, same generation.
    const retry = await s.db.agentCommand.findFirstOrThrow({ where: { vmId: s.vmId, kind: "start-vm", status: "pending" } });
    expect(retry.hostId).toBe(hostId);
    expect(retry.generation).toBe(cmd.generation);
    expect(JSON.parse(retry.payload).attempt).toBe(2);
  });

  it("by the second heartbeat after the fetch from an agent that does not echo", async () => {
    const s = await setup();
    const { cmd, hostId } = await powerOn(s);
    await fetchAgentCommands(s.deps, hostId);
    await s.second(); // seq n+1: may have been built before the fetch
    expect(await s.events("vm-start-failed")).toEqual([]);
    await s.second(); // seq n+2: built after it
    expect(await s.events("vm-start-failed")).toHaveLength(1);
    expect((await s.db.agentCommand.findUniqueOrThrow({ where: { id: cmd.id } })).status).toBe("failed");
  });

  it("by the first heartbeat of a restarted agent (seq starts again)", async () => {
    const s = await setup();
    const { hostId } = await powerOn(s);
    await s.second();
    await s.second();
    await s.second();
    await fetchAgentCommands(s.deps, hostId);
    s.seqs[hostId] = 0; // the agent restarted
    await s.second();
    expect(await s.events("vm-start-failed")).toHaveLength(1);
  });
});

describe("a second start failure without the agent's word", () => {
  it("relocates only behind a stop on the host where it may still be booting", async () => {
    const s = await setup();
    const { cmd, hostId } = await powerOn(s);
    const target = s.other(hostId);
    await fetchAgentCommands(s.deps, hostId);
    await s.hb(hostId, { commandsSeen: [cmd.id] })();
    await s.controller.step(); // first failure: retried there
    const { commands } = await fetchAgentCommands(s.deps, hostId);
    expect(commands).toHaveLength(1);
    const retry = commands[0];
    s.clock.advance(1000);
    await s.hb(hostId, { commandsSeen: [cmd.id, retry.id] })();
    await s.controller.step(); // second failure: relocated
    expect(await s.events("vm-start-failed")).toHaveLength(2);
    const vm = await s.vm();
    expect(vm.hostId).toBe(target);
    expect(vm.generation).toBe(cmd.generation + 1);
    const stop = await s.db.agentCommand.findFirstOrThrow({ where: { vmId: s.vmId, kind: "stop-vm" } });
    expect(stop).toMatchObject({ hostId, generation: cmd.generation, status: "pending" });
    expect(JSON.parse(stop.payload).reason).toBe("stale");
    const start = await s.db.agentCommand.findFirstOrThrow({ where: { vmId: s.vmId, kind: "start-vm", hostId: target } });
    expect(start.status).toBe("blocked");
    expect(JSON.parse(start.payload).after).toBe(stop.id);
    // The new host gets nothing until the old one confirms the stop.
    expect((await fetchAgentCommands(s.deps, target)).commands).toEqual([]);
    const stops = await fetchAgentCommands(s.deps, hostId);
    expect(stops.commands.map((c) => c.id)).toEqual([stop.id]);
    await ackAgentCommand(s.deps, hostId, { hostId, commandId: stop.id, status: "done" });
    const released = await fetchAgentCommands(s.deps, target);
    expect(released.commands.map((c) => c.id)).toEqual([start.id]);
    await ackAgentCommand(s.deps, target, { hostId: target, commandId: start.id, status: "done" });
    expect(await s.vm()).toMatchObject({ power: "running", hostId: target });
  });

  it("an ack that says the start failed relocates at once (the agent is not booting it)", async () => {
    const s = await setup();
    const { cmd, hostId } = await powerOn(s);
    await fetchAgentCommands(s.deps, hostId);
    await ackAgentCommand(s.deps, hostId, { hostId, commandId: cmd.id, status: "failed", error: "no such device" });
    const { commands } = await fetchAgentCommands(s.deps, hostId);
    await ackAgentCommand(s.deps, hostId, { hostId, commandId: commands[0].id, status: "failed", error: "no such device" });
    expect(await s.db.agentCommand.count({ where: { vmId: s.vmId, kind: "stop-vm" } })).toBe(0);
    const start = await s.db.agentCommand.findFirstOrThrow({ where: { vmId: s.vmId, kind: "start-vm", hostId: s.other(hostId) } });
    expect(start.status).toBe("pending");
  });
});
