// NICs of a host: create, update, delete, and set/clear the SR-IOV tag all its VFs carry.
// A NIC whose VFs are allocated cannot be deleted, retagged or shrunk below the VFs in use.
import "server-only";
import {
  ZClearNicTagInput,
  ZCreateNicInput,
  ZDeleteInput,
  ZSetNicTagInput,
  ZUpdateNicInput,
} from "@/lib/schemas/inventory";
import { conflict, inTransaction, notFound, parseInput, plural, writeAudit, type ServiceCtx, type Tx } from "./common";
import { ensureDeviceTag } from "./device-tags";

const NIC_AUDIT = { id: true, hostId: true, name: true, role: true, sriovVfs: true, tag: true, bond: true, speedGbps: true } as const;

/** VFs of a NIC allocated to VMs: how many, and the lowest VF count that keeps them all. */
async function vfsInUse(tx: Tx, nicId: string): Promise<{ count: number; minVfs: number }> {
  const rows = await tx.deviceAllocation.findMany({ where: { nicId }, select: { vf: true } });
  const maxIndex = rows.reduce((m, r) => Math.max(m, r.vf ?? -1), -1);
  return { count: rows.length, minVfs: Math.max(rows.length, maxIndex + 1) };
}

function vfFloorMessage(nic: string, inUse: { count: number; minVfs: number }): string {
  return inUse.minVfs === inUse.count
    ? `${nic} has ${inUse.count} ${inUse.count === 1 ? "VF" : "VFs"} in use; the VF count cannot go below ${inUse.minVfs}`
    : `${nic} has ${inUse.count} ${inUse.count === 1 ? "VF" : "VFs"} in use (up to VF ${inUse.minVfs - 1}); the VF count cannot go below ${inUse.minVfs}`;
}

function retagMessage(nic: string, count: number): string {
  return `${nic} has ${count} ${count === 1 ? "VF" : "VFs"} in use; its tag cannot change until they are released`;
}

async function checkNicNameFree(tx: Tx, hostId: string, name: string, exceptId?: string) {
  const other = await tx.nic.findUnique({ where: { hostId_name: { hostId, name } }, select: { id: true } });
  if (other && other.id !== exceptId) throw conflict(`This host already has a NIC named ${name}`, { name: [`This host already has a NIC named ${name}`] });
}

export async function createNic(input: unknown, ctx?: ServiceCtx) {
  const v = parseInput(ZCreateNicInput, input);
  return inTransaction(ctx, async (tx) => {
    const host = await tx.host.findUnique({ where: { id: v.hostId }, select: { id: true } });
    if (!host) throw notFound("Host", v.hostId);
    await checkNicNameFree(tx, v.hostId, v.name);
    const nic = await tx.nic.create({
      data: {
        hostId: v.hostId,
        name: v.name,
        role: v.role,
        sriovVfs: v.sriovVfs,
        tag: v.tag ?? null,
        bond: v.bond ?? null,
        ...(v.speedGbps !== undefined ? { speedGbps: v.speedGbps } : {}),
      },
      select: NIC_AUDIT,
    });
    if (nic.tag) await ensureDeviceTag(tx, "sriov", nic.tag, "user");
    await writeAudit(tx, ctx, "create-nic", `nic:${nic.id}`, null, nic);
    return nic;
  });
}

export async function updateNic(input: unknown, ctx?: ServiceCtx) {
  const v = parseInput(ZUpdateNicInput, input);
  return inTransaction(ctx, async (tx) => {
    const before = await tx.nic.findUnique({ where: { id: v.id }, select: NIC_AUDIT });
    if (!before) throw notFound("NIC", v.id);
    await checkNicNameFree(tx, before.hostId, v.name, v.id);
    const inUse = await vfsInUse(tx, v.id);
    if (v.sriovVfs < inUse.minVfs) {
      const msg = vfFloorMessage(before.name, inUse);
      throw conflict(msg, { sriovVfs: [msg] });
    }
    const tag = v.tag ?? null;
    if (tag !== before.tag && inUse.count > 0) {
      const msg = retagMessage(before.name, inUse.count);
      throw conflict(msg, { tag: [msg] });
    }
    const after = await tx.nic.update({
      where: { id: v.id },
      data: {
        name: v.name,
        role: v.role,
        sriovVfs: v.sriovVfs,
        tag,
        bond: v.bond ?? null,
        ...(v.speedGbps !== undefined ? { speedGbps: v.speedGbps } : {}),
      },
      select: NIC_AUDIT,
    });
    if (after.tag) await ensureDeviceTag(tx, "sriov", after.tag, "user");
    await writeAudit(tx, ctx, "update-nic", `nic:${v.id}`, before, after);
    return after;
  });
}

export async function deleteNic(input: unknown, ctx?: ServiceCtx) {
  const { id } = parseInput(ZDeleteInput, input);
  return inTransaction(ctx, async (tx) => {
    const nic = await tx.nic.findUnique({ where: { id }, select: NIC_AUDIT });
    if (!nic) throw notFound("NIC", id);
    const inUse = await vfsInUse(tx, id);
    if (inUse.count > 0)
      throw conflict(`${nic.name} has ${plural(inUse.count, "VF")} in use; release them before deleting it`);
    await tx.nic.delete({ where: { id } });
    await writeAudit(tx, ctx, "delete-nic", `nic:${id}`, nic, null);
    return { id, name: nic.name, hostId: nic.hostId };
  });
}

async function changeNicTag(nicId: string, tag: string | null, ctx: ServiceCtx | undefined) {
  return inTransaction(ctx, async (tx) => {
    const before = await tx.nic.findUnique({ where: { id: nicId }, select: NIC_AUDIT });
    if (!before) throw notFound("NIC", nicId);
    if (before.tag === tag) return before;
    const inUse = await vfsInUse(tx, nicId);
    if (inUse.count > 0) {
      const msg = retagMessage(before.name, inUse.count);
      throw conflict(msg, { tag: [msg] });
    }
    const after = await tx.nic.update({ where: { id: nicId }, data: { tag }, select: NIC_AUDIT });
    if (tag) await ensureDeviceTag(tx, "sriov", tag, "user");
    await writeAudit(tx, ctx, tag ? "tag-nic" : "untag-nic", `nic:${nicId}`, before, after);
    return after;
  });
}

/** Sets the SR-IOV tag on a NIC (all its VFs carry it); creates the tag if it is new. */
export async function setNicTag(input: unknown, ctx?: ServiceCtx) {
  const v = parseInput(ZSetNicTagInput, input);
  return changeNicTag(v.nicId, v.tag, ctx);
}

export async function clearNicTag(input: unknown, ctx?: ServiceCtx) {
  const v = parseInput(ZClearNicTagInput, input);
  return changeNicTag(v.nicId, null, ctx);
}
