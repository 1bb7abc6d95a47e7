// Failback: VMs of vm-host groups that rank hosts (`hostOrder`) running below a better-ranked host
// that is online with room now. Standard VMs are live-migrated back (rate-limited); device VMs
// cannot live-migrate, so they are only listed ("away from its preferred host").
import type { ClusterSnapshot, DeviceAllocation, SnapshotPlacementGroup, SnapshotVm } from "./types";
import { buildCapacity, type Capacity, type Placed } from "./capacity";
import { reserveFor } from "./admission";
import { hasDevices } from "./maintenance";
import { PRIORITY_RANK } from "./ha";
import { compareStr } from "./tags";

export interface FailbackMove {
  vmId: string;
  fromHostId: string;
  toHostId: string;
  toHostName: string;
  /** Empty for a standard VM; the device units it would take for a device VM (power-cycle). */
  allocations: DeviceAllocation[];
  reasons: string[];
}

export interface FailbackPlan {
  /** Standard VMs to live-migrate now, at most `maxMoves`, in this order (priority, then name). */
  moves: FailbackMove[];
  /**
   * Device VMs below a better-ranked host that has room now: they cannot live-migrate, so they are
   * moved only on request (powered off here, started there). Listed whatever the failback settings.
   */
  away: FailbackMove[];
  /** Standard VMs that could move back now but wait for a later call: the rate limit was reached. */
  deferred: FailbackMove[];
  /** Standard VMs that could move back but stay: failback is off for the cluster or for their group. */
  disabled: FailbackMove[];
}

export interface FailbackOptions {
  /** Live migrations per call (the rate limit). Default 1. */
  maxMoves?: number;
  /** VMs left where they are (e.g. an admin migrated them there: not undone until their next failover). */
  excludeVmIds?: string[];
  /** Hosts that must not receive VMs now (the controller's unavailable hosts). */
  excludeHostIds?: string[];
}

/** Whether failback applies to the VM: each of its ranking groups says so, or leaves it to the cluster. */
function failbackOn(snapshot: ClusterSnapshot, ranked: SnapshotPlacementGroup[]): { on: boolean; why: string } {
  const cluster = snapshot.policy.failback !== false;
  for (const g of ranked) {
    const on = g.failback ?? cluster;
    if (!on) return { on: false, why: g.failback === false ? `placement group "${g.name}" opts out of failback` : "failback is off for the cluster" };
  }
  return { on: true, why: "" };
}

/**
 * VMs running away from their most preferred host that could move up the host order now.
 * Only VMs that are `running` on an online host, in a vm-host group with `hostOrder`, are
 * considered; the target is the best-ranked host strictly above the current one that fits every
 * placement rule (ties: the score). Moves are planned one after another against the capacity they
 * leave. In Guarantee mode a target must keep the reserve the VM's move leaves it (as a power-on).
 * Deterministic: VMs by HA priority, then name.
 */
export function planFailback(snapshot: ClusterSnapshot, opts: FailbackOptions = {}): FailbackPlan {
  const maxMoves = Math.max(0, opts.maxMoves ?? 1);
  const plan: FailbackPlan = { moves: [], away: [], deferred: [], disabled: [] };
  const cap = buildCapacity(snapshot, { excludeHostIds: opts.excludeHostIds });
  const skip = new Set(opts.excludeVmIds ?? []);
  const guarantee = snapshot.policy.haMode === "guarantee";
  const vms: SnapshotVm[] = snapshot.vms.filter((vm) => {
    if (vm.power !== "running" || !vm.hostId || skip.has(vm.id)) return false;
    const i = cap.hostIdxById.get(vm.hostId);
    return i !== undefined && cap.hosts[i].host.state === "online" && cap.rankedGroups(vm.id).length > 0;
  });
  vms.sort((a, b) => PRIORITY_RANK[a.haPriority] - PRIORITY_RANK[b.haPriority] || compareStr(a.name, b.name) || compareStr(a.id, b.id));
  for (const vm of vms) {
    const found = betterHost(cap, vm, guarantee);
    if (!found) continue;
    const { placed, ...move } = found;
    if (hasDevices(vm)) {
      plan.away.push({
        ...move,
        reasons: [`${vm.name} uses devices and cannot live-migrate: moving it back power-cycles it (off here, started on ${move.toHostName})`, ...move.reasons],
      });
      continue;
    }
    const fb = failbackOn(snapshot, cap.rankedGroups(vm.id));
    if (!fb.on) {
      plan.disabled.push({ ...move, allocations: [], reasons: [`stays: ${fb.why}`, ...move.reasons] });
      continue;
    }
    if (plan.moves.length >= maxMoves) {
      plan.deferred.push({ ...move, allocations: [], reasons: [`waits: at most ${maxMoves} failback migration${maxMoves === 1 ? "" : "s"} per pass`, ...move.reasons] });
      continue;
    }
    cap.commit(placed);
    plan.moves.push({ ...move, allocations: [], reasons: [`live-migrate back to ${move.toHostName}`, ...move.reasons] });
  }
  return plan;
}

/** The best-ranked host above the VM's current one that can take it now, or null. */
function betterHost(cap: Capacity, vm: SnapshotVm, guarantee: boolean): (FailbackMove & { placed: Placed }) | null {
  const ranks = cap.preferenceRanks(vm.id)!;
  const from = cap.hostIdxById.get(vm.hostId!)!;
  const above: string[] = [];
  for (const hc of cap.hosts) if (ranks[hc.idx] < ranks[from] && hc.usable) above.push(hc.host.id);
  if (!above.length) return null;
  // Room at all (cheap), then, in Guarantee mode, the reserve computed with the VM released.
  let out = cap.place(vm, { purpose: "power-on", onlyHostIds: above, ignoreReserve: true, explain: false });
  if (out.kind !== "placed") return null;
  if (guarantee) {
    cap.setReserve(reserveFor(cap, vm.id));
    try {
      out = cap.place(vm, { purpose: "power-on", onlyHostIds: above, explain: false });
    } finally {
      cap.setReserve(null);
    }
    if (out.kind !== "placed") return null;
  }
  const fromName = cap.hosts[from].host.name;
  const groups = cap.rankedGroups(vm.id).map((g) => `"${g.name}"`).join(", ");
  return {
    vmId: vm.id,
    fromHostId: vm.hostId!,
    toHostId: out.hostId,
    toHostName: out.hostName,
    allocations: out.allocations,
    reasons: [`${out.hostName} ranks above ${fromName} in the host order of ${groups} and has room now`, ...out.reasons],
    placed: out,
  };
}
