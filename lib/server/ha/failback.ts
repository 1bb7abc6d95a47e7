import "server-only";
// Failback: standard VMs running below a better-ranked host of their vm-host group's `hostOrder`
// live-migrate back up the order (the engine's planFailback), rate-limited; and, at maintenance
// exit, the standard VMs maintenance live-migrated away go back to the host they left.
//
// Runs inside the controller's lock (from stepInner, or from exitMaintenance's exclusive block):
// it never calls `exclusive` itself. Uses only the controller's public face.
import { planFailback, placeVm, type ClusterSnapshot } from "@/lib/engine";
import type { HaController, HaScope } from "./controller";
import { startMigration } from "./executor";

type Tx = Parameters<Parameters<HaController["runTx"]>[0]>[0];

export interface FailbackRunOptions {
  /** Live migrations per pass (the engine's maxMoves). Default 2. */
  maxMoves?: number;
  /** A host takes part (as source or target) in at most one failback migration per this window. Default 30 s. */
  perHostIntervalMs?: number;
  /** Passes are spaced by at least this much (a pass loads a snapshot). Default 10 s. */
  passIntervalMs?: number;
}

export const FAILBACK_DEFAULTS = { maxMoves: 2, perHostIntervalMs: 30_000, passIntervalMs: 10_000 } as const;

export interface FailbackResult {
  ran: boolean;
  moved: { vmId: string; vm: string; from: string; to: string }[];
}

/** Per-controller memory (the controller instance is the key: a restarted controller starts afresh). */
interface FailbackState {
  lastPass: number;
  /** host id → when it last took part in a failback migration. */
  hostMovedAt: Map<string, number>;
}
const states = new WeakMap<HaController, FailbackState>();

function stateOf(ctl: HaController): FailbackState {
  let s = states.get(ctl);
  if (!s) {
    s = { lastPass: Number.NEGATIVE_INFINITY, hostMovedAt: new Map() };
    states.set(ctl, s);
  }
  return s;
}

/**
 * One failback pass (call it at the end of each controller step; it decides itself whether a pass
 * is due). Does nothing when the cluster's failback is off and no group opts in, or when no
 * vm-host group ranks its hosts. VMs an admin placed (`placedByAdmin`) stay where they are.
 */
export async function runFailback(ctl: HaController, opts: FailbackRunOptions = {}): Promise<FailbackResult> {
  const o = { ...FAILBACK_DEFAULTS, ...opts };
  const st = stateOf(ctl);
  const now = ctl.clock.now();
  if (now - st.lastPass < o.passIntervalMs) return { ran: false, moved: [] };
  st.lastPass = now;

  const cluster = ctl.clusterId
    ? await ctl.db.cluster.findUnique({ where: { id: ctl.clusterId }, select: { failback: true } })
    : await ctl.db.cluster.findFirst({ select: { failback: true } });
  if (!cluster) return { ran: false, moved: [] };
  const groupWhere = { type: "vm-host", hostOrder: { not: null } } as const;
  const ranking = cluster.failback
    ? await ctl.db.placementGroup.count({ where: { ...groupWhere, OR: [{ failback: null }, { failback: true }] } })
    : await ctl.db.placementGroup.count({ where: { ...groupWhere, failback: true } });
  if (ranking === 0) return { ran: false, moved: [] };

  const recent = new Set([...st.hostMovedAt].filter(([, at]) => now - at < o.perHostIntervalMs).map(([id]) => id));
  const snap = await ctl.snapshot();
  const admin = snap.vms.length ? await ctl.db.vm.findMany({ where: { placedByAdmin: true }, select: { id: true } }) : [];
  // A host that moved a VM recently neither gives nor takes another now.
  const busySources = snap.vms.filter((v) => v.hostId && recent.has(v.hostId)).map((v) => v.id);
  const plan = planFailback(snap, {
    maxMoves: o.maxMoves,
    excludeVmIds: [...admin.map((v) => v.id), ...busySources],
    excludeHostIds: [...ctl.unavailableHostIds(), ...recent],
  });
  const moved: FailbackResult["moved"] = [];
  for (const m of plan.moves) {
    // One move per host per window, also within a pass.
    if (recent.has(m.fromHostId) || recent.has(m.toHostId)) continue;
    const ok = await migrateBack(ctl, snap, m.vmId, m.fromHostId, m.toHostId, "failback", m.reasons);
    if (!ok) continue;
    recent.add(m.fromHostId);
    recent.add(m.toHostId);
    st.hostMovedAt.set(m.fromHostId, now);
    st.hostMovedAt.set(m.toHostId, now);
    moved.push({ vmId: m.vmId, vm: ok.vm, from: ok.from, to: ok.to });
  }
  if (moved.length) ctl.notifyChanged({ capacity: true });
  return { ran: true, moved };
}

/**
 * Live-migrates one running standard VM from `fromHostId` to `toHostId` (one transaction: the VM
 * is `migrating` on the target with a new generation, a `migrate-vm` command goes to the source,
 * an event says why). Returns null when the VM is no longer where the plan saw it.
 */
async function migrateBack(
  ctl: HaController,
  snap: ClusterSnapshot,
  vmId: string,
  fromHostId: string,
  toHostId: string,
  why: "failback" | "maintenance-exit",
  reasons: string[],
): Promise<{ vm: string; from: string; to: string } | null> {
  const hostName = (id: string) => snap.hosts.find((h) => h.id === id)?.name ?? ctl.hostName(id) ?? id;
  const at = new Date(ctl.clock.now());
  return ctl.runTx(async (tx: Tx, s: HaScope) => {
    const vm = await tx.vm.findUnique({ where: { id: vmId }, include: { ipLeases: true, allocations: { select: { id: true } } } });
    if (!vm || vm.power !== "running" || vm.hostId !== fromHostId || vm.placedByAdmin || vm.allocations.length > 0) return null;
    const from = hostName(fromHostId);
    const to = hostName(toHostId);
    await startMigration(ctl.ctx, tx, s, vm, fromHostId, { id: toHostId, name: to }, { ips: vm.ipLeases.map((l) => l.address) }, at);
    const headline = why === "failback" ? `${vm.name} live-migrates back ${from} → ${to} (failback)` : `${vm.name} live-migrates back ${from} → ${to}: ${to} left maintenance`;
    await s.sink.record(tx, {
      at,
      kind: "vm-failback-sent",
      vmId: vm.id,
      hostId: fromHostId,
      message: reasons.length ? `${headline}: ${reasons.join("; ")}` : headline,
      data: { from, to, why, reasons },
    });
    return { vm: vm.name, from, to };
  });
}

export interface MaintenanceReturn {
  vmId: string;
  vm: string;
  fromHostId: string;
}

/**
 * The standard VMs the host's last maintenance live-migrated away that can go back now: still
 * running on the host maintenance sent them to (not moved since, not placed by an admin, no
 * devices), and the host fits them (every placement rule, one after another). Empty when the
 * cluster's failback is off or the host is not online.
 */
export async function selectMaintenanceReturns(ctl: HaController, hostId: string, snap?: ClusterSnapshot): Promise<MaintenanceReturn[]> {
  const host = await ctl.db.host.findUnique({ where: { id: hostId }, select: { state: true, clusterId: true } });
  if (!host || host.state !== "online") return [];
  const cluster = await ctl.db.cluster.findUnique({ where: { id: host.clusterId }, select: { failback: true } });
  if (!cluster?.failback) return [];
  const entered = await ctl.db.event.findFirst({ where: { hostId, kind: "maintenance-entered" }, orderBy: { at: "desc" }, select: { data: true } });
  if (!entered?.data) return [];
  const migrations = ((JSON.parse(entered.data) as { migrations?: { vmId: string; toHostId: string }[] }).migrations ?? []).filter((m) => m?.vmId && m?.toHostId);
  if (!migrations.length) return [];
  const rows = await ctl.db.vm.findMany({
    where: { id: { in: migrations.map((m) => m.vmId) } },
    select: { id: true, name: true, power: true, hostId: true, placedByAdmin: true, _count: { select: { allocations: true } } },
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const s = snap ?? (await ctl.snapshot());
  const out: MaintenanceReturn[] = [];
  const unavailable = ctl.unavailableHostIds();
  if (unavailable.includes(hostId)) return [];
  for (const m of [...migrations].sort((a, b) => (byId.get(a.vmId)?.name ?? "").localeCompare(byId.get(b.vmId)?.name ?? ""))) {
    const vm = byId.get(m.vmId);
    if (!vm || vm.power !== "running" || vm.hostId !== m.toHostId || vm.placedByAdmin || vm._count.allocations > 0) continue;
    const placed = placeVm(s, vm.id, { purpose: "power-on", onlyHostIds: [hostId], ignoreReserve: true });
    if (placed.kind !== "placed") continue;
    // Plan the next against the capacity this one takes.
    const sv = s.vms.find((v) => v.id === vm.id);
    if (sv) sv.hostId = hostId;
    out.push({ vmId: vm.id, vm: vm.name, fromHostId: m.toHostId });
  }
  return out;
}

/**
 * Maintenance exit: live-migrates back the standard VMs the host's maintenance moved away
 * (selectMaintenanceReturns). Call it inside the controller's lock, after the host is online
 * (exitMaintenance: after `c.markHostState(hostId, "online")`, within its exclusive block).
 */
export async function failbackAfterMaintenance(ctl: HaController, hostId: string): Promise<{ vm: string; from: string; to: string }[]> {
  const snap = await ctl.snapshot();
  const returns = await selectMaintenanceReturns(ctl, hostId, structuredClone(snap));
  const moved: { vm: string; from: string; to: string }[] = [];
  for (const r of returns) {
    const ok = await migrateBack(ctl, snap, r.vmId, r.fromHostId, hostId, "maintenance-exit", []);
    if (ok) moved.push(ok);
  }
  if (moved.length) ctl.notifyChanged({ capacity: true });
  return moved;
}
