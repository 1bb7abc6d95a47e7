// VMs: create (powered off, no host), update, delete. Powering on is the HA controller's job.
//
// Rules kept here (no engine needed):
// - a VM's GPU configuration (gpu/vgpu device requests) and its other hardware (vCPUs,
//   memory, disks, NICs, VFs) change only while it is off;
// - a NIC on a managed network gets a lease: its static address (inside the CIDR, free)
//   or the lowest free pool address; leases are kept while the NIC is unchanged;
// - deleting a VM releases its allocations, leases and storage sessions (cascade).
import "server-only";
import { randomBytes } from "node:crypto";
import { allocateAddress, validateStaticAddress, type IpamNetwork } from "@/lib/engine/ipam";
import { ZCreateVmInput, ZDeleteInput, ZUpdateVmInput, type TCreateVmInput, type TDeviceRequestInput } from "@/lib/schemas/inventory";
import type { FieldErrors } from "@/lib/server/errors";
import { conflict, ctxDb, inTransaction, invalid, managedClusterId, notFound, parseInput, writeAudit, type ServiceCtx, type Tx } from "./common";
import { gpuUnitTag } from "./device-tags";

type VmInput = TCreateVmInput;

const RUNNING_STATES = new Set(["running", "starting", "stopping", "migrating"]);

/** A new locally administered MAC in the KVM range 52:54:00. */
function newMac(): string {
  const b = randomBytes(3);
  return ["52", "54", "00", ...[...b].map((x) => x.toString(16).padStart(2, "0"))].join(":");
}

async function checkVmNameFree(tx: Tx, name: string, exceptId?: string) {
  const other = await tx.vm.findUnique({ where: { name }, select: { id: true } });
  if (other && other.id !== exceptId) throw conflict(`A VM named ${name} already exists`, { name: [`A VM named ${name} already exists`] });
}

/** References to hosts, GPUs and networks exist and fit; field errors otherwise. */
async function checkReferences(tx: Tx, v: VmInput): Promise<Map<string, IpamNetwork & { id: string; name: string; managed: boolean }>> {
  const errors: FieldErrors = {};
  const add = (k: string, m: string) => (errors[k] ??= []).push(m);

  if (v.hostAffinity.length) {
    const hosts = await tx.host.findMany({ where: { id: { in: v.hostAffinity } }, select: { id: true } });
    const known = new Set(hosts.map((h) => h.id));
    v.hostAffinity.forEach((id, i) => {
      if (!known.has(id)) add(`hostAffinity.${i}`, `Host ${id} does not exist`);
    });
    if (hosts.length !== v.hostAffinity.length) add("hostAffinity", "Some of these hosts do not exist");
  }

  const gpuIds = v.deviceRequests.map((d) => d.gpuId).filter((x): x is string => !!x);
  if (gpuIds.length) {
    const gpus = await tx.gpu.findMany({ where: { id: { in: gpuIds } }, select: { id: true, name: true, model: true, mode: true, vgpuProfile: true } });
    const byId = new Map(gpus.map((g) => [g.id, g]));
    v.deviceRequests.forEach((d, i) => {
      if (!d.gpuId) return;
      const g = byId.get(d.gpuId);
      if (!g) return add(`deviceRequests.${i}.gpuId`, "This GPU does not exist");
      const t = gpuUnitTag(g);
      if (t.type !== "gpu") add(`deviceRequests.${i}.gpuId`, `${g.name} is partitioned into vGPU slots, not a passthrough GPU`);
      else if (t.tag !== d.tag) add(`deviceRequests.${i}.tag`, `${g.name} is tagged "${t.tag}", not "${d.tag}"`);
    });
  }

  const netIds = [...new Set(v.nics.map((n) => n.networkId))];
  const nets = await tx.network.findMany({
    where: { id: { in: netIds } },
    select: { id: true, name: true, managed: true, cidr: true, gateway: true, poolStart: true, poolEnd: true },
  });
  const byNet = new Map(nets.map((n) => [n.id, { ...n, cidr: n.cidr ?? "" }]));
  v.nics.forEach((n, i) => {
    if (!byNet.has(n.networkId)) add(`nics.${i}.networkId`, "This network does not exist");
  });

  if (Object.keys(errors).length) throw invalid("Check the highlighted fields", errors);
  return byNet;
}

/** Creates a VM's NIC rows (with leases on managed networks) for the given indices. */
async function createNics(
  tx: Tx,
  vmId: string,
  v: VmInput,
  indices: number[],
  nets: Map<string, IpamNetwork & { id: string; name: string; managed: boolean }>,
): Promise<void> {
  for (const i of indices) {
    const n = v.nics[i];
    const net = nets.get(n.networkId)!;
    const nic = await tx.vmNic.create({
      data: { vmId, index: i, networkId: n.networkId, mac: newMac(), staticIp: n.staticIp ?? null },
      select: { id: true },
    });
    if (!net.managed) continue;
    const used = new Set((await tx.ipLease.findMany({ where: { networkId: net.id }, select: { address: true } })).map((l) => l.address));
    let address: string;
    if (n.staticIp) {
      const ok = validateStaticAddress(net, n.staticIp, used);
      if (!ok.ok) throw conflict(`NIC ${i + 1}: ${ok.reason}`, { [`nics.${i}.staticIp`]: [ok.reason] });
      address = n.staticIp;
    } else {
      const got = allocateAddress(net, used);
      if (!got.ok) throw conflict(`${net.name}: ${got.reason}`, { [`nics.${i}.networkId`]: [`${net.name}: ${got.reason}`] });
      address = got.address;
    }
    await tx.ipLease.create({ data: { networkId: net.id, address, vmId, vmNicId: nic.id, static: !!n.staticIp } });
  }
}

function deviceRequestRows(reqs: TDeviceRequestInput[]) {
  return reqs.map((d, index) => ({ index, type: d.type, tag: d.tag, count: d.count, gpuId: d.gpuId ?? null }));
}

export async function createVm(input: unknown, ctx?: ServiceCtx) {
  const v = parseInput(ZCreateVmInput, input);
  return inTransaction(ctx, async (tx) => {
    await checkVmNameFree(tx, v.name);
    const nets = await checkReferences(tx, v);
    const clusterId = await managedClusterId(tx);
    const vm = await tx.vm.create({
      data: {
        clusterId,
        name: v.name,
        vcpus: v.vcpus,
        memoryMiB: v.memoryMiB,
        haPriority: v.haPriority,
        keepRunningWhenIsolated: v.keepRunningWhenIsolated,
        restartMaxRestarts: v.restartMaxRestarts,
        restartMaxRelocations: v.restartMaxRelocations,
        desiredPower: "off",
        power: "stopped",
        hostId: null,
        deviceRequests: { create: deviceRequestRows(v.deviceRequests) },
        disks: { create: v.disks.map((d, index) => ({ index, sizeGiB: d.sizeGiB, bus: d.bus })) },
        hostAffinity: { create: v.hostAffinity.map((hostId) => ({ hostId })) },
      },
      select: { id: true, name: true },
    });
    await createNics(tx, vm.id, v, v.nics.map((_, i) => i), nets);
    const after = await vmAuditView(tx, vm.id);
    await writeAudit(tx, ctx, "create-vm", `vm:${vm.id}`, null, after);
    return after!;
  });
}

async function vmAuditView(tx: Tx, id: string) {
  const vm = await tx.vm.findUnique({
    where: { id },
    select: {
      id: true,
      name: true,
      vcpus: true,
      memoryMiB: true,
      haPriority: true,
      keepRunningWhenIsolated: true,
      restartMaxRestarts: true,
      restartMaxRelocations: true,
      power: true,
      hostId: true,
      hostAffinity: { select: { hostId: true }, orderBy: { hostId: "asc" } },
      deviceRequests: { select: { type: true, tag: true, count: true, gpuId: true }, orderBy: { index: "asc" } },
      nics: { select: { id: true, index: true, networkId: true, staticIp: true, mac: true, lease: { select: { address: true, static: true } } }, orderBy: { index: "asc" } },
      disks: { select: { sizeGiB: true, bus: true }, orderBy: { index: "asc" } },
    },
  });
  if (!vm) return null;
  return { ...vm, hostAffinity: vm.hostAffinity.map((a) => a.hostId) };
}

const reqKey = (d: { type: string; tag: string; count: number; gpuId?: string | null }) => `${d.type}|${d.tag}|${d.count}|${d.gpuId ?? ""}`;
const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Updates a VM. While it is not stopped, only its name, HA priority and host affinity may
 * change: GPU configuration, VFs, vCPUs, memory, disks and NICs need it off.
 */
export async function updateVm(input: unknown, ctx?: ServiceCtx) {
  const v = parseInput(ZUpdateVmInput, input);
  return inTransaction(ctx, async (tx) => {
    const before = await vmAuditView(tx, v.id);
    if (!before) throw notFound("VM", v.id);
    await checkVmNameFree(tx, v.name, v.id);
    const nets = await checkReferences(tx, v);

    const oldReqs = before.deviceRequests;
    const isGpu = (d: { type: string }) => d.type === "gpu" || d.type === "vgpu";
    const gpuChanged = !sameList(oldReqs.filter(isGpu).map(reqKey), v.deviceRequests.filter(isGpu).map(reqKey));
    const vfChanged = !sameList(oldReqs.filter((d) => !isGpu(d)).map(reqKey), v.deviceRequests.filter((d) => !isGpu(d)).map(reqKey));
    const reqsChanged = !sameList(oldReqs.map(reqKey), v.deviceRequests.map(reqKey));
    const diskKey = (d: { sizeGiB: number; bus: string }) => `${d.sizeGiB}|${d.bus}`;
    const disksChanged = !sameList(before.disks.map(diskKey), v.disks.map(diskKey));
    // A NIC row is kept (with its MAC and lease) when its network and static address are unchanged.
    const keepNic = (i: number) => {
      const old = before.nics[i];
      const n = v.nics[i];
      return !!old && !!n && old.networkId === n.networkId && (old.staticIp ?? undefined) === n.staticIp;
    };
    const nicsChanged = before.nics.length !== v.nics.length || v.nics.some((_, i) => !keepNic(i));

    if (before.power !== "stopped" || before.hostId) {
      const state =
        before.power === "stopped"
          ? "placed on a host"
          : before.power === "unknown"
            ? "unknown (its host is silent; wait until it reports again or an admin confirms on the host page that it is powered off)"
            : before.power;
      const errors: FieldErrors = {};
      if (gpuChanged) errors.deviceRequests = [`GPU configuration can only change while the VM is off; ${before.name} is ${state}`];
      else if (vfChanged) errors.deviceRequests = [`Device requests can only change while the VM is off; ${before.name} is ${state}`];
      if (v.vcpus !== before.vcpus) errors.vcpus = [`vCPUs can only change while the VM is off; ${before.name} is ${state}`];
      if (v.memoryMiB !== before.memoryMiB) errors.memoryMiB = [`Memory can only change while the VM is off; ${before.name} is ${state}`];
      if (disksChanged) errors.disks = [`Disks can only change while the VM is off; ${before.name} is ${state}`];
      if (nicsChanged) errors.nics = [`NICs can only change while the VM is off; ${before.name} is ${state}`];
      if (Object.keys(errors).length) throw conflict(Object.values(errors)[0][0], errors);
    }

    await tx.vm.update({
      where: { id: v.id },
      data: {
        name: v.name,
        vcpus: v.vcpus,
        memoryMiB: v.memoryMiB,
        haPriority: v.haPriority,
        keepRunningWhenIsolated: v.keepRunningWhenIsolated,
        restartMaxRestarts: v.restartMaxRestarts,
        restartMaxRelocations: v.restartMaxRelocations,
      },
    });
    if (reqsChanged) {
      await tx.deviceRequest.deleteMany({ where: { vmId: v.id } });
      await tx.deviceRequest.createMany({ data: deviceRequestRows(v.deviceRequests).map((r) => ({ ...r, vmId: v.id })) });
    }
    if (disksChanged) {
      await tx.disk.deleteMany({ where: { vmId: v.id } });
      await tx.disk.createMany({ data: v.disks.map((d, index) => ({ vmId: v.id, index, sizeGiB: d.sizeGiB, bus: d.bus })) });
      await tx.storageSession.deleteMany({ where: { vmId: v.id, diskIndex: { gte: v.disks.length } } });
    }
    if (!sameList(before.hostAffinity, [...v.hostAffinity].sort())) {
      await tx.vmHostAffinity.deleteMany({ where: { vmId: v.id } });
      await tx.vmHostAffinity.createMany({ data: v.hostAffinity.map((hostId) => ({ vmId: v.id, hostId })) });
    }
    if (nicsChanged) {
      const drop = before.nics.filter((_, i) => !keepNic(i)).map((n) => n.id);
      await tx.vmNic.deleteMany({ where: { id: { in: drop } } }); // leases cascade
      await createNics(tx, v.id, v, v.nics.map((_, i) => i).filter((i) => !keepNic(i)), nets);
    }
    const after = await vmAuditView(tx, v.id);
    await writeAudit(tx, ctx, "update-vm", `vm:${v.id}`, before, after);
    return after!;
  });
}

/** Deletes a VM that is not running; its allocations, leases and storage sessions go with it. */
export async function deleteVm(input: unknown, ctx?: ServiceCtx) {
  const { id } = parseInput(ZDeleteInput, input);
  return inTransaction(ctx, async (tx) => {
    const before = await vmAuditView(tx, id);
    if (!before) throw notFound("VM", id);
    if (RUNNING_STATES.has(before.power)) throw conflict(`${before.name} is ${before.power}; power it off before deleting it`);
    await tx.vm.delete({ where: { id } });
    await writeAudit(tx, ctx, "delete-vm", `vm:${id}`, before, null);
    return { id, name: before.name };
  });
}

// ---------------------------------------------------------------- reads for the forms

export async function getVmForEdit(id: string, ctx?: ServiceCtx) {
  return ctxDb(ctx).vm.findUnique({
    where: { id },
    select: {
      id: true,
      name: true,
      vcpus: true,
      memoryMiB: true,
      haPriority: true,
      keepRunningWhenIsolated: true,
      restartMaxRestarts: true,
      restartMaxRelocations: true,
      power: true,
      hostId: true,
      host: { select: { name: true } },
      hostAffinity: { select: { hostId: true } },
      deviceRequests: { select: { type: true, tag: true, count: true, gpuId: true }, orderBy: { index: "asc" } },
      nics: { select: { networkId: true, staticIp: true, lease: { select: { address: true } } }, orderBy: { index: "asc" } },
      disks: { select: { sizeGiB: true, bus: true }, orderBy: { index: "asc" } },
    },
  });
}

/** Tags a device request can name, with the passthrough GPUs that may be named exactly. */
export async function listDeviceOptions(ctx?: ServiceCtx) {
  const db = ctxDb(ctx);
  const [tags, gpus] = await Promise.all([
    db.deviceTag.findMany({ orderBy: [{ type: "asc" }, { name: "asc" }], select: { type: true, name: true } }),
    db.gpu.findMany({
      where: { vgpuProfile: null },
      orderBy: [{ host: { name: "asc" } }, { name: "asc" }],
      select: { id: true, name: true, model: true, mode: true, vgpuProfile: true, host: { select: { name: true } } },
    }),
  ]);
  return {
    tags,
    gpus: gpus.map((g) => ({ id: g.id, name: g.name, hostName: g.host.name, tag: gpuUnitTag(g).tag })),
  };
}

export async function listVmOptions(ctx?: ServiceCtx) {
  return ctxDb(ctx).vm.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } });
}

/** The cluster's restart policy: what a VM's blank restart fields mean (null before any cluster). */
export async function getRestartDefaults(ctx?: ServiceCtx): Promise<{ maxRestarts: number; maxRelocations: number | null } | undefined> {
  const c = await ctxDb(ctx).cluster.findFirst({ orderBy: { createdAt: "asc" }, select: { restartMaxRestarts: true, restartMaxRelocations: true } });
  return c ? { maxRestarts: c.restartMaxRestarts, maxRelocations: c.restartMaxRelocations } : undefined;
}
