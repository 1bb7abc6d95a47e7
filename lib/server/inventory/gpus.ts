// GPUs of a host: create, update (mode, vGPU partitioning), delete. Keeps the derived
// gpu/vgpu DeviceTag rows in step; refuses to repartition or delete a GPU whose devices
// are allocated to VMs.
import "server-only";
import { ZCreateGpuInput, ZDeleteInput, ZUpdateGpuInput } from "@/lib/schemas/inventory";
import { conflict, inTransaction, notFound, omit, parseInput, plural, writeAudit, type ServiceCtx, type Tx } from "./common";
import { ensureDeviceTag, gpuUnitTag } from "./device-tags";

const GPU_AUDIT = {
  id: true,
  hostId: true,
  name: true,
  vendor: true,
  model: true,
  pciAddress: true,
  mode: true,
  vgpuProfile: true,
  vgpuSlots: true,
} as const;

async function nextGpuName(tx: Tx, hostId: string, hostName: string): Promise<string> {
  const taken = new Set((await tx.gpu.findMany({ where: { hostId }, select: { name: true } })).map((g) => g.name));
  for (let i = 0; ; i++) if (!taken.has(`${hostName}-gpu${i}`)) return `${hostName}-gpu${i}`;
}

async function checkUniqueOnHost(tx: Tx, hostId: string, name: string, pciAddress: string, exceptId?: string) {
  const sameName = await tx.gpu.findUnique({ where: { hostId_name: { hostId, name } }, select: { id: true } });
  if (sameName && sameName.id !== exceptId) throw conflict(`This host already has a GPU named ${name}`, { name: [`This host already has a GPU named ${name}`] });
  const samePci = await tx.gpu.findUnique({ where: { hostId_pciAddress: { hostId, pciAddress } }, select: { id: true, name: true } });
  if (samePci && samePci.id !== exceptId)
    throw conflict(`${samePci.name} is already at PCI address ${pciAddress}`, { pciAddress: [`${samePci.name} is already at ${pciAddress}`] });
}

export async function createGpu(input: unknown, ctx?: ServiceCtx) {
  const v = parseInput(ZCreateGpuInput, input);
  return inTransaction(ctx, async (tx) => {
    const host = await tx.host.findUnique({ where: { id: v.hostId }, select: { id: true, name: true } });
    if (!host) throw notFound("Host", v.hostId);
    const name = v.name ?? (await nextGpuName(tx, host.id, host.name));
    await checkUniqueOnHost(tx, host.id, name, v.pciAddress);
    const gpu = await tx.gpu.create({
      data: {
        hostId: host.id,
        name,
        vendor: v.vendor,
        model: v.model,
        pciAddress: v.pciAddress,
        mode: v.mode,
        vgpuProfile: v.vgpuProfile ?? null,
        vgpuSlots: v.vgpuProfile ? (v.vgpuSlots ?? null) : null,
      },
      select: GPU_AUDIT,
    });
    const t = gpuUnitTag(gpu);
    await ensureDeviceTag(tx, t.type, t.tag, "auto");
    await writeAudit(tx, ctx, "create-gpu", `gpu:${gpu.id}`, null, gpu);
    return { ...gpu, tag: t.tag, tagType: t.type };
  });
}

/**
 * Updates a GPU. Changing its model, mode or vGPU partitioning changes the tag its units
 * carry: refused while any unit is allocated; a mode switch also needs the host in
 * maintenance. The answer lists the VMs whose requests named the old tag (to reconfigure).
 */
export async function updateGpu(input: unknown, ctx?: ServiceCtx) {
  const v = parseInput(ZUpdateGpuInput, input);
  return inTransaction(ctx, async (tx) => {
    const before = await tx.gpu.findUnique({
      where: { id: v.id },
      select: { ...GPU_AUDIT, host: { select: { name: true, state: true } }, _count: { select: { allocations: true } } },
    });
    if (!before) throw notFound("GPU", v.id);
    const name = v.name ?? before.name;
    await checkUniqueOnHost(tx, before.hostId, name, v.pciAddress, v.id);
    const next = {
      model: v.model,
      mode: v.mode,
      vgpuProfile: v.vgpuProfile ?? null,
      vgpuSlots: v.vgpuProfile ? (v.vgpuSlots ?? null) : null,
    };
    const changed = (["model", "mode", "vgpuProfile", "vgpuSlots"] as const).filter((k) => next[k] !== before[k]);
    const inUse = before._count.allocations;
    if (changed.length > 0 && inUse > 0) {
      const msg = `${before.name} has ${plural(inUse, "device")} allocated to VMs; it cannot be repartitioned or retagged until they are released`;
      throw conflict(msg, Object.fromEntries(changed.map((k) => [k, [msg]])));
    }
    if (next.mode !== before.mode && before.host.state !== "maintenance") {
      const msg = `Switching the GPU mode needs ${before.host.name} in maintenance`;
      throw conflict(msg, { mode: [msg] });
    }
    if (v.pciAddress !== before.pciAddress && inUse > 0) {
      const msg = `${before.name} has ${plural(inUse, "device")} allocated to VMs; its PCI address cannot change`;
      throw conflict(msg, { pciAddress: [msg] });
    }
    const after = await tx.gpu.update({
      where: { id: v.id },
      data: { name, vendor: v.vendor, pciAddress: v.pciAddress, ...next },
      select: GPU_AUDIT,
    });
    const oldTag = gpuUnitTag(before);
    const newTag = gpuUnitTag(after);
    await ensureDeviceTag(tx, newTag.type, newTag.tag, "auto");
    let reconfigure: { id: string; name: string }[] = [];
    if (oldTag.tag !== newTag.tag || oldTag.type !== newTag.type) {
      const vms = await tx.vm.findMany({
        where: { deviceRequests: { some: { type: oldTag.type, tag: oldTag.tag } } },
        select: { id: true, name: true },
        orderBy: { name: "asc" },
      });
      reconfigure = vms;
    }
    await writeAudit(tx, ctx, "update-gpu", `gpu:${v.id}`, omit(before, "host", "_count"), after);
    return { ...after, tag: newTag.tag, tagType: newTag.type, previousTag: oldTag.tag, reconfigure };
  });
}

export async function deleteGpu(input: unknown, ctx?: ServiceCtx) {
  const { id } = parseInput(ZDeleteInput, input);
  return inTransaction(ctx, async (tx) => {
    const gpu = await tx.gpu.findUnique({ where: { id }, select: { ...GPU_AUDIT, _count: { select: { allocations: true } } } });
    if (!gpu) throw notFound("GPU", id);
    const inUse = gpu._count.allocations;
    if (inUse > 0) throw conflict(`${gpu.name} has ${plural(inUse, "device")} allocated to VMs; release them before deleting it`);
    await tx.gpu.delete({ where: { id } });
    await writeAudit(tx, ctx, "delete-gpu", `gpu:${id}`, omit(gpu, "_count"), null);
    return { id, name: gpu.name, hostId: gpu.hostId };
  });
}
