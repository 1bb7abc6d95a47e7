import "server-only";
// Maintenance: the engine's evacuation plan, persisted and executed. Standard VMs live-migrate;
// device VMs are powered off (planned) and started again on exit — or rebuilt elsewhere when asked.
import { planEvacuation, placeVm } from "@/lib/engine";
import { AppError } from "@/lib/server/errors";
import { getController, type HaController } from "./controller";
import { applyPlacement, markPending, requestPowerOff, startMigration } from "./executor";

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
        await startMigration(c.ctx, tx, s, vm, hostId, { id: m.toHostId, name: to.name }, { ips: vm.ipLeases.map((l) => l.address) }, at);
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
        await requestPowerOff(c.ctx, tx, s, { ...vm, hostId }, "maintenance", { restartOnMaintenanceExit: true, powerSince: at });
        await s.sink.record(tx, { at, kind: "vm-stop-sent", vmId: vm.id, hostId, message: `${vm.name} is powered off for maintenance: ${p.reason}`, data: { reason: "maintenance" } });
      }
      for (const r of plan.rebuilds) {
        await applyPlacement(c.ctx, tx, s, snap, r, { purpose: "power-on", incidentId: null, attempt: 1, avoid: [hostId], stopFirstOn: hostId, stopReason: "maintenance", note: "maintenance rebuild" });
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
    const others = snap.hosts.filter((h) => h.id !== hostId).map((h) => h.id);
    for (const vm of vms) {
      // Home first: its devices are on this host; elsewhere only when it no longer fits here.
      let out = placeVm(snap, vm.id, { purpose: "power-on", ignoreReserve: true, excludeHostIds: [...others, ...c.unavailableHostIds()] });
      if (out.kind !== "placed") out = placeVm(snap, vm.id, { purpose: "power-on", ignoreReserve: true, excludeHostIds: c.unavailableHostIds() });
      if (out.kind === "placed") {
        await c.runTx((tx, s) => applyPlacement(c.ctx, tx, s, snap, out, { purpose: "maintenance-exit", incidentId: null, attempt: 1, avoid: [], note: `${host.name} left maintenance` }));
        restarted.push(vm.name);
      } else {
        await c.runTx((tx, s) => markPending(c.ctx, tx, s, snap, vm.id, out.reasons, { incidentId: null, failedHostId: hostId, alert: true }));
        waiting.push(vm.name);
      }
    }
    // Standard VMs this maintenance live-migrated away go back (unless failback is off).
    await (await import("./failback")).failbackAfterMaintenance(c, hostId);
    return { hostId, restarted, waiting };
  });
}

/**
 * An admin confirms that a silent (unreachable or failed) host is powered off — like the "host is
 * down" confirmation of other consoles. Acts at once, even before the failure timeout: VMs of
 * unknown state there are known off, HA VMs are rebuilt elsewhere, the others are stopped and may
 * be powered on elsewhere. The caller audits it (its warning names the VMs: `vms`).
 */
export async function confirmHostPoweredOff(hostId: string, opts: { by?: string } = {}, ctl?: HaController | null): Promise<{ hostId: string; host: string; vms: string[] }> {
  const c = requireController(ctl);
  return c.exclusive(() => c.confirmPoweredOffLocked(hostId, opts.by));
}

/** An admin retries a VM in `error` (restart policy spent): its policy starts afresh. */
export async function retryVm(vmId: string, opts: { by?: string } = {}, ctl?: HaController | null): Promise<{ vmId: string; power: string }> {
  const c = requireController(ctl);
  return c.exclusive(() => c.retryVmLocked(vmId, opts.by));
}

/** A device failed or is healthy again (GPU name, or NIC name for all its VFs). */
export async function setDeviceHealth(hostId: string, device: string, healthy: boolean, ctl?: HaController | null): Promise<{ device: string; affected: string[] }> {
  const c = requireController(ctl);
  return c.exclusive(() => c.setDeviceHealthLocked(hostId, device, healthy));
}

/**
 * An admin live-migrates a running VM to a host. Refused (the VM stays put) for a VM with
 * passthrough GPUs, vGPUs or VFs (no live migration), a VM not running, or a target that does not
 * fit it (every placement rule: room, affinity, groups, zone). The VM is marked placedByAdmin:
 * failback leaves it there until its next failover.
 */
export async function migrateVm(vmId: string, toHostId: string, opts: { by?: string } = {}, ctl?: HaController | null): Promise<{ vmId: string; from: string; to: string }> {
  const c = requireController(ctl);
  return c.exclusive(async () => {
    const vm = await c.db.vm.findUnique({ where: { id: vmId }, include: { ipLeases: true, deviceRequests: true } });
    if (!vm) throw new AppError("NOT_FOUND", `VM ${vmId} not found`);
    const to = await c.db.host.findUnique({ where: { id: toHostId } });
    if (!to) throw new AppError("NOT_FOUND", `Host ${toHostId} not found`);
    const refuse = async (why: string) => {
      await c.runTx(async (tx, s) => {
        await s.sink.record(tx, { at: new Date(c.clock.now()), kind: "vm-migrate-refused", vmId, hostId: vm.hostId, message: `${vm.name} live migration to ${to.name} refused: ${why}`, data: { to: to.name, by: opts.by ?? null } });
      });
      return new AppError("CONFLICT", `${vm.name} cannot live-migrate to ${to.name}: ${why}`);
    };
    if (vm.deviceRequests.length > 0) throw await refuse("it uses passthrough GPUs, vGPUs or SR-IOV VFs, which cannot live-migrate");
    if (vm.power !== "running" || !vm.hostId) throw await refuse(`it is ${vm.power}, not running`);
    if (vm.hostId === toHostId) throw await refuse(`it already runs on ${to.name}`);
    const from = vm.hostId;
    const fromName = c.hostName(from) ?? from;
    const snap = await c.snapshot();
    const sv = snap.vms.find((v) => v.id === vmId);
    if (!sv) throw new AppError("NOT_FOUND", `VM ${vmId} not found`);
    // Judge the target alone, the VM as if it were not running anywhere.
    sv.hostId = null;
    sv.power = "stopped";
    sv.allocations = [];
    const out = placeVm(snap, vmId, { purpose: "power-on", ignoreReserve: c.haMode !== "guarantee", excludeHostIds: snap.hosts.filter((h) => h.id !== toHostId).map((h) => h.id) });
    if (out.kind !== "placed") {
      const rej = out.rejections.find((r) => r.hostId === toHostId);
      throw await refuse((rej?.reasons ?? out.reasons).join("; ") || "the host does not fit it");
    }
    const at = new Date(c.clock.now());
    await c.runTx(async (tx, s) => {
      await startMigration(
        c.ctx,
        tx,
        s,
        vm,
        from,
        { id: toHostId, name: to.name },
        { ips: vm.ipLeases.map((l) => l.address), ...(vm.keepRunningWhenIsolated ? { keepRunningWhenIsolated: true } : {}) },
        at,
        { placedByAdmin: true },
      );
      await s.sink.record(tx, {
        at,
        kind: "vm-migrate-sent",
        vmId,
        hostId: from,
        message: `${vm.name} live-migrates ${fromName} → ${to.name}${opts.by ? ` (asked by ${opts.by})` : ""}: ${out.reasons.join("; ")}`,
        data: { to: to.name, reasons: out.reasons, by: opts.by ?? null, admin: true },
      });
    });
    c.notifyChanged({ capacity: true, inventory: false });
    return { vmId, from: fromName, to: to.name };
  });
}
