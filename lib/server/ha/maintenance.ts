import "server-only";
// Maintenance: the engine's evacuation plan, persisted and executed. Standard VMs live-migrate;
// device VMs are powered off (planned) and started again on exit — or rebuilt elsewhere when asked.
import { planEvacuation, placeVm } from "@/lib/engine";
import { AppError } from "@/lib/server/errors";
import { getController, type HaController } from "./controller";

function requireController(ctl?: HaController | null): HaController {
  const c = ctl ?? getController();
  if (!c) throw new AppError("UNAVAILABLE", "The HA controller is not running in this process");
  return c;
}

export interface EnterMaintenanceResult {
  hostId: string;
  migrations: { vm: string; to: string }[];
  powerOffs: { vm: string; reason: string }[];
  rebuilds: { vm: string; to: string }[];
}

export async function enterMaintenance(
  hostId: string,
  opts: { by?: string; rebuildDeviceVms?: boolean } = {},
  ctl?: HaController | null,
): Promise<EnterMaintenanceResult> {
  const c = requireController(ctl);
  return c.exclusive(async () => {
    const host = await c.db.host.findUnique({ where: { id: hostId } });
    if (!host) throw new AppError("NOT_FOUND", `Host ${hostId} not found`);
    if (host.state === "maintenance") return { hostId, migrations: [], powerOffs: [], rebuilds: [] };
    if (host.state !== "online") throw new AppError("CONFLICT", `${host.name} is ${host.state}; only an online host enters maintenance`);
    const snap = await c.snapshot();
    const plan = planEvacuation(snap, hostId, { rebuildDeviceVms: opts.rebuildDeviceVms });
    const name = (id: string) => snap.vms.find((v) => v.id === id)?.name ?? id;
    if (plan.blocked.length) {
      throw new AppError(
        "CONFLICT",
        `${host.name} cannot enter maintenance: ${plan.blocked.map((b) => `${name(b.vmId)}: ${b.reasons.join("; ")}`).join(" | ")}`,
        Object.fromEntries(plan.blocked.map((b) => [`vms.${name(b.vmId)}`, b.reasons])),
      );
    }
    const at = new Date(c.clock.now());
    await c.runTx(async (tx, s) => {
      await tx.host.update({ where: { id: hostId }, data: { state: "maintenance", stateSince: at } });
      await s.sink.record(tx, {
        at,
        kind: "maintenance-entered",
        hostId,
        message: `${host.name} enters maintenance${opts.by ? ` (${opts.by})` : ""}: ${plan.migrations.length} live migration(s), ${plan.powerOffs.length} power-off(s), ${plan.rebuilds.length} rebuild(s)`,
        data: { migrations: plan.migrations, powerOffs: plan.powerOffs, rebuilds: plan.rebuilds.map((r) => ({ vmId: r.vmId, to: r.hostName })) },
      });
      for (const m of plan.migrations) {
        const vm = await tx.vm.findUniqueOrThrow({ where: { id: m.vmId }, include: { ipLeases: true } });
        const to = snap.hosts.find((h) => h.id === m.toHostId)!;
        await tx.vm.update({ where: { id: vm.id }, data: { hostId: m.toHostId, power: "migrating", generation: vm.generation + 1, powerSince: at } });
        await c.createCommandIn(tx, s, {
          hostId,
          vmId: vm.id,
          kind: "migrate-vm",
          generation: vm.generation + 1,
          payload: {
            vmName: vm.name,
            toHostId: m.toHostId,
            toHostName: to.name,
            vcpus: vm.vcpus,
            memoryMiB: vm.memoryMiB,
            haPriority: vm.haPriority,
            ips: vm.ipLeases.map((l) => l.address),
          },
        });
        await s.sink.record(tx, {
          at,
          kind: "vm-migrate-sent",
          vmId: vm.id,
          hostId,
          message: `${vm.name} live-migrates ${host.name} → ${to.name}: ${m.reasons.join("; ")}`,
          data: { to: to.name, reasons: m.reasons },
        });
      }
      for (const p of plan.powerOffs) {
        const vm = await tx.vm.findUniqueOrThrow({ where: { id: p.vmId } });
        if (!vm.hostId || !["running", "starting"].includes(vm.power)) continue;
        await tx.vm.update({ where: { id: vm.id }, data: { power: "stopping", restartOnMaintenanceExit: true, powerSince: at } });
        await c.createCommandIn(tx, s, { hostId, vmId: vm.id, kind: "stop-vm", generation: vm.generation, payload: { vmName: vm.name, reason: "maintenance", incidentId: null } });
        await s.sink.record(tx, { at, kind: "vm-stop-sent", vmId: vm.id, hostId, message: `${vm.name} is powered off for maintenance: ${p.reason}`, data: { reason: "maintenance" } });
      }
      for (const r of plan.rebuilds) {
        await c.applyPlacement(tx, s, snap, r, { purpose: "power-on", incidentId: null, attempt: 1, avoid: [hostId], stopFirstOn: hostId, stopReason: "maintenance", note: "maintenance rebuild" });
      }
    });
    c.markHostState(hostId, "maintenance");
    return {
      hostId,
      migrations: plan.migrations.map((m) => ({ vm: name(m.vmId), to: snap.hosts.find((h) => h.id === m.toHostId)?.name ?? m.toHostId })),
      powerOffs: plan.powerOffs.map((p) => ({ vm: name(p.vmId), reason: p.reason })),
      rebuilds: plan.rebuilds.map((r) => ({ vm: name(r.vmId), to: r.hostName })),
    };
  });
}

/** Ends maintenance: the host is online again and the VMs powered off for it are started again. */
export async function exitMaintenance(hostId: string, opts: { by?: string } = {}, ctl?: HaController | null): Promise<{ hostId: string; restarted: string[]; waiting: string[] }> {
  const c = requireController(ctl);
  return c.exclusive(async () => {
    const host = await c.db.host.findUnique({ where: { id: hostId } });
    if (!host) throw new AppError("NOT_FOUND", `Host ${hostId} not found`);
    if (host.state !== "maintenance") throw new AppError("CONFLICT", `${host.name} is not in maintenance (${host.state})`);
    const at = new Date(c.clock.now());
    await c.runTx(async (tx, s) => {
      await tx.host.update({ where: { id: hostId }, data: { state: "online", stateSince: at } });
      await s.sink.record(tx, { at, kind: "maintenance-exited", hostId, message: `${host.name} leaves maintenance${opts.by ? ` (${opts.by})` : ""}` });
    });
    c.markHostState(hostId, "online");
    const restarted: string[] = [];
    const waiting: string[] = [];
    // The VMs powered off for THIS host's maintenance (their last maintenance stop was sent here).
    const flagged = await c.db.vm.findMany({ where: { restartOnMaintenanceExit: true, power: "stopped" }, orderBy: { name: "asc" } });
    const vms: typeof flagged = [];
    for (const vm of flagged) {
      const stop = await c.db.agentCommand.findFirst({ where: { vmId: vm.id, kind: "stop-vm" }, orderBy: { createdAt: "desc" }, select: { hostId: true, payload: true } });
      if (stop && stop.hostId === hostId && (JSON.parse(stop.payload) as { reason?: string }).reason === "maintenance") vms.push(vm);
    }
    const snap = await c.snapshot();
    for (const vm of vms) {
      const out = placeVm(snap, vm.id, { purpose: "power-on", ignoreReserve: true, excludeHostIds: c.unavailableHostIds() });
      if (out.kind === "placed") {
        await c.runTx((tx, s) => c.applyPlacement(tx, s, snap, out, { purpose: "maintenance-exit", incidentId: null, attempt: 1, avoid: [], note: `${host.name} left maintenance` }));
        restarted.push(vm.name);
      } else {
        await c.runTx((tx, s) => c.markPending(tx, s, snap, vm.id, out.reasons, { incidentId: null, failedHostId: hostId, alert: true }));
        waiting.push(vm.name);
      }
    }
    return { hostId, restarted, waiting };
  });
}
