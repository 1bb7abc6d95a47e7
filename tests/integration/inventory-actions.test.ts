// The inventory server actions, called as plain async functions with FormData, against a
// real throwaway store (the process-wide client is pointed at it).
import { afterAll, beforeAll, describe, expect, it as baseIt } from "vitest";
import { createTestDb, type TestDb } from "@/tests/support/test-db";
import { runAs, seedRoleUsers, type RolePrincipals } from "@/tests/support/auth";
import {
  clearNicTagAction,
  createGpuAction,
  createHostAction,
  createNicAction,
  deleteGpuAction,
  deleteHostAction,
  deleteNicAction,
  setNicTagAction,
  updateGpuAction,
  updateHostAction,
  updateNicAction,
} from "@/app/(console)/hosts/actions";
import { createVmAction, deleteVmAction, updateVmAction } from "@/app/(console)/vms/actions";
import { createNetworkAction, deleteNetworkAction, updateNetworkAction } from "@/app/(console)/networks/actions";
import { createPlacementGroupAction, deletePlacementGroupAction, updatePlacementGroupAction } from "@/app/(console)/placement-groups/actions";

let t: TestDb;
let users: RolePrincipals;
/** Every test here acts as a signed-in admin (tests/security covers the other roles). */
const it = (name: string, fn: () => Promise<void>) => baseIt(name, () => runAs(users.admin, fn));

beforeAll(async () => {
  t = await createTestDb();
  (globalThis as unknown as { __havenDb?: unknown }).__havenDb = t.db;
  users = await seedRoleUsers(t.db);
});
afterAll(async () => {
  delete (globalThis as unknown as { __havenDb?: unknown }).__havenDb;
  await t?.cleanup();
});

function form(fields: Record<string, string | string[]>): FormData {
  const fd = new FormData();
  fd.append("$ACTION_ID_test", "");
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) fd.append(k, x);
  return fd;
}

function ok<T>(r: { ok: true; data: T } | { ok: false; fieldErrors?: unknown; formError?: string }): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r)}`);
  return r.data;
}

const rowCount = async () =>
  (await Promise.all([t.db.host.count(), t.db.gpu.count(), t.db.nic.count(), t.db.vm.count(), t.db.network.count(), t.db.placementGroup.count(), t.db.auditLog.count()])).join(",");

describe("host, GPU and NIC actions", () => {
  it("create → update → tag → delete through FormData", async () => {
    const host = ok(await createHostAction(null, form({ name: "act-h1", cpus: "32", memoryGiB: "256", storageControllerPresent: ["false", "true"] })));
    const h = host as { id: string; storageControllerPresent: boolean };
    expect(h.storageControllerPresent).toBe(true);
    ok(await updateHostAction(null, form({ id: h.id, name: "act-h1", cpus: "48", memoryMiB: "262144", storageControllerPresent: "false" })));
    expect(await t.db.host.findUniqueOrThrow({ where: { id: h.id } })).toMatchObject({ cpus: 48, storageControllerPresent: false });

    const g = ok(await createGpuAction(null, form({ hostId: h.id, model: "NVIDIA L4", pciAddress: "0000:3b:00.0" }))) as { id: string };
    ok(await updateGpuAction(null, form({ id: g.id, model: "NVIDIA L4", pciAddress: "0000:3b:00.0", vgpuProfile: "L4-4Q", vgpuSlots: "6" })));
    expect(await t.db.deviceTag.count({ where: { type: "vgpu", name: "NVIDIA L4/L4-4Q" } })).toBe(1);

    const n = ok(await createNicAction(null, form({ hostId: h.id, name: "ens1f0", sriovVfs: "8" }))) as { id: string };
    ok(await updateNicAction(null, form({ id: n.id, name: "ens1f0", sriovVfs: "16", role: "vm" })));
    ok(await setNicTagAction(null, form({ nicId: n.id, tag: "act-tag" })));
    expect(await t.db.deviceTag.count({ where: { type: "sriov", name: "act-tag" } })).toBe(1);
    ok(await clearNicTagAction(null, form({ nicId: n.id })));
    ok(await deleteNicAction(null, form({ id: n.id })));
    ok(await deleteGpuAction(null, form({ id: g.id })));
    ok(await deleteHostAction(null, form({ id: h.id })));
    expect(await t.db.host.count({ where: { id: h.id } })).toBe(0);
  });

  it("invalid forms answer field errors and store nothing", async () => {
    const before = await rowCount();
    const r = await createHostAction(null, form({ name: "bad name", cpus: "0" }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.fieldErrors ?? {})).toEqual(expect.arrayContaining(["name", "cpus", "memoryMiB"]));
    expect(r.formError).toBeTruthy();
    const tag = await setNicTagAction(null, form({ nicId: "x", tag: "bad tag!" }));
    expect(!tag.ok && tag.fieldErrors?.tag?.[0]).toContain("1–64");
    expect(await rowCount()).toBe(before);
  });

  it("service refusals come back as a form error, never a stack trace", async () => {
    const h = ok(await createHostAction(null, form({ name: "act-h2", cpus: "8", memoryGiB: "8" }))) as { id: string };
    const cluster = await t.db.cluster.findFirstOrThrow();
    await t.db.vm.create({ data: { clusterId: cluster.id, name: "act-vm-on-h2", vcpus: 1, memoryMiB: 1024, power: "running", hostId: h.id } });
    const r = await deleteHostAction(null, form({ id: h.id }));
    expect(r).toEqual({ ok: false, formError: "Host act-h2 runs 1 VM; move or delete them first" });
    const missing = await deleteHostAction(null, form({ id: "nope" }));
    expect(missing).toEqual({ ok: false, formError: "Host nope does not exist" });
  });
});

describe("redirect after a delete", () => {
  it("redirects to a same-site path only, after the change is stored", async () => {
    const a = ok(await createNetworkAction(null, form({ name: "act-redirect-a" }))) as { id: string };
    await expect(deleteNetworkAction(null, form({ id: a.id, redirectTo: "/networks" }))).rejects.toMatchObject({ digest: expect.stringContaining("NEXT_REDIRECT") });
    expect(await t.db.network.count({ where: { id: a.id } })).toBe(0);
    const b = ok(await createNetworkAction(null, form({ name: "act-redirect-b" }))) as { id: string };
    expect(await deleteNetworkAction(null, form({ id: b.id, redirectTo: "//evil.example/x" }))).toMatchObject({ ok: true });
    const c = await deleteNetworkAction(null, form({ id: "nope", redirectTo: "/networks" }));
    expect(c).toEqual({ ok: false, formError: "Network nope does not exist" });
  });
});

describe("VM, network and placement-group actions", () => {
  it("create → update → delete through FormData with rows", async () => {
    const net = ok(
      await createNetworkAction(
        null,
        form({ name: "act-net", managed: ["false", "true"], cidr: "10.50.0.0/24", gateway: "10.50.0.1", dns: "10.50.0.2", poolStart: "10.50.0.10", poolEnd: "10.50.0.20", vlan: "50" }),
      ),
    ) as { id: string };
    ok(await updateNetworkAction(null, form({ id: net.id, name: "act-net", managed: "true", cidr: "10.50.0.0/24", gateway: "10.50.0.1", dns: "10.50.0.2", poolStart: "10.50.0.10", poolEnd: "10.50.0.30" })));

    const vm = ok(
      await createVmAction(
        null,
        form({
          name: "act-vm",
          vcpus: "2",
          memoryGiB: "4",
          "deviceRequests.0.type": "sriov",
          "deviceRequests.0.tag": "trading-a",
          "deviceRequests.0.count": "2",
          "nics.0.networkId": net.id,
          "disks.0.sizeGiB": "20",
          "disks.0.bus": "virtio-scsi",
        }),
      ),
    ) as { id: string; power: string };
    expect(vm.power).toBe("stopped");
    expect(await t.db.deviceRequest.findMany({ where: { vmId: vm.id }, select: { type: true, tag: true, count: true } })).toEqual([
      { type: "sriov", tag: "trading-a", count: 2 },
    ]);
    expect(await t.db.ipLease.findFirst({ where: { vmId: vm.id }, select: { address: true } })).toEqual({ address: "10.50.0.10" });

    const vm2 = ok(await createVmAction(null, form({ name: "act-vm2", vcpus: "1", memoryMiB: "1024" }))) as { id: string };
    const g = ok(await createPlacementGroupAction(null, form({ name: "act-pg", type: "vm-vm-anti-affinity", vmIds: [vm.id, vm2.id] }))) as { id: string };
    ok(await updatePlacementGroupAction(null, form({ id: g.id, name: "act-pg", type: "vm-vm-affinity", enforcement: "should", vmIds: [vm.id, vm2.id] })));
    expect(await t.db.placementGroup.findUniqueOrThrow({ where: { id: g.id } })).toMatchObject({ type: "vm-vm-affinity", enforcement: "should" });
    ok(await deletePlacementGroupAction(null, form({ id: g.id })));

    ok(await updateVmAction(null, form({ id: vm.id, name: "act-vm", vcpus: "4", memoryGiB: "8" })));
    expect(await t.db.deviceRequest.count({ where: { vmId: vm.id } })).toBe(0);
    ok(await deleteVmAction(null, form({ id: vm.id })));
    ok(await deleteNetworkAction(null, form({ id: net.id })));
    expect(await t.db.ipLease.count()).toBe(0);
  });

  it("a VM with vCPUs 0 or a bad SR-IOV tag answers field errors by row path; nothing stored", async () => {
    const before = await rowCount();
    const r = await createVmAction(null, form({ name: "act-bad", vcpus: "0", memoryGiB: "4", "deviceRequests.0.type": "sriov", "deviceRequests.0.tag": "bad tag!" }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.fieldErrors?.vcpus).toEqual(["vCPUs must be at least 1"]);
    expect(r.fieldErrors?.["deviceRequests.0.tag"]?.[0]).toContain("1–64");
    const n = await createNetworkAction(null, form({ name: "act-bad-net", managed: "true", cidr: "10.0.0.0/24" }));
    expect(!n.ok && Object.keys(n.fieldErrors ?? {})).toEqual(expect.arrayContaining(["gateway", "dns", "poolStart", "poolEnd"]));
    const g = await createPlacementGroupAction(null, form({ name: "act-bad-pg", type: "vm-host", vmIds: "x" }));
    expect(!g.ok && g.fieldErrors?.hostIds).toBeTruthy();
    expect(await rowCount()).toBe(before);
  });
});
