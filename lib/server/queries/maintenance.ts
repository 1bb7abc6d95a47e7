import "server-only";
// A host's maintenance as it happens: the plan recorded when it was entered (maintenance-entered
// event), each VM's current power state and the events since (migrated, stopped, planned, running),
// and after the exit the restarts of the VMs that were powered off for it.
import { getDb, type Db } from "@/lib/server/db";
import { parseJson } from "./params";

export type MaintenanceAction = "migrate" | "power-off" | "rebuild";
export type MaintenanceStepState = "waiting" | "in-progress" | "done" | "failed";

export interface MaintenanceVm {
  vmId: string;
  vmName: string;
  action: MaintenanceAction;
  /** Target host of a migration or rebuild. */
  target: string | null;
  reason: string | null;
  power: string;
  host: { id: string; name: string } | null;
  state: MaintenanceStepState;
  /** What happened, newest last: "Live-migrated to kvm-a02 (+3.1 s)". */
  steps: { label: string; at: string; offsetS: number }[];
  /** A power-off VM restarted after the exit. */
  restarted: "no" | "pending" | "running";
}

export interface MaintenanceProgress {
  hostId: string;
  hostState: string;
  enteredAt: string | null;
  exitedAt: string | null;
  by: string | null;
  vms: MaintenanceVm[];
  counts: { migrations: number; migrated: number; powerOffs: number; stopped: number; rebuilds: number; rebuilt: number; restarted: number };
  /** True while a VM of the plan is still moving (or restarting after the exit). */
  active: boolean;
}

const STEP_LABEL: Record<string, (d: Record<string, unknown> | null, msg: string) => string> = {
  "vm-migrate-sent": (d) => `Live migration to ${d?.to ?? "?"} started`,
  "vm-migrated": (d) => `Live-migrated to ${d?.to ?? "?"}`,
  "vm-migration-failed": (_d, m) => m,
  "vm-stop-sent": () => "Power-off sent",
  "vm-stopped": () => "Powered off",
  "vm-stop-failed": (_d, m) => m,
  "vm-planned": (d) => `Planned on ${d?.to ?? "?"}`,
  "vm-start-sent": () => "Start sent",
  "vm-start-queued": () => "Start queued (waits for the stop)",
  "vm-running": () => "Running",
  "vm-start-failed": (_d, m) => m,
  "vm-unplaceable": (_d, m) => m,
};

/** The host's latest maintenance (entered, maybe exited) with each VM's progress; null when the host never entered one. */
export async function getMaintenanceProgress(hostId: string, db: Db = getDb()): Promise<MaintenanceProgress | null> {
  const host = await db.host.findUnique({ where: { id: hostId }, select: { id: true, state: true } });
  if (!host) return null;
  const entered = await db.event.findFirst({ where: { hostId, kind: "maintenance-entered" }, orderBy: [{ at: "desc" }, { id: "desc" }] });
  if (!entered) return { hostId, hostState: host.state, enteredAt: null, exitedAt: null, by: null, vms: [], counts: { migrations: 0, migrated: 0, powerOffs: 0, stopped: 0, rebuilds: 0, rebuilt: 0, restarted: 0 }, active: false };
  const exited = await db.event.findFirst({ where: { hostId, kind: "maintenance-exited", at: { gte: entered.at } }, orderBy: { at: "desc" } });
  const plan = parseJson<{
    migrations?: { vmId: string; toHostId: string; reasons?: string[] }[];
    powerOffs?: { vmId: string; reason: string }[];
    rebuilds?: { vmId: string; to: string }[];
  }>(entered.data) ?? {};
  const items: { vmId: string; action: MaintenanceAction; targetId?: string; target?: string; reason?: string }[] = [
    ...(plan.migrations ?? []).map((m) => ({ vmId: m.vmId, action: "migrate" as const, targetId: m.toHostId, reason: m.reasons?.[0] })),
    ...(plan.powerOffs ?? []).map((p) => ({ vmId: p.vmId, action: "power-off" as const, reason: p.reason })),
    ...(plan.rebuilds ?? []).map((r) => ({ vmId: r.vmId, action: "rebuild" as const, target: r.to })),
  ];
  const vmIds = items.map((i) => i.vmId);
  const [vms, events, hosts] = await Promise.all([
    vmIds.length ? db.vm.findMany({ where: { id: { in: vmIds } }, select: { id: true, name: true, power: true, host: { select: { id: true, name: true } } } }) : [],
    vmIds.length
      ? db.event.findMany({ where: { vmId: { in: vmIds }, at: { gte: entered.at } }, orderBy: [{ at: "asc" }, { id: "asc" }], take: 5000, select: { vmId: true, kind: true, at: true, data: true, message: true } })
      : [],
    db.host.findMany({ where: { id: { in: items.map((i) => i.targetId).filter((x): x is string => !!x) } }, select: { id: true, name: true } }),
  ]);
  const vmById = new Map(vms.map((v) => [v.id, v]));
  const hostName = new Map(hosts.map((h) => [h.id, h.name]));
  const t0 = entered.at.getTime();
  const exitAt = exited?.at.getTime() ?? Infinity;
  const out: MaintenanceVm[] = [];
  for (const it of items) {
    const vm = vmById.get(it.vmId);
    if (!vm) continue;
    const evs = events.filter((e) => e.vmId === it.vmId);
    const steps = evs
      .filter((e) => STEP_LABEL[e.kind])
      .map((e) => ({ label: STEP_LABEL[e.kind](parseJson<Record<string, unknown>>(e.data), e.message), at: e.at.toISOString(), offsetS: Math.round((e.at.getTime() - t0) / 100) / 10 }));
    let state: MaintenanceStepState = "in-progress";
    let restarted: MaintenanceVm["restarted"] = "no";
    if (it.action === "migrate") {
      if (evs.some((e) => e.kind === "vm-migrated")) state = "done";
      else if (evs.some((e) => e.kind === "vm-migration-failed")) state = "failed";
      else if (vm.power !== "migrating") state = vm.host?.id !== hostId ? "done" : "failed";
    } else if (it.action === "power-off") {
      const stopped = evs.some((e) => e.kind === "vm-stopped" && e.at.getTime() < exitAt);
      if (stopped || vm.power === "stopped") state = "done";
      if (evs.some((e) => e.kind === "vm-stop-failed")) state = "failed";
      if (exited) {
        const ranAfter = evs.some((e) => e.kind === "vm-running" && e.at.getTime() >= exitAt);
        restarted = ranAfter || (vm.power === "running" && stopped) ? "running" : ["starting", "pending"].includes(vm.power) ? "pending" : "no";
      }
    } else {
      if (evs.some((e) => e.kind === "vm-running")) state = "done";
      else if (evs.some((e) => e.kind === "vm-start-failed" || e.kind === "vm-unplaceable")) state = "failed";
    }
    out.push({
      vmId: vm.id,
      vmName: vm.name,
      action: it.action,
      target: it.target ?? (it.targetId ? (hostName.get(it.targetId) ?? null) : null),
      reason: it.reason ?? null,
      power: vm.power,
      host: vm.host,
      state,
      steps,
      restarted,
    });
  }
  const c = (a: MaintenanceAction, done?: boolean) => out.filter((v) => v.action === a && (done === undefined || v.state === "done")).length;
  const counts = {
    migrations: c("migrate"),
    migrated: c("migrate", true),
    powerOffs: c("power-off"),
    stopped: c("power-off", true),
    rebuilds: c("rebuild"),
    rebuilt: c("rebuild", true),
    restarted: out.filter((v) => v.restarted === "running").length,
  };
  const moving = out.some((v) => v.state === "in-progress" || ["starting", "stopping", "migrating"].includes(v.power) || v.restarted === "pending");
  const by = /\(([^)]+)\)/.exec(entered.message)?.[1] ?? null;
  return {
    hostId,
    hostState: host.state,
    enteredAt: entered.at.toISOString(),
    exitedAt: exited?.at.toISOString() ?? null,
    by,
    vms: out,
    counts,
    active: moving,
  };
}
