// Hosts: create, update, delete (and the reads the host forms need).
import "server-only";
import { ZCreateHostInput, ZDeleteInput, ZUpdateHostInput, type TCreateHostInput } from "@/lib/schemas/inventory";
import {
  conflict,
  ctxDb,
  inTransaction,
  invalid,
  managedClusterId,
  notFound,
  omit,
  parseInput,
  plural,
  writeAudit,
  type ServiceCtx,
  type Tx,
} from "./common";

const HOST_AUDIT = {
  id: true,
  name: true,
  address: true,
  cpus: true,
  memoryMiB: true,
  zoneId: true,
  storageControllerPresent: true,
} as const;

/** The host columns a create or an update writes. */
function hostData(v: TCreateHostInput) {
  return {
    name: v.name,
    address: v.address ?? null,
    cpus: v.cpus,
    memoryMiB: v.memoryMiB,
    zoneId: v.zoneId ?? null,
    storageControllerPresent: v.storageControllerPresent,
  };
}

async function checkZone(tx: Tx, clusterId: string, zoneId: string | undefined): Promise<void> {
  if (!zoneId) return;
  const z = await tx.zone.findUnique({ where: { id: zoneId }, select: { clusterId: true } });
  if (!z || z.clusterId !== clusterId) throw invalid("Check the highlighted fields", { zoneId: ["This zone does not exist"] });
}

async function checkHostNameFree(tx: Tx, name: string, exceptId?: string): Promise<void> {
  const other = await tx.host.findUnique({ where: { name }, select: { id: true } });
  if (other && other.id !== exceptId) throw conflict(`A host named ${name} already exists`, { name: [`A host named ${name} already exists`] });
}

export async function createHost(input: unknown, ctx?: ServiceCtx) {
  const v = parseInput(ZCreateHostInput, input);
  return inTransaction(ctx, async (tx) => {
    const clusterId = await managedClusterId(tx);
    await checkHostNameFree(tx, v.name);
    await checkZone(tx, clusterId, v.zoneId);
    const host = await tx.host.create({
      data: { clusterId, ...hostData(v) },
      select: HOST_AUDIT,
    });
    await writeAudit(tx, ctx, "create-host", `host:${host.id}`, null, host);
    return host;
  });
}

export async function updateHost(input: unknown, ctx?: ServiceCtx) {
  const v = parseInput(ZUpdateHostInput, input);
  return inTransaction(ctx, async (tx) => {
    const before = await tx.host.findUnique({ where: { id: v.id }, select: { ...HOST_AUDIT, clusterId: true } });
    if (!before) throw notFound("Host", v.id);
    await checkHostNameFree(tx, v.name, v.id);
    await checkZone(tx, before.clusterId, v.zoneId);
    // Capacity never drops below what the VMs placed on the host hold.
    const used = await tx.vm.aggregate({ where: { hostId: v.id }, _sum: { vcpus: true, memoryMiB: true } });
    const usedCpus = used._sum.vcpus ?? 0;
    const usedMiB = used._sum.memoryMiB ?? 0;
    if (v.cpus < usedCpus)
      throw conflict(`${before.name} has ${plural(usedCpus, "vCPU")} in use by its VMs`, {
        cpus: [`${before.name} has ${plural(usedCpus, "vCPU")} in use; CPUs cannot go below ${usedCpus}`],
      });
    if (v.memoryMiB < usedMiB)
      throw conflict(`${before.name} has ${usedMiB} MiB in use by its VMs`, {
        memoryMiB: [`${before.name} has ${usedMiB} MiB in use; memory cannot go below ${usedMiB} MiB`],
      });
    const after = await tx.host.update({
      where: { id: v.id },
      data: hostData(v),
      select: HOST_AUDIT,
    });
    await writeAudit(tx, ctx, "update-host", `host:${v.id}`, omit(before, "clusterId"), after);
    return after;
  });
}

/** Deletes a host with its GPUs and NICs. A host that VMs are placed on is refused. */
export async function deleteHost(input: unknown, ctx?: ServiceCtx) {
  const { id } = parseInput(ZDeleteInput, input);
  return inTransaction(ctx, async (tx) => {
    const host = await tx.host.findUnique({
      where: { id },
      select: { ...HOST_AUDIT, _count: { select: { vms: true, gpus: true, nics: true } } },
    });
    if (!host) throw notFound("Host", id);
    const n = host._count.vms;
    if (n > 0) throw conflict(`Host ${host.name} runs ${plural(n, "VM")}; move or delete them first`);
    await tx.host.delete({ where: { id } });
    const { _count, ...before } = host;
    await writeAudit(tx, ctx, "delete-host", `host:${id}`, { ...before, gpus: _count.gpus, nics: _count.nics }, null);
    return { id, name: host.name };
  });
}

// ---------------------------------------------------------------- reads for the forms

/** A host with its GPUs and NICs and how many of their devices are allocated. */
export async function getHostForEdit(id: string, ctx?: ServiceCtx) {
  const db = ctxDb(ctx);
  const host = await db.host.findUnique({
    where: { id },
    include: {
      zone: { select: { id: true, name: true } },
      gpus: { orderBy: { name: "asc" }, include: { _count: { select: { allocations: true } } } },
      nics: { orderBy: { name: "asc" }, include: { _count: { select: { allocations: true } } } },
      _count: { select: { vms: true } },
    },
  });
  return host;
}

export async function listZoneOptions(ctx?: ServiceCtx) {
  return ctxDb(ctx).zone.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, role: true } });
}

export async function listHostOptions(ctx?: ServiceCtx) {
  return ctxDb(ctx).host.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, state: true } });
}
