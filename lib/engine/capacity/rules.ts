// What a VM needs (device pools, named GPUs, tags nobody has) and whether a host may take it:
// host state, room, devices, named GPUs, host affinity, must/should placement groups, preference
// ranks (`hostOrder`) and the Guarantee reserve. Every check can say why in words.
import type { DeviceType, SnapshotHost, SnapshotPlacementGroup, SnapshotVm } from "../types";
import { compareStr } from "../tags";
import { fmtDevices, fmtMem } from "../format";
import type { Capacity, HostCap } from "./index";

/** Per-host amount kept free for failover (Guarantee mode). */
export interface HostReserve {
  cpus: number;
  memoryMiB: number;
  /** poolId → units */
  devices: Map<number, number>;
  /** wording: what the reserve is for */
  why: string;
}

export interface Need {
  poolId: number;
  type: DeviceType;
  tag: string;
  count: number;
}

export interface VmNeeds {
  /** aggregated per pool, in request order of first appearance */
  pools: Need[];
  /** requests naming a passthrough GPU */
  named: { gpuId: string; tag: string }[];
  /** pools asked for that exist nowhere */
  unknown: Need[];
}

export interface RuleCtx {
  hard: SnapshotPlacementGroup[];
  soft: SnapshotPlacementGroup[];
  memberHosts: Map<string, Map<number, number>>;
  affinity: Set<string> | null;
  /** Host preference rank by host index (vm-host groups with `hostOrder`); null when none ranks. */
  rank: Float64Array | null;
  ranked: SnapshotPlacementGroup[];
}

function describeState(state: SnapshotHost["state"]): string {
  switch (state) {
    case "failed":
      return "host is failed";
    case "maintenance":
      return "host is in maintenance";
    case "unreachable":
      return "host is unreachable";
    case "isolated":
      return "host is isolated";
    default:
      return `host is ${state}`;
  }
}

export function needsOf(cap: Capacity, vm: SnapshotVm): VmNeeds {
  const cached = cap.needsCache.get(vm);
  if (cached) return cached;
  const byPool = new Map<number, Need>();
  const unknown: Need[] = [];
  const named: { gpuId: string; tag: string }[] = [];
  for (const d of vm.devices) {
    if (d.count <= 0) continue;
    if (d.type === "gpu" && d.gpuId) {
      for (let i = 0; i < d.count; i++) named.push({ gpuId: d.gpuId, tag: d.tag });
    }
    const id = cap.poolIdByKey.get(`${d.type}|${d.tag}`);
    if (id === undefined) {
      unknown.push({ poolId: -1, type: d.type, tag: d.tag, count: d.count });
      continue;
    }
    const n = byPool.get(id);
    if (n) n.count += d.count;
    else byPool.set(id, { poolId: id, type: d.type, tag: d.tag, count: d.count });
  }
  const needs = { pools: [...byPool.values()], named, unknown };
  cap.needsCache.set(vm, needs);
  return needs;
}

/** Free units of a pool on usable hosts (for scarcity ordering). */
export function poolFreeUsable(cap: Capacity, poolId: number): number {
  let n = 0;
  for (const i of cap.pools[poolId].hostIdxs) {
    const hc = cap.hosts[i];
    if (hc.usable) n += hc.pools.get(poolId)!.free;
  }
  return n;
}

export function describeNeeds(vm: SnapshotVm): string {
  if (!vm.devices.length) return "";
  return ", " + vm.devices.map((d) => fmtDevices(d.type, d.tag, d.count, "") + (d.gpuId ? ` (GPU ${d.gpuId} by name)` : "")).join(", ");
}

/** vm-host groups of the VM that rank hosts (`hostOrder`), sorted by name: they decide before the score. */
export function rankedGroups(cap: Capacity, vmId: string): SnapshotPlacementGroup[] {
  const out: SnapshotPlacementGroup[] = [];
  for (const g of cap.groupsByVm.get(vmId) ?? []) if (g.type === "vm-host" && g.hostOrder && g.hostOrder.length) out.push(g);
  return out.sort((a, b) => compareStr(a.name, b.name) || compareStr(a.id, b.id));
}

/**
 * Preference rank of every host for a VM (lower is preferred), or null when no group ranks
 * hosts. Per group: the position in `hostOrder`; a group host not listed there comes after the
 * listed ones, a host outside the group last. Several ranking groups compare in name order.
 */
export function preferenceRanks(cap: Capacity, vmId: string): Float64Array | null {
  const ranked = rankedGroups(cap, vmId);
  if (!ranked.length) return null;
  const n = cap.hosts.length;
  const out = new Float64Array(n);
  for (const g of ranked) {
    const order = g.hostOrder!;
    const base = order.length + 2;
    const pos = new Map<number, number>();
    for (const id of g.hostIds) {
      const i = cap.hostIdxById.get(id);
      if (i !== undefined) pos.set(i, order.length);
    }
    order.forEach((id, k) => {
      const i = cap.hostIdxById.get(id);
      if (i !== undefined && !(pos.get(i)! < order.length)) pos.set(i, k);
    });
    for (let i = 0; i < n; i++) out[i] = out[i] * base + (pos.get(i) ?? order.length + 1);
  }
  return out;
}

export function ruleContext(cap: Capacity, vm: SnapshotVm): RuleCtx {
  const groups = cap.groupsByVm.get(vm.id) ?? [];
  const hard: SnapshotPlacementGroup[] = [];
  const soft: SnapshotPlacementGroup[] = [];
  let ranks = false;
  for (const g of groups) {
    (g.enforcement === "must" ? hard : soft).push(g);
    if (g.type === "vm-host" && g.hostOrder && g.hostOrder.length) ranks = true;
  }
  const memberHosts = new Map<string, Map<number, number>>();
  for (const g of groups) {
    if (g.type !== "vm-vm-affinity" && g.type !== "vm-vm-anti-affinity") continue;
    const m = new Map<number, number>();
    for (const other of g.vmIds) {
      if (other === vm.id) continue;
      const h = cap.heldOf(other);
      if (!h) continue;
      // Members on hosts that cannot take VMs (failed, excluded, being evacuated) neither attract nor repel.
      if (!cap.hosts[h.hostIdx].usable) continue;
      m.set(h.hostIdx, (m.get(h.hostIdx) ?? 0) + 1);
    }
    memberHosts.set(g.id, m);
  }
  return {
    hard,
    soft,
    memberHosts,
    affinity: vm.hostAffinity.length ? new Set(vm.hostAffinity) : null,
    rank: ranks ? preferenceRanks(cap, vm.id) : null,
    ranked: ranks ? rankedGroups(cap, vm.id) : [],
  };
}

export function groupViolation(cap: Capacity, g: SnapshotPlacementGroup, hc: HostCap, ctx: RuleCtx): string | null {
  switch (g.type) {
    case "vm-host":
      return g.hostIds.includes(hc.host.id) ? null : `placement group "${g.name}" (${g.enforcement}) keeps the VM on other hosts`;
    case "zone":
      return (hc.host.zone ?? null) === (g.zone ?? null)
        ? null
        : `zone policy "${g.name}" (${g.enforcement}) keeps the VM in zone ${g.zone ?? "(none)"}; host is in ${hc.host.zone ?? "no zone"}`;
    case "vm-vm-affinity": {
      const m = ctx.memberHosts.get(g.id)!;
      if (m.size === 0 || m.has(hc.idx)) return null;
      const where = [...m.keys()].map((i) => cap.hosts[i].host.name).sort(compareStr);
      return `affinity group "${g.name}" (${g.enforcement}) runs its VMs together on ${where.join(", ")}`;
    }
    case "vm-vm-anti-affinity": {
      const m = ctx.memberHosts.get(g.id)!;
      const c = m.get(hc.idx) ?? 0;
      return c === 0 ? null : `anti-affinity group "${g.name}" (${g.enforcement}): ${c} other member${c === 1 ? "" : "s"} already here`;
    }
  }
}

/** Whether the host can take the VM; pushes the reasons when `out` is given (stops at the first otherwise). */
export function fits(
  cap: Capacity,
  hc: HostCap,
  vm: SnapshotVm,
  needs: VmNeeds,
  ctx: RuleCtx,
  exclude: Set<string> | null,
  useReserve: boolean,
  out: string[] | null,
): boolean {
  let ok = true;
  if (hc.host.state !== "online") {
    if (!out) return false;
    out.push(describeState(hc.host.state));
    return false;
  }
  if (!hc.usable || (exclude && exclude.has(hc.host.id))) {
    if (!out) return false;
    out.push("host is excluded for this placement");
    return false;
  }
  const freeCpu = hc.cpuCap - hc.cpuUsed;
  const freeMem = hc.memCap - hc.memUsed;
  if (vm.vcpus > freeCpu) {
    if (!out) return false;
    out.push(`not enough vCPU: needs ${vm.vcpus}, ${Math.max(0, freeCpu)} free`);
    ok = false;
  }
  if (vm.memoryMiB > freeMem) {
    if (!out) return false;
    out.push(`not enough memory: needs ${fmtMem(vm.memoryMiB)}, ${fmtMem(Math.max(0, freeMem))} free`);
    ok = false;
  }
  for (const u of needs.unknown) {
    if (!out) return false;
    out.push(`needs ${fmtDevices(u.type, u.tag, u.count)}, has 0 (no host carries this tag)`);
    ok = false;
  }
  for (const nd of needs.pools) {
    const p = hc.pools.get(nd.poolId);
    const free = p ? p.free : 0;
    if (free < nd.count) {
      if (!out) return false;
      out.push(`needs ${fmtDevices(nd.type, nd.tag, nd.count)}, has ${free} (${tagsHere(cap, hc, nd.type)})`);
      ok = false;
    }
  }
  for (const nm of needs.named) {
    const gs = cap.gpuById.get(nm.gpuId);
    if (!gs || gs.hostIdx !== hc.idx) {
      if (!out) return false;
      out.push(`needs GPU ${gs ? gs.gpu.name : nm.gpuId} by name, which is on ${gs ? cap.hosts[gs.hostIdx].host.name : "no host"}`);
      ok = false;
    } else if (gs.vgpu || gs.used > 0) {
      if (!out) return false;
      out.push(gs.vgpu ? `GPU ${gs.gpu.name} is partitioned for vGPU` : `GPU ${gs.gpu.name} is in use by VM ${vmName(cap, gs.holders[0]!)}`);
      ok = false;
    }
  }
  if (ctx.affinity && !ctx.affinity.has(hc.host.id)) {
    if (!out) return false;
    out.push(`host affinity allows only ${[...ctx.affinity].map((id) => hostName(cap, id)).sort(compareStr).join(", ")}`);
    ok = false;
  }
  for (const g of ctx.hard) {
    const v = groupViolation(cap, g, hc, ctx);
    if (v) {
      if (!out) return false;
      out.push(v);
      ok = false;
    }
  }
  if (useReserve && ok) {
    const r = cap.reserve![hc.idx];
    if (r) {
      const cpuAfter = freeCpu - vm.vcpus;
      const memAfter = freeMem - vm.memoryMiB;
      if (cpuAfter < r.cpus || memAfter < r.memoryMiB) {
        if (!out) return false;
        out.push(
          `would break the Guarantee reserve: keeps ${r.cpus} vCPU and ${fmtMem(r.memoryMiB)} free ${r.why}; ${Math.max(0, cpuAfter)} vCPU and ${fmtMem(Math.max(0, memAfter))} would be left`,
        );
        ok = false;
      }
      for (const nd of needs.pools) {
        const keep = r.devices.get(nd.poolId) ?? 0;
        if (!keep) continue;
        const left = hc.pools.get(nd.poolId)!.free - nd.count;
        if (left < keep) {
          if (!out) return false;
          out.push(`would break the Guarantee reserve: keeps ${fmtDevices(nd.type, nd.tag, keep)} ${r.why}; ${Math.max(0, left)} would be left`);
          ok = false;
        }
      }
    }
  }
  return ok;
}

function tagsHere(cap: Capacity, hc: HostCap, type: DeviceType): string {
  const tags: string[] = [];
  for (const [id] of hc.pools) if (cap.pools[id].type === type) tags.push(cap.pools[id].tag);
  const word = type === "gpu" ? "GPU" : type === "vgpu" ? "vGPU" : "NIC";
  return tags.length ? `${word} tags here: ${tags.sort(compareStr).join(", ")}` : `no ${type} devices here`;
}

function vmName(cap: Capacity, id: string): string {
  return cap.vmById.get(id)?.name ?? id;
}

function hostName(cap: Capacity, id: string): string {
  const i = cap.hostIdxById.get(id);
  return i === undefined ? id : cap.hosts[i].host.name;
}
