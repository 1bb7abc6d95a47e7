// Placement groups: VM-host, VM-VM affinity / anti-affinity and zone groups.
import "server-only";
import { ZCreatePlacementGroupInput, ZDeleteInput, ZUpdatePlacementGroupInput, type TCreatePlacementGroupInput } from "@/lib/schemas/inventory";
import type { FieldErrors } from "@/lib/server/errors";
import { conflict, ctxDb, inTransaction, invalid, managedClusterId, notFound, parseInput, writeAudit, type ServiceCtx, type Tx } from "./common";

async function checkGroupNameFree(tx: Tx, name: string, exceptId?: string) {
  const other = await tx.placementGroup.findUnique({ where: { name }, select: { id: true } });
  if (other && other.id !== exceptId)
    throw conflict(`A placement group named ${name} already exists`, { name: [`A placement group named ${name} already exists`] });
}

/** The group columns and memberships a create or an update writes (members only where the type uses them). */
function groupData(v: TCreatePlacementGroupInput) {
  return {
    name: v.name,
    type: v.type,
    enforcement: v.enforcement,
    zoneId: v.type === "zone" ? (v.zoneId ?? null) : null,
    hostOrder: v.type === "vm-host" && v.hostOrder.length ? JSON.stringify(v.hostOrder) : null,
    failback: v.type === "vm-host" ? v.failback : null,
    vms: { create: v.vmIds.map((vmId) => ({ vmId })) },
    hosts: { create: v.type === "vm-host" ? v.hostIds.map((hostId) => ({ hostId })) : [] },
  };
}

async function checkMembers(tx: Tx, v: TCreatePlacementGroupInput) {
  const errors: FieldErrors = {};
  const [vms, hosts, zone] = await Promise.all([
    tx.vm.findMany({ where: { id: { in: v.vmIds } }, select: { id: true } }),
    tx.host.findMany({ where: { id: { in: v.hostIds } }, select: { id: true } }),
    v.zoneId ? tx.zone.findUnique({ where: { id: v.zoneId }, select: { id: true } }) : Promise.resolve(null),
  ]);
  if (vms.length !== v.vmIds.length) errors.vmIds = ["Some of these VMs do not exist"];
  if (hosts.length !== v.hostIds.length) errors.hostIds = ["Some of these hosts do not exist"];
  if (v.zoneId && !zone) errors.zoneId = ["This zone does not exist"];
  if (Object.keys(errors).length) throw invalid("Check the highlighted fields", errors);
}

/** The stored host order (a JSON array of host ids); anything else reads as unranked. */
export function parseHostOrder(raw: string | null): string[] {
  if (!raw) return [];
  try {
    const a: unknown = JSON.parse(raw);
    return Array.isArray(a) ? a.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

async function groupView(tx: Tx, id: string) {
  const g = await tx.placementGroup.findUnique({
    where: { id },
    select: {
      id: true,
      name: true,
      type: true,
      enforcement: true,
      zoneId: true,
      hostOrder: true,
      failback: true,
      vms: { select: { vmId: true }, orderBy: { vmId: "asc" } },
      hosts: { select: { hostId: true }, orderBy: { hostId: "asc" } },
    },
  });
  if (!g) return null;
  return { ...g, hostOrder: parseHostOrder(g.hostOrder), vms: g.vms.map((x) => x.vmId), hosts: g.hosts.map((x) => x.hostId) };
}

export async function createPlacementGroup(input: unknown, ctx?: ServiceCtx) {
  const v = parseInput(ZCreatePlacementGroupInput, input);
  return inTransaction(ctx, async (tx) => {
    await checkGroupNameFree(tx, v.name);
    await checkMembers(tx, v);
    const clusterId = await managedClusterId(tx);
    const g = await tx.placementGroup.create({
      data: { clusterId, ...groupData(v) },
      select: { id: true },
    });
    const after = await groupView(tx, g.id);
    await writeAudit(tx, ctx, "create-placement-group", `placement-group:${g.id}`, null, after);
    return after!;
  });
}

export async function updatePlacementGroup(input: unknown, ctx?: ServiceCtx) {
  const v = parseInput(ZUpdatePlacementGroupInput, input);
  return inTransaction(ctx, async (tx) => {
    const before = await groupView(tx, v.id);
    if (!before) throw notFound("Placement group", v.id);
    await checkGroupNameFree(tx, v.name, v.id);
    await checkMembers(tx, v);
    await tx.placementGroupVm.deleteMany({ where: { groupId: v.id } });
    await tx.placementGroupHost.deleteMany({ where: { groupId: v.id } });
    await tx.placementGroup.update({
      where: { id: v.id },
      data: groupData(v),
    });
    const after = await groupView(tx, v.id);
    await writeAudit(tx, ctx, "update-placement-group", `placement-group:${v.id}`, before, after);
    return after!;
  });
}

export async function deletePlacementGroup(input: unknown, ctx?: ServiceCtx) {
  const { id } = parseInput(ZDeleteInput, input);
  return inTransaction(ctx, async (tx) => {
    const before = await groupView(tx, id);
    if (!before) throw notFound("Placement group", id);
    await tx.placementGroup.delete({ where: { id } });
    await writeAudit(tx, ctx, "delete-placement-group", `placement-group:${id}`, before, null);
    return { id, name: before.name };
  });
}

// ---------------------------------------------------------------- reads

export async function listPlacementGroups(ctx?: ServiceCtx) {
  const rows = await ctxDb(ctx).placementGroup.findMany({
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      type: true,
      enforcement: true,
      hostOrder: true,
      failback: true,
      zone: { select: { name: true } },
      vms: { select: { vm: { select: { id: true, name: true } } } },
      hosts: { select: { host: { select: { id: true, name: true } } } },
    },
  });
  return rows.map((g) => ({
    id: g.id,
    name: g.name,
    type: g.type,
    enforcement: g.enforcement,
    zoneName: g.zone?.name ?? null,
    failback: g.failback,
    /** Ranked hosts, most preferred first (names resolved; hosts no longer in the group dropped). */
    hostOrder: parseHostOrder(g.hostOrder)
      .map((id) => g.hosts.find((x) => x.host.id === id)?.host)
      .filter((h): h is { id: string; name: string } => !!h),
    vms: g.vms.map((x) => x.vm).sort((a, b) => a.name.localeCompare(b.name)),
    hosts: g.hosts.map((x) => x.host).sort((a, b) => a.name.localeCompare(b.name)),
  }));
}

export async function getPlacementGroupForEdit(id: string, ctx?: ServiceCtx) {
  const db = ctxDb(ctx);
  return db.$transaction((tx) => groupView(tx, id));
}
