// Issue 10 fields of the inventory forms against a real throwaway store: a VM's
// keepRunningWhenIsolated and restart policy (blank: the cluster's), a VM-host group's host order
// (ranked, only its own hosts) and failback (inherit / on / off) — schema field errors, saved,
// audited, read back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createTestDb, type TestDb } from "@/tests/support/test-db";
import { AppError } from "@/lib/server/errors";
import { ZCreatePlacementGroupInput, ZCreateVmInput } from "@/lib/schemas/inventory";
import { createHost } from "@/lib/server/inventory/hosts";
import { createVm, getRestartDefaults, getVmForEdit, updateVm } from "@/lib/server/inventory/vms";
import { createPlacementGroup, getPlacementGroupForEdit, listPlacementGroups, updatePlacementGroup } from "@/lib/server/inventory/placement-groups";
import { formDataToObject } from "@/lib/schemas/form-data";

let t: TestDb;
let ctx: { db: TestDb["db"] };
beforeAll(async () => {
  t = await createTestDb();
  ctx = { db: t.db };
});
afterAll(async () => t?.cleanup());

async function refused(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error("expected the call to be refused");
}

const fe = (r: { success: boolean; error?: z.ZodError }) => z.flattenError(r.error!).fieldErrors as Record<string, string[]>;

describe("VM restart policy and isolation opt-out", () => {
  it.each([
    ["blank fields: the cluster's policy, opted in to the isolation response", { restartMaxRestarts: "", restartMaxRelocations: "" }, { keepRunningWhenIsolated: false, restartMaxRestarts: null, restartMaxRelocations: null }],
    ["a checkbox after its hidden false, and numbers", { keepRunningWhenIsolated: ["false", "true"], restartMaxRestarts: "0", restartMaxRelocations: "2" }, { keepRunningWhenIsolated: true, restartMaxRestarts: 0, restartMaxRelocations: 2 }],
  ])("%s", (_n, extra, want) => {
    const r = ZCreateVmInput.safeParse({ name: "p1", vcpus: "2", memoryGiB: "4", ...extra });
    expect(r.success).toBe(true);
    expect(r.data).toMatchObject(want);
  });

  it.each([
    ["restartMaxRestarts", "-1", "at least 0"],
    ["restartMaxRestarts", "11", "at most 10"],
    ["restartMaxRelocations", "1.5", "whole number"],
  ])("%s = %s is refused next to its field", (field, value, msg) => {
    const r = ZCreateVmInput.safeParse({ name: "p1", vcpus: "2", memoryGiB: "4", [field]: value });
    expect(r.success).toBe(false);
    expect(fe(r)[field]?.join(" ")).toContain(msg);
  });

  it("saves, edits (also while running) and audits the fields; blank goes back to the cluster's", async () => {
    await t.db.cluster.create({ data: { name: "c1", restartMaxRestarts: 2, restartMaxRelocations: 5 } }).catch(() => undefined);
    expect(await getRestartDefaults(ctx)).toEqual({ maxRestarts: 2, maxRelocations: 5 });
    const vm = await createVm({ name: "pol-1", vcpus: 2, memoryGiB: 4, keepRunningWhenIsolated: "true", restartMaxRestarts: "3" }, ctx);
    let row = await getVmForEdit(vm.id, ctx);
    expect(row).toMatchObject({ keepRunningWhenIsolated: true, restartMaxRestarts: 3, restartMaxRelocations: null });
    await t.db.vm.update({ where: { id: vm.id }, data: { power: "running" } });
    await updateVm({ id: vm.id, name: "pol-1", vcpus: 2, memoryGiB: 4, keepRunningWhenIsolated: "false", restartMaxRestarts: "", restartMaxRelocations: "1" }, ctx);
    row = await getVmForEdit(vm.id, ctx);
    expect(row).toMatchObject({ keepRunningWhenIsolated: false, restartMaxRestarts: null, restartMaxRelocations: 1 });
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "update-vm", entity: `vm:${vm.id}` } });
    expect(JSON.parse(audit.before!)).toMatchObject({ keepRunningWhenIsolated: true, restartMaxRestarts: 3 });
    expect(JSON.parse(audit.after!)).toMatchObject({ keepRunningWhenIsolated: false, restartMaxRelocations: 1 });
  });
});

describe("VM-host group host order and failback", () => {
  let h: Record<string, string>;
  let vmId: string;
  beforeAll(async () => {
    h = {};
    for (const n of ["o1", "o2", "o3"]) h[n] = (await createHost({ name: n, cpus: 16, memoryGiB: 64 }, ctx)).id;
    vmId = (await createVm({ name: "ord-vm", vcpus: 1, memoryGiB: 1 }, ctx)).id;
  });

  it("schema: form fields (hostOrder.N, failback inherit/on/off) and their errors", () => {
    const form = new FormData();
    for (const [k, v] of [["name", "g"], ["type", "vm-host"], ["vmIds", "v1"], ["hostIds", "a"], ["hostIds", "b"], ["hostOrder.0", "b"], ["hostOrder.1", "a"], ["failback", "off"]]) form.append(k, v);
    const r = ZCreatePlacementGroupInput.safeParse(formDataToObject(form));
    expect(r.data).toMatchObject({ hostOrder: ["b", "a"], failback: false });
    expect(ZCreatePlacementGroupInput.parse({ name: "g", type: "vm-host", vmIds: ["v"], hostIds: ["a"] })).toMatchObject({ hostOrder: [], failback: null });
    const outside = ZCreatePlacementGroupInput.safeParse({ name: "g", type: "vm-host", vmIds: ["v"], hostIds: ["a"], hostOrder: ["a", "z"] });
    expect(fe(outside).hostOrder).toEqual(["A ranked host must be one of the group's hosts"]);
    expect(outside.error!.issues.map((i) => [i.path.join("."), i.message])).toEqual([["hostOrder.1", "A ranked host must be one of the group's hosts"]]);
    const wrongType = ZCreatePlacementGroupInput.safeParse({ name: "g", type: "vm-vm-affinity", vmIds: ["v", "w"], hostOrder: ["a"], failback: "on" });
    expect(fe(wrongType)).toMatchObject({ hostOrder: [expect.stringContaining("only for VM-host groups")], failback: [expect.stringContaining("only for VM-host groups")] });
    expect(fe(ZCreatePlacementGroupInput.safeParse({ name: "g", type: "vm-host", vmIds: ["v"], hostIds: ["a"], failback: "sometimes" })).failback?.[0]).toContain("Failback must be one of inherit, on, off");
  });

  it("saves the order and failback, reads them back (edit form and list), audits, and clears them", async () => {
    const g = await createPlacementGroup({ name: "ranked", type: "vm-host", enforcement: "should", vmIds: [vmId], hostIds: [h.o1, h.o2, h.o3], hostOrder: [h.o2, h.o1], failback: "off" }, ctx);
    expect(JSON.parse((await t.db.placementGroup.findUniqueOrThrow({ where: { id: g.id } })).hostOrder!)).toEqual([h.o2, h.o1]);
    expect(await getPlacementGroupForEdit(g.id, ctx)).toMatchObject({ hostOrder: [h.o2, h.o1], failback: false });
    const listed = (await listPlacementGroups(ctx)).find((x) => x.id === g.id)!;
    expect(listed.hostOrder.map((x) => x.name)).toEqual(["o2", "o1"]);
    expect(listed.failback).toBe(false);
    await updatePlacementGroup({ id: g.id, name: "ranked", type: "vm-host", enforcement: "should", vmIds: [vmId], hostIds: [h.o1, h.o2], failback: "inherit" }, ctx);
    expect(await getPlacementGroupForEdit(g.id, ctx)).toMatchObject({ hostOrder: [], failback: null });
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "update-placement-group", entity: `placement-group:${g.id}` } });
    expect(JSON.parse(audit.before!)).toMatchObject({ hostOrder: [h.o2, h.o1], failback: false });
  });

  it("refuses a ranked host that is not one of the group's hosts", async () => {
    const e = await refused(() => createPlacementGroup({ name: "bad-order", type: "vm-host", vmIds: [vmId], hostIds: [h.o1], hostOrder: [h.o1, h.o3] }, ctx));
    expect(e.code).toBe("VALIDATION");
    expect(e.fieldErrors?.["hostOrder.1"]).toEqual(["A ranked host must be one of the group's hosts"]);
  });
});

describe("a VM whose state is unknown", () => {
  it("refuses a device edit with the reason; the isolation opt-out may still change", async () => {
    const vm = await createVm({ name: "unk-1", vcpus: 2, memoryGiB: 4, keepRunningWhenIsolated: "true" }, ctx);
    await t.db.vm.update({ where: { id: vm.id }, data: { power: "unknown" } });
    const e = await refused(() => updateVm({ id: vm.id, name: "unk-1", vcpus: 4, memoryGiB: 4, keepRunningWhenIsolated: "true" }, ctx));
    expect(e.code).toBe("CONFLICT");
    expect(e.fieldErrors?.vcpus?.[0]).toMatch(/unk-1 is unknown \(its host is silent/);
    await updateVm({ id: vm.id, name: "unk-1", vcpus: 2, memoryGiB: 4, keepRunningWhenIsolated: "false" }, ctx);
    expect((await getVmForEdit(vm.id, ctx))?.keepRunningWhenIsolated).toBe(false);
  });
});
