import "server-only";
// Issue 10's console operations, role-checked and audited like lib/server/ops.ts:
//   operator+: retry a VM in `error` (its restart policy was spent), move a device VM back to its
//              preferred host (power-cycle: off here, on there)
//   admin:     confirm that a silent host is powered off (its `unknown` VMs become stopped and
//              may be started elsewhere; HA VMs that opted out of the isolation response are rebuilt)
// and the reads behind them: the VMs a confirmation affects, the VMs away from their preferred host.
import { z } from "zod";
import { planFailback, type FailbackMove } from "@/lib/engine";
import { getDb, type Db } from "@/lib/server/db";
import { AppError, appErrorFromZod } from "@/lib/server/errors";
import { writeAuditRow, type AuditCtx } from "@/lib/server/audit";
import { actorOf, authorize } from "@/lib/server/auth/principal";
import { ZMaintenanceInput, ZVmPowerInput } from "@/lib/schemas/auth";
import { getController } from "@/lib/server/ha/controller";
import { loadSnapshot } from "@/lib/server/snapshot";
import { control } from "@/lib/server/control/client";

type Ctx = AuditCtx;

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw appErrorFromZod(r.error, "Check the highlighted fields");
  return r.data;
}

const storeOf = (ctx?: Ctx): Db => ctx?.db ?? getController()?.db ?? getDb();

/** Host states whose VMs the console cannot see: a confirmation that the host is off applies. */
export const SILENT_HOST_STATES = ["unreachable", "failed"] as const;

// ------------------------------------------------------------------ retry (error → the HA controller tries again)

export async function retryVmAs(input: unknown, ctx?: Ctx) {
  authorize(ctx, "operator");
  const { vmId } = parse(ZVmPowerInput, input);
  const db = storeOf(ctx);
  const before = await db.vm.findUnique({ where: { id: vmId }, select: { power: true, hostId: true } });
  if (!before) throw new AppError("NOT_FOUND", `VM ${vmId} does not exist`);
  const r = await control("retryVm", vmId, { by: actorOf(ctx).actor });
  await writeAuditRow(db, ctx, "retry-vm", `vm:${vmId}`, before, r);
  return r;
}

// ------------------------------------------------------------------ confirm a silent host is powered off

export interface HostOffImpact {
  hostId: string;
  hostName: string;
  state: string;
  /** The host is silent (unreachable or failed): the confirmation applies. */
  applies: boolean;
  /** VMs the store still places on it, with their state: the warning names them. */
  vms: { id: string; name: string; power: string; haPriority: string; keepRunningWhenIsolated: boolean }[];
}

/** What "this host is powered off" would affect: the VMs still placed on it (for the warning). */
export async function getHostOffImpact(hostId: string, ctx?: Ctx): Promise<HostOffImpact | null> {
  const db = storeOf(ctx);
  const host = await db.host.findUnique({
    where: { id: hostId },
    select: {
      id: true,
      name: true,
      state: true,
      vms: { orderBy: { name: "asc" }, select: { id: true, name: true, power: true, haPriority: true, keepRunningWhenIsolated: true } },
    },
  });
  if (!host) return null;
  return {
    hostId: host.id,
    hostName: host.name,
    state: host.state,
    applies: (SILENT_HOST_STATES as readonly string[]).includes(host.state),
    vms: host.vms.filter((v) => v.power !== "stopped"),
  };
}

/** Admins: confirm a silent host is powered off. Audited with the VMs it affected. */
export async function confirmHostOffAs(input: unknown, ctx?: Ctx) {
  authorize(ctx, "admin");
  const { hostId } = parse(ZMaintenanceInput, input);
  const db = storeOf(ctx);
  const impact = await getHostOffImpact(hostId, ctx);
  if (!impact) throw new AppError("NOT_FOUND", `Host ${hostId} does not exist`);
  if (!impact.applies) throw new AppError("CONFLICT", `${impact.hostName} is ${impact.state}: only an unreachable or failed host can be confirmed powered off`);
  const r = await control("confirmHostOff", hostId, { by: actorOf(ctx).actor });
  await writeAuditRow(db, ctx, "confirm-host-off", `host:${hostId}`, { state: impact.state, vms: impact.vms.map((v) => ({ name: v.name, power: v.power })) }, r);
  return r;
}

// ------------------------------------------------------------------ away from the preferred host

export interface AwayVm {
  vmId: string;
  vmName: string;
  fromHostId: string;
  fromHostName: string;
  toHostId: string;
  toHostName: string;
  /** A device VM: moving back power-cycles it. A standard one live-migrates (failback, or it waits). */
  powerCycle: boolean;
  reasons: string[];
}

/**
 * VMs running below a better-ranked host of their group's order that has room now: device VMs
 * (they move only on request: Move back power-cycles them) and standard VMs failback left where
 * they are (failback off, or waiting for the rate limit).
 */
export async function listVmsAwayFromPreferredHost(ctx?: Ctx): Promise<AwayVm[]> {
  const db = storeOf(ctx);
  // Cheap first: no group ranks its hosts, nothing can be away (no snapshot loaded).
  if ((await db.placementGroup.count({ where: { type: "vm-host", hostOrder: { not: null } } })) === 0) return [];
  const unavailable = await control("unavailableHostIds").catch(() => [] as string[]);
  const snap = await loadSnapshot(db, { unavailableHostIds: unavailable });
  if (!snap.groups.some((g) => g.hostOrder?.length)) return [];
  const plan = planFailback(snap, { maxMoves: 0, excludeHostIds: unavailable });
  const name = (id: string) => snap.hosts.find((h) => h.id === id)?.name ?? id;
  const vmName = (id: string) => snap.vms.find((v) => v.id === id)?.name ?? id;
  const row = (m: FailbackMove, powerCycle: boolean): AwayVm => ({
    vmId: m.vmId,
    vmName: vmName(m.vmId),
    fromHostId: m.fromHostId,
    fromHostName: name(m.fromHostId),
    toHostId: m.toHostId,
    toHostName: m.toHostName,
    powerCycle,
    reasons: m.reasons,
  });
  return [...plan.away.map((m) => row(m, true)), ...plan.disabled.map((m) => row(m, false)), ...plan.deferred.map((m) => row(m, false))].sort((a, b) =>
    a.vmName.localeCompare(b.vmName),
  );
}

export async function getVmAway(vmId: string, ctx?: Ctx): Promise<AwayVm | null> {
  return (await listVmsAwayFromPreferredHost(ctx)).find((a) => a.vmId === vmId) ?? null;
}

const STOP_WAIT_MS = 60_000;

/**
 * Operators: moves a VM back to its preferred host. A device VM cannot live-migrate: it is powered
 * off here and powered on again, and the power-on's placement takes the best-ranked host that has
 * room (its preferred host). A standard VM live-migrates (control op `migrateVm`). Audited.
 */
export async function moveVmBackAs(input: unknown, ctx?: Ctx, opts: { stopWaitMs?: number; pollMs?: number } = {}) {
  authorize(ctx, "operator");
  const { vmId } = parse(ZVmPowerInput, input);
  const db = storeOf(ctx);
  const away = await getVmAway(vmId, ctx);
  if (!away) throw new AppError("CONFLICT", "This VM is not away from its preferred host, or its preferred host has no room now");
  const by = actorOf(ctx).actor;
  let result: { vmId: string; from: string; to: string; powerCycled: boolean };
  if (!away.powerCycle) {
    const r = await control("migrateVm", vmId, away.toHostId, { by });
    result = { vmId, from: r.from, to: r.to, powerCycled: false };
  } else {
    await control("powerOffVm", vmId, { by });
    const until = Date.now() + (opts.stopWaitMs ?? STOP_WAIT_MS);
    for (;;) {
      const vm = await db.vm.findUnique({ where: { id: vmId }, select: { power: true } });
      if (!vm) throw new AppError("NOT_FOUND", `VM ${vmId} does not exist`);
      if (vm.power === "stopped") break;
      if (Date.now() > until) throw new AppError("CONFLICT", `${away.vmName} did not stop within ${Math.round((opts.stopWaitMs ?? STOP_WAIT_MS) / 1000)} s; power it on again when it has stopped`);
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
    }
    const on = await control("powerOnVm", vmId, { by });
    result = { vmId, from: away.fromHostName, to: on.hostName, powerCycled: true };
  }
  await writeAuditRow(db, ctx, "move-vm-back", `vm:${vmId}`, { host: away.fromHostName }, { ...result, preferred: away.toHostName });
  return result;
}
