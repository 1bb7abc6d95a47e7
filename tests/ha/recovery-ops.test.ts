// Issue 10's console operations (lib/server/recovery-ops.ts) against a real throwaway store, the
// controller of this process and simulated agents: VMs away from their preferred host, Move back
// (a device VM is power-cycled onto its preferred host), "this host is powered off" (admins only,
// audited, names the VMs), and their refusals.
import { afterEach, describe, expect, it } from "vitest";
import type { TClusterSpecInput } from "@/lib/schemas/cluster-spec";
import type { HaController } from "@/lib/server/ha/controller";
import { confirmHostOffAs, getHostOffImpact, listVmsAwayFromPreferredHost, moveVmBackAs, retryVmAs } from "@/lib/server/recovery-ops";
import { AppError } from "@/lib/server/errors";
import { seedRoleUsers, type RolePrincipals } from "../support/auth";
import { createSimCluster, type SimCluster } from "./harness";

let c: SimCluster | null = null;
const g = globalThis as unknown as { __havenHa?: { controller: HaController; timer: null } };
afterEach(async () => {
  g.__havenHa = undefined;
  await c?.dispose();
  c = null;
});

/** The harness's controller becomes this process's (control() then calls the ops directly). */
async function cluster(spec: TClusterSpecInput): Promise<{ c: SimCluster; users: RolePrincipals }> {
  c = await createSimCluster(spec);
  g.__havenHa = { controller: c.controller, timer: null };
  return { c, users: await seedRoleUsers(c.t.db) };
}

async function refused(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error("expected a refusal");
}

const gpuSpec: TClusterSpecInput = {
  hosts: ["h1", "h2", "h3"].map((name) => ({ name, cpus: 32, memoryGiB: 128, gpus: [{ model: "NVIDIA A40" }] })),
  vms: [
    { name: "g1", vcpus: 4, memoryGiB: 16, host: "h2", haPriority: "high", devices: [{ type: "gpu", tag: "NVIDIA A40" }] },
    { name: "w1", vcpus: 2, memoryGiB: 4, host: "h1", haPriority: "medium" },
  ],
  placementGroups: [{ name: "pref", type: "vm-host", enforcement: "should", vms: ["g1"], hosts: ["h1", "h2", "h3"], hostOrder: ["h1", "h2", "h3"] }],
} as TClusterSpecInput;

describe("away from the preferred host, and Move back", () => {
  it("lists the device VM below its preferred host; Move back power-cycles it onto that host (audited)", async () => {
    const { c, users } = await cluster(gpuSpec);
    await c.run(2);
    const away = await listVmsAwayFromPreferredHost({ db: c.t.db });
    expect(away.map((a) => [a.vmName, a.fromHostName, a.toHostName, a.powerCycle])).toEqual([["g1", "h2", "h1", true]]);
    // Failback never moves a device VM by itself.
    await c.run(15);
    expect((await c.t.db.vm.findUniqueOrThrow({ where: { name: "g1" }, include: { host: true } })).host?.name).toBe("h2");

    expect((await refused(moveVmBackAs({ vmId: c.vmIds.g1 }, { principal: users.viewer, db: c.t.db }))).code).toBe("FORBIDDEN");
    const moving = moveVmBackAs({ vmId: c.vmIds.g1 }, { principal: users.operator, db: c.t.db }, { pollMs: 5, stopWaitMs: 30_000 });
    let done = false;
    void moving.finally(() => (done = true)).catch(() => undefined);
    for (let i = 0; i < 200 && !done; i++) await c.run(0.5);
    const r = await moving;
    expect(r).toEqual({ vmId: c.vmIds.g1, from: "h2", to: "h1", powerCycled: true });
    await c.run(10);
    expect(c.running("g1")).toEqual(["h1"]);
    expect(await listVmsAwayFromPreferredHost({ db: c.t.db })).toEqual([]);
    const audit = await c.t.db.auditLog.findFirstOrThrow({ where: { action: "move-vm-back" } });
    expect(JSON.parse(audit.after!)).toMatchObject({ to: "h1", preferred: "h1", powerCycled: true });
    // Not away any more: refused with the reason.
    expect((await refused(moveVmBackAs({ vmId: c.vmIds.g1 }, { principal: users.operator, db: c.t.db }))).message).toMatch(/not away from its preferred host/);
  });

  it("nothing is away when no group ranks its hosts", async () => {
    const { c } = await cluster({ ...gpuSpec, placementGroups: [] } as TClusterSpecInput);
    expect(await listVmsAwayFromPreferredHost({ db: c.t.db })).toEqual([]);
  });
});

describe("confirm a silent host is powered off", () => {
  it("names the VMs on the host; refused for an online host and for operators; audited for an admin", async () => {
    const { c, users } = await cluster(gpuSpec);
    await c.run(2);
    const online = await getHostOffImpact(c.hostIds.h1, { db: c.t.db });
    expect(online).toMatchObject({ hostName: "h1", state: "online", applies: false });
    expect((await refused(confirmHostOffAs({ hostId: c.hostIds.h1 }, { principal: users.admin, db: c.t.db }))).code).toBe("CONFLICT");

    c.fleet.get("h1").powerLoss(c.clock.now());
    await c.run(5);
    const impact = await getHostOffImpact(c.hostIds.h1, { db: c.t.db });
    expect(impact).toMatchObject({ state: "unreachable", applies: true });
    expect(impact!.vms.map((v) => v.name)).toEqual(["w1"]);
    expect((await refused(confirmHostOffAs({ hostId: c.hostIds.h1 }, { principal: users.operator, db: c.t.db }))).code).toBe("FORBIDDEN");

    const r = await confirmHostOffAs({ hostId: c.hostIds.h1 }, { principal: users.admin, db: c.t.db });
    expect(r.host).toBe("h1");
    const audit = await c.t.db.auditLog.findFirstOrThrow({ where: { action: "confirm-host-off" } });
    expect(audit.entity).toBe(`host:${c.hostIds.h1}`);
    expect(JSON.parse(audit.before!)).toEqual({ state: "unreachable", vms: [{ name: "w1", power: "running" }] });
    // The HA VM is rebuilt elsewhere at once, before the failure timeout.
    await c.run(8);
    expect(c.running("w1")).toHaveLength(1);
    expect(c.running("w1")[0]).not.toBe("h1");
  });
});

describe("retry a VM in error", () => {
  it("operators only; an unknown VM is NOT_FOUND", async () => {
    const { c, users } = await cluster(gpuSpec);
    await c.run(1);
    expect((await refused(retryVmAs({ vmId: c.vmIds.w1 }, { principal: users.viewer, db: c.t.db }))).code).toBe("FORBIDDEN");
    expect((await refused(retryVmAs({ vmId: "nope" }, { principal: users.operator, db: c.t.db }))).code).toBe("NOT_FOUND");
  });
});
