// High availability: the failover plan for failed hosts, local restart (eligibility: eligibility.ts).
import type { ClusterSnapshot, FailoverPlan, HaPriority, PlacementOutcome, SnapshotVm } from "./types";
import { buildCapacity, Capacity, type Placed, type Unplaceable } from "./capacity";
import { compareStr } from "./tags";

export const PRIORITY_RANK: Record<HaPriority, number> = { high: 0, medium: 1, low: 2, off: 3 };

export { haEligibility, eligibilityOf } from "./eligibility";

type Order = "largest" | "smallest";

/** Restart-order key: priority, then scarcest device pool, then largest (or smallest: an alternative tried when VMs are left over). */
export function failoverOrder(cap: Capacity, vms: SnapshotVm[], order: Order = "largest", scarceFirst = true): SnapshotVm[] {
  const scarcity = new Map<string, number>();
  const poolFree = new Map<number, number>();
  for (const vm of vms) {
    let s = Infinity;
    for (const nd of cap.needsOf(vm).pools) {
      let f = poolFree.get(nd.poolId);
      if (f === undefined) poolFree.set(nd.poolId, (f = cap.poolFreeUsable(nd.poolId)));
      if (f < s) s = f;
    }
    if (cap.needsOf(vm).unknown.length) s = -1;
    scarcity.set(vm.id, scarceFirst ? s : 0);
  }
  // Size: the VM's dominant share of an average usable host (vCPU or memory, whichever is larger).
  let cpu = 0;
  let mem = 0;
  let n = 0;
  for (const hc of cap.hosts) {
    if (!hc.usable) continue;
    cpu += hc.cpuCap;
    mem += hc.memCap;
    n++;
  }
  const avgCpu = n && cpu ? cpu / n : 1;
  const avgMem = n && mem ? mem / n : 1;
  const size = new Map(vms.map((vm) => [vm.id, Math.max(vm.vcpus / avgCpu, vm.memoryMiB / avgMem)]));
  const dir = order === "largest" ? 1 : -1;
  return [...vms].sort(
    (a, b) =>
      PRIORITY_RANK[a.haPriority] - PRIORITY_RANK[b.haPriority] ||
      scarcity.get(a.id)! - scarcity.get(b.id)! ||
      dir * (size.get(b.id)! - size.get(a.id)!) ||
      dir * (b.memoryMiB - a.memoryMiB) ||
      dir * (b.vcpus - a.vcpus) ||
      compareStr(a.name, b.name) ||
      compareStr(a.id, b.id),
  );
}

const STRATEGIES: { order: Order; pack: boolean; scarceFirst: boolean; label: string }[] = [
  { order: "largest", pack: false, scarceFirst: true, label: "" },
  { order: "largest", pack: true, scarceFirst: true, label: "packing hosts (best fit)" },
  { order: "smallest", pack: false, scarceFirst: true, label: "smallest VMs first within each priority" },
  { order: "smallest", pack: true, scarceFirst: true, label: "smallest VMs first within each priority, packing hosts" },
  { order: "smallest", pack: true, scarceFirst: false, label: "smallest VMs first within each priority (devices not first), packing hosts" },
  { order: "largest", pack: true, scarceFirst: false, label: "largest VMs first within each priority (devices not first), packing hosts" },
];

function runStrategy(cap: Capacity, movers: SnapshotVm[], failedList: string[], explain: boolean, st: (typeof STRATEGIES)[number], quiet = false, improve = true) {
  const placements: Placed[] = [];
  const unplaceable: Unplaceable[] = [];
  const packing = cap.packing;
  cap.packing = st.pack;
  try {
    for (const vm of failoverOrder(cap, movers, st.order, st.scarceFirst)) {
      const out = cap.place(vm, { purpose: "ha", ignoreReserve: true, excludeHostIds: failedList, explain, quiet });
      if (out.kind === "placed") {
        cap.commit(out);
        placements.push(out);
      } else {
        unplaceable.push(out);
      }
    }
    if (unplaceable.length && improve) {
      repairByMoving(cap, failedList, placements, unplaceable);
      swapOut(cap, failedList, placements, unplaceable);
    }
  } finally {
    cap.packing = packing;
  }
  return { placements, unplaceable };
}

/**
 * Local search: take one restarted VM back out, place the left-over VMs (highest priority first)
 * and put it back if it still fits; keep the change only when it restarts more VMs by priority
 * (more high, else as many high and more medium, …).
 */
function swapOut(cap: Capacity, failedList: string[], placements: Placed[], unplaceable: Unplaceable[]): void {
  const rank = (id: string) => PRIORITY_RANK[cap.vmById.get(id)!.haPriority];
  let improved = true;
  let rounds = 0;
  while (improved && unplaceable.length > 0 && rounds++ < 4) {
    improved = false;
    const leftovers = [...unplaceable].sort((a, b) => rank(a.vmId) - rank(b.vmId));
    for (let i = placements.length - 1; i >= 0 && !improved; i--) {
      const out = cap.vmById.get(placements[i].vmId)!;
      const mark = cap.mark();
      cap.release(out.id);
      const got: Placed[] = [];
      const delta = [0, 0, 0, 0];
      for (const u of leftovers) {
        const p = cap.place(u.vmId, { purpose: "ha", ignoreReserve: true, excludeHostIds: failedList, explain: false });
        if (p.kind === "placed") {
          cap.commit(p);
          got.push(p);
          delta[rank(p.vmId)]++;
        }
      }
      if (!got.length) {
        cap.rollback(mark);
        continue;
      }
      const back = cap.place(out, { purpose: "ha", ignoreReserve: true, excludeHostIds: failedList, explain: false });
      if (back.kind === "placed") cap.commit(back);
      else delta[PRIORITY_RANK[out.haPriority]]--;
      const firstNonZero = delta.find((d) => d !== 0) ?? 0;
      if (firstNonZero <= 0) {
        cap.rollback(mark);
        continue;
      }
      cap.unmark();
      const gotIds = new Set(got.map((g) => g.vmId));
      placements.splice(i, 1);
      if (back.kind === "placed") placements.push(back);
      placements.push(...got);
      for (let k = unplaceable.length - 1; k >= 0; k--) if (gotIds.has(unplaceable[k].vmId)) unplaceable.splice(k, 1);
      if (back.kind !== "placed") {
        const why = cap.place(out, { purpose: "ha", ignoreReserve: true, excludeHostIds: failedList, explain: true });
        const note = `left out so that ${got.map((g) => cap.vmById.get(g.vmId)!.name).join(", ")} could restart instead (more VMs restarted by priority)`;
        unplaceable.push(
          why.kind === "unplaceable"
            ? { ...why, reasons: [...why.reasons, note] }
            : { kind: "unplaceable", vmId: out.id, reasons: [note], rejections: [] },
        );
      }
      improved = true;
    }
  }
}

/** Placed VMs per priority, compared high first. */
function better(cap: Capacity, a: Placed[], b: Placed[]): boolean {
  const count = (ps: Placed[]) => {
    const c = [0, 0, 0, 0];
    for (const p of ps) c[PRIORITY_RANK[cap.vmById.get(p.vmId)!.haPriority]]++;
    return c;
  };
  const ca = count(a);
  const cb = count(b);
  for (let i = 0; i < 4; i++) if (ca[i] !== cb[i]) return ca[i] > cb[i];
  return false;
}

/** The failover plan for a set of failed hosts, placed against capacity `cap` (which is left committed). */
export function planFailoverOn(
  cap: Capacity,
  failedHostIds: string[],
  opts: { explain?: boolean; quiet?: boolean; /** VMs left out of the plan, with why (Guarantee: VMs it cannot protect). */ skip?: ReadonlyMap<string, string> } = {},
): FailoverPlan {
  const failed = new Set(failedHostIds);
  for (const id of failed) cap.setUsable(id, false);
  const snapshot = cap.snapshot;
  const skipped: FailoverPlan["skipped"] = [];
  const movers: SnapshotVm[] = [];
  const victims: SnapshotVm[] = [];
  for (const id of failed) {
    const idx = cap.hostIdxById.get(id);
    if (idx === undefined) continue;
    for (const vm of cap.hosts[idx].vms) victims.push(vm);
  }
  victims.sort((a, b) => compareStr(a.name, b.name) || compareStr(a.id, b.id));
  for (const vm of victims) {
    if (snapshot.policy.haMode === "disabled") skipped.push({ vmId: vm.id, reason: "HA is disabled for the cluster" });
    else if (vm.haPriority === "off") skipped.push({ vmId: vm.id, reason: "HA priority is off" });
    else if (vm.power === "stopping") skipped.push({ vmId: vm.id, reason: "it was being stopped when its host failed" });
    else if (opts.skip?.has(vm.id)) skipped.push({ vmId: vm.id, reason: opts.skip.get(vm.id)! });
    else movers.push(vm);
  }
  const failedList = [...failed].sort(compareStr);
  const explain = opts.explain ?? false;
  const quiet = opts.quiet ?? false;
  const start = cap.mark();
  const first = runStrategy(cap, movers, failedList, explain, STRATEGIES[0], quiet, false);
  if (first.unplaceable.length === 0) {
    cap.unmark();
    return { failedHostIds: failedList, placements: first.placements, unplaceable: first.unplaceable, skipped };
  }
  // Some VMs are left over. If any of them could fit somewhere before this plan took capacity,
  // local search and other orders or scoring may restart more VMs (by priority): keep the best.
  cap.rollback(start);
  const leftovers = first.unplaceable.map((u) => cap.vmById.get(u.vmId)!);
  const couldFit = leftovers.some((vm) => cap.place(vm, { purpose: "ha", ignoreReserve: true, excludeHostIds: failedList, explain: false, quiet: true }).kind === "placed");
  if (!couldFit) {
    const again = runStrategy(cap, movers, failedList, explain, STRATEGIES[0], quiet, false);
    return { failedHostIds: failedList, placements: again.placements, unplaceable: again.unplaceable, skipped };
  }
  let best = -1;
  let bestPlacements = first.placements;
  for (let k = 0; k < STRATEGIES.length; k++) {
    const m = cap.mark();
    const alt = runStrategy(cap, movers, failedList, false, STRATEGIES[k], true, true);
    cap.rollback(m);
    if (best < 0 || better(cap, alt.placements, bestPlacements)) {
      best = k;
      bestPlacements = alt.placements;
    }
  }
  const chosen = runStrategy(cap, movers, failedList, explain, STRATEGIES[best], quiet, true);
  if (best > 0) {
    const note = `restart order and scoring: ${STRATEGIES[best].label} (restarts more VMs than the default order)`;
    for (const p of chosen.placements) p.reasons = [...p.reasons, note];
  }
  return { failedHostIds: failedList, placements: chosen.placements, unplaceable: chosen.unplaceable, skipped };
}

/**
 * Second pass for VMs left without a host: try to make room by moving one VM restarted by this
 * plan (never a VM of a healthy host) to another host. Only a strict gain is kept.
 */
function repairByMoving(cap: Capacity, failedList: string[], placements: Placed[], unplaceable: Unplaceable[]): void {
  for (let u = 0; u < unplaceable.length; u++) {
    const vm = cap.vmById.get(unplaceable[u].vmId)!;
    for (let i = 0; i < placements.length; i++) {
      const moved = placements[i];
      const mv = cap.vmById.get(moved.vmId)!;
      const mark = cap.mark();
      cap.release(mv.id);
      const first = cap.place(vm, { purpose: "ha", ignoreReserve: true, excludeHostIds: failedList, onlyHostIds: [moved.hostId], explain: false });
      if (first.kind === "placed") {
        cap.commit(first);
        const again = cap.place(mv, { purpose: "ha", ignoreReserve: true, excludeHostIds: failedList, explain: false });
        if (again.kind === "placed") {
          cap.commit(again);
          cap.unmark();
          placements[i] = { ...again, reasons: [...again.reasons, `moved from ${moved.hostName} to make room for ${vm.name}`] };
          placements.push({ ...first, reasons: [...first.reasons, `room made by restarting ${mv.name} on ${again.hostName} instead of ${moved.hostName}`] });
          unplaceable.splice(u, 1);
          u--;
          break;
        }
      }
      cap.rollback(mark);
    }
  }
}

/**
 * The failover plan for a set of failed hosts: only their HA VMs move, highest priority first.
 * `excludeHostIds`: further hosts that must not receive VMs (e.g. where starts keep failing);
 * their own VMs stay. `explain`: rejection reasons of every host for placed VMs too.
 */
export function planFailover(snapshot: ClusterSnapshot, failedHostIds: string[], opts: { excludeHostIds?: string[]; explain?: boolean } = {}): FailoverPlan {
  const cap = buildCapacity(snapshot, { excludeHostIds: [...failedHostIds, ...(opts.excludeHostIds ?? [])] });
  return planFailoverOn(cap, failedHostIds, { explain: opts.explain ?? false });
}

/** A VM crashed on a healthy host: restart it there if it fits, else elsewhere. */
export function planLocalRestart(snapshot: ClusterSnapshot, vmId: string): PlacementOutcome {
  const cap = buildCapacity(snapshot);
  const vm = cap.vmById.get(vmId);
  if (!vm) return { kind: "unplaceable", vmId, reasons: [`VM ${vmId} is not in the cluster`], rejections: [] };
  const own = vm.hostId ? cap.hosts[cap.hostIdxById.get(vm.hostId) ?? -1] : undefined;
  let localWhy: string[] = [];
  if (own) {
    const local = cap.place(vm, { purpose: "local-restart", ignoreReserve: true, onlyHostIds: [own.host.id], explain: true });
    if (local.kind === "placed") return { ...local, reasons: [`restart on its own host ${own.host.name}`, ...local.reasons] };
    localWhy = local.rejections.flatMap((r) => r.reasons);
  }
  const elsewhere = cap.place(vm, {
    purpose: "local-restart",
    ignoreReserve: true,
    excludeHostIds: own ? [own.host.id] : [],
    explain: true,
  });
  const prefix = own ? [`cannot restart on its own host ${own.host.name}: ${localWhy.join("; ") || "not a candidate"}`] : [];
  if (elsewhere.kind === "placed") return { ...elsewhere, reasons: [...prefix, ...elsewhere.reasons] };
  return { ...elsewhere, reasons: [...prefix, ...elsewhere.reasons] };
}
