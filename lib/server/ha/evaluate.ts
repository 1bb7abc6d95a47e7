import "server-only";
// Evaluation, when something changed: storage sessions (the engine's planStorageSessions: a
// redirected path and its fail-back), VM_HA_INELIGIBLE, HA_CAPACITY_INSUFFICIENT (Guarantee mode)
// and STORAGE_PATH_REDIRECTED. Paced on the wall clock (a turn for the event loop between VMs).
import { assessGuarantee, haEligibility, planStorageSessions, type ClusterSnapshot, type SnapshotVm } from "@/lib/engine";
import type { HaContext } from "./context";
import { replaceStorageSessions } from "./executor";

export async function evaluate(ctx: HaContext): Promise<void> {
  const snap = await ctx.snapshot();
  const at = ctx.at();
  await syncStorageSessions(ctx, snap, at);
  // VM_HA_INELIGIBLE for VMs meant to run with HA on.
  const vmById = new Map(snap.vms.map((v) => [v.id, v]));
  const live = (v: SnapshotVm) => ["running", "starting", "pending", "migrating"].includes(v.power);
  for (const e of haEligibility(snap)) {
    await ctx.breathe();
    const vm = vmById.get(e.vmId)!;
    const entity = { type: "vm" as const, id: vm.id, name: vm.name };
    const want = ctx.haMode !== "disabled" && vm.haPriority !== "off" && live(vm) && !e.eligible;
    if (want) {
      await ctx.alerts.raise(ctx.db, {
        kind: "VM_HA_INELIGIBLE",
        entity,
        at,
        hostId: vm.hostId ?? null,
        message: `${vm.name} is not HA-eligible: ${e.reasons.join("; ")}`,
      });
    } else await ctx.alerts.clear(ctx.db, "VM_HA_INELIGIBLE", entity, at);
  }
  const clusterEntity = { type: "cluster" as const, id: ctx.clusterId, name: "cluster" };
  if (ctx.haMode === "guarantee") {
    const g = assessGuarantee(snap);
    if (g.toleratedFailures < g.faultTolerance) {
      const why = g.unabsorbable
        .slice(0, 3)
        .map((u) => `${u.hostIds.map((h) => ctx.hostName(h) ?? h).join("+")}: ${u.reasons.slice(0, 2).join("; ")}`)
        .join(" | ");
      await ctx.alerts.raise(ctx.db, {
        kind: "HA_CAPACITY_INSUFFICIENT",
        entity: clusterEntity,
        at,
        message: `The cluster absorbs ${g.toleratedFailures} host failure(s), its fault tolerance is ${g.faultTolerance}${why ? `: ${why}` : ""}`,
      });
    } else await ctx.alerts.clear(ctx.db, "HA_CAPACITY_INSUFFICIENT", clusterEntity, at);
  } else await ctx.alerts.clear(ctx.db, "HA_CAPACITY_INSUFFICIENT", clusterEntity, at);
}

/** Every storage session row (in pages, with a turn for the event loop between them, when pacing). */
async function storageSessionRows(ctx: HaContext): Promise<{ vmId: string; diskIndex: number; session: number; controllerHostId: string }[]> {
  const select = { id: true, vmId: true, diskIndex: true, session: true, controllerHostId: true } as const;
  if (!ctx.pacer) return ctx.db.storageSession.findMany({ select });
  const out: { id: string; vmId: string; diskIndex: number; session: number; controllerHostId: string }[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await ctx.db.storageSession.findMany({ select, where: cursor ? { id: { gt: cursor } } : {}, orderBy: { id: "asc" }, take: 2000 });
    out.push(...page);
    if (page.length < 2000) return out;
    cursor = page[page.length - 1].id;
    await ctx.pacer.pause();
  }
}

async function syncStorageSessions(ctx: HaContext, snap: ClusterSnapshot, at: Date): Promise<void> {
  // Only VMs on reachable hosts: a host that is down takes its VMs' sessions with it (they are
  // planned anew where the VMs are rebuilt), so no redirection is raised for it.
  const reachableHosts = new Set(snap.hosts.filter((h) => h.state === "online" || h.state === "maintenance").map((h) => h.id));
  const vmOnReachable = new Set(snap.vms.filter((v) => v.hostId && reachableHosts.has(v.hostId)).map((v) => v.id));
  const plans = planStorageSessions(snap).filter((p) => vmOnReachable.has(p.vmId));
  const rows = (await storageSessionRows(ctx)).filter(
    (r) => vmOnReachable.has(r.vmId) || !snap.vms.some((v) => v.id === r.vmId && v.hostId),
  );
  const key = (x: { vmId: string; diskIndex: number; session: number }) => `${x.vmId}|${x.diskIndex}|${x.session}`;
  const have = new Map(rows.map((r) => [key(r), r.controllerHostId]));
  const want = new Map(plans.map((p) => [key(p), p]));
  const changedVms = new Set<string>();
  for (const p of plans) if (have.get(key(p)) !== p.controllerHostId) changedVms.add(p.vmId);
  for (const r of rows) if (!want.has(key(r))) changedVms.add(r.vmId);
  const redirectedHosts = new Set<string>();
  const vmById = new Map(snap.vms.map((v) => [v.id, v]));
  for (const p of plans) if (p.redirected) redirectedHosts.add(vmById.get(p.vmId)?.hostId ?? "");
  if (changedVms.size) {
    await ctx.tx(async (tx, s) => {
      for (const vmId of changedVms) {
        const mine = plans.filter((p) => p.vmId === vmId);
        const wasRemote = rows.some((r) => r.vmId === vmId && r.controllerHostId !== vmById.get(vmId)?.hostId);
        await replaceStorageSessions(tx, vmId, mine);
        const vm = vmById.get(vmId);
        if (!vm || !mine.length) continue;
        const redirected = mine.filter((p) => p.redirected);
        const wasRedirected = ctx.redirectedVms.has(vmId);
        if (redirected.length) ctx.redirectedVms.add(vmId);
        else ctx.redirectedVms.delete(vmId);
        if (redirected.length) {
          await s.sink.record(tx, {
            at,
            kind: "storage-redirected",
            vmId,
            hostId: vm.hostId,
            message: `${vm.name}: ${redirected.length} disk session(s) redirected: ${redirected[0].reason ?? ""}`,
            data: { sessions: redirected.map((p) => ({ disk: p.diskIndex, session: p.session, controller: ctx.hostName(p.controllerHostId) })) },
          });
        } else if (wasRedirected || wasRemote) {
          await s.sink.record(tx, {
            at,
            kind: wasRedirected ? "storage-failed-back" : "storage-sessions-moved",
            vmId,
            hostId: vm.hostId,
            message: wasRedirected
              ? `${vm.name}: disk sessions failed back to the local controller of ${ctx.hostName(vm.hostId)}`
              : `${vm.name}: disk sessions follow it to the controller of ${ctx.hostName(vm.hostId)}`,
          });
        }
      }
    });
  }
  for (const h of ctx.hosts.values()) {
    const entity = { type: "host" as const, id: h.id, name: h.name };
    if (redirectedHosts.has(h.id)) {
      const n = plans.filter((p) => p.redirected && vmById.get(p.vmId)?.hostId === h.id).length;
      await ctx.alerts.raise(ctx.db, {
        kind: "STORAGE_PATH_REDIRECTED",
        entity,
        at,
        message: `${n} disk session(s) of VMs on ${h.name} use a remote storage controller`,
      });
    } else await ctx.alerts.clear(ctx.db, "STORAGE_PATH_REDIRECTED", entity, at);
  }
}

