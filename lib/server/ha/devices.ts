import "server-only";
// Devices that fail: a GPU (by name) or a NIC (all its VFs) is failed or healthy again. The store
// has no device-health column, so failed devices live in the context (HaContext.failedDevices)
// and are left out of every snapshot the controller takes; a VM using one is stopped there and
// rebuilt elsewhere (incident device-failure); DEVICE_FAILED lists a host's failed devices.
import { AppError } from "@/lib/server/errors";
import { openIncident } from "./journal";
import type { HaContext } from "./context";
import { relocate } from "./failover";
import { maybeCloseIncident } from "./incidents";

/**
 * A device failed (or is healthy again): a GPU by its name, or a NIC (all its VFs) by its name.
 * A failed device is never allocated until it is healthy again; a VM using it is stopped and
 * rebuilt elsewhere (an unplanned down, with an incident); other VMs of the host stay.
 * Call under the lock.
 */
export async function setDeviceHealthLocked(ctx: HaContext, hostId: string, device: string, healthy: boolean): Promise<{ device: string; affected: string[] }> {
  const h = ctx.hosts.get(hostId);
  if (!h) throw new AppError("NOT_FOUND", `Host ${hostId} not found`);
  const gpu = await ctx.db.gpu.findFirst({ where: { hostId, OR: [{ name: device }, { id: device }] }, select: { id: true, name: true } });
  const nic = gpu ? null : await ctx.db.nic.findFirst({ where: { hostId, OR: [{ name: device }, { id: device }] }, select: { id: true, name: true } });
  if (!gpu && !nic) throw new AppError("NOT_FOUND", `${h.name} has no GPU or NIC "${device}"`);
  const kind = gpu ? ("gpu" as const) : ("nic" as const);
  const dev = (gpu ?? nic)!;
  const key = `${kind}:${dev.id}`;
  const at = ctx.at();
  const entity = { type: "host" as const, id: h.id, name: h.name };
  if (healthy) {
    if (!ctx.failedDevices.delete(key)) return { device: dev.name, affected: [] };
    const still = [...ctx.failedDevices.values()].filter((d) => d.hostId === hostId);
    await ctx.tx(async (tx, s) => {
      await s.sink.record(tx, { at, kind: "device-ok", hostId, message: `${h.name}/${dev.name} is healthy again: it may be allocated` });
      if (still.length) await ctx.alerts.raise(tx, { kind: "DEVICE_FAILED", entity, at, hostId, message: `Failed devices on ${h.name}: ${still.map((d) => d.name).join(", ")}; they are not allocated until healthy` });
      else await ctx.alerts.clear(tx, "DEVICE_FAILED", entity, at);
    });
    ctx.capacityChanged = true;
    ctx.evalNeeded = true;
    return { device: dev.name, affected: [] };
  }
  if (ctx.failedDevices.has(key)) return { device: dev.name, affected: [] };
  ctx.failedDevices.set(key, { hostId, kind, id: dev.id, name: dev.name });
  const users = await ctx.db.vm.findMany({
    where: { hostId, power: { in: ["running", "starting", "migrating"] }, allocations: { some: kind === "gpu" ? { gpuId: dev.id } : { nicId: dev.id } } },
    select: { id: true, name: true },
    orderBy: { name: "asc" },
  });
  const failedNow = [...ctx.failedDevices.values()].filter((d) => d.hostId === hostId);
  const incidentId = await ctx.tx(async (tx, s) => {
    const inc = users.length ? await openIncident(tx, { clusterId: ctx.clusterId, kind: "device-failure", hostId, openedAt: at, detectedAt: at, failedAt: at }) : null;
    await s.sink.record(tx, {
      at,
      kind: "device-failed",
      hostId,
      incidentId: inc?.id ?? null,
      message: `${h.name}/${dev.name} failed: not allocated until healthy${users.length ? `; ${users.map((u) => u.name).join(", ")} stopped and rebuilt elsewhere` : ""}`,
      data: { device: dev.name, kind, vms: users.map((u) => u.name) },
    });
    await ctx.alerts.raise(tx, { kind: "DEVICE_FAILED", entity, at, hostId, incidentId: inc?.id ?? null, message: `Failed devices on ${h.name}: ${failedNow.map((d) => d.name).join(", ")}; they are not allocated until healthy` });
    return inc?.id ?? null;
  });
  const reachable = h.state === "online" || h.state === "maintenance";
  for (const u of users) {
    await relocate(ctx, u.id, [hostId], incidentId, "relocate", `its device ${h.name}/${dev.name} failed`, reachable ? hostId : null, "device-fault");
  }
  if (incidentId) await maybeCloseIncident(ctx, incidentId);
  ctx.capacityChanged = true;
  ctx.evalNeeded = true;
  return { device: dev.name, affected: users.map((u) => u.name) };
}

