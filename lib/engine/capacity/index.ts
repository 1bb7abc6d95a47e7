// A mutable capacity index over a cluster snapshot. Devices are counted in pools per
// (host, type, tag), so a request costs O(hosts) whatever the device count. Planners place
// many VMs against shrinking capacity with place() + commit(); placeVm is the one-shot wrapper.
import type {
  ClusterSnapshot,
  DeviceAllocation,
  DeviceType,
  HostRejection,
  PlaceOptions,
  PlacementOutcome,
  PlacementPurpose,
  SnapshotGpu,
  SnapshotHost,
  SnapshotNic,
  SnapshotPlacementGroup,
  SnapshotVm,
} from "./types";
import { compareStr, gpuDeviceTag } from "./tags";
import { fmtDevices, fmtMem, pct } from "./format";

export type Placed = Extract<PlacementOutcome, { kind: "placed" }>;
export type Unplaceable = Extract<PlacementOutcome, { kind: "unplaceable" }>;

export interface CapacityPlaceOptions extends PlaceOptions {
  /** Build every rejected host's reasons even when the VM is placed (explanation view). Default true. */
  explain?: boolean;
  /** Skip the score wording of a placed VM (simulations that only count what fits). */
  quiet?: boolean;
}

export interface GpuState {
  gpu: SnapshotGpu;
  hostIdx: number;
  poolId: number;
  vgpu: boolean;
  /** Holder VM id per unit (one unit for a passthrough GPU, one per slot for vGPU). */
  holders: (string | null)[];
  used: number;
}

export interface NicState {
  nic: SnapshotNic;
  hostIdx: number;
  poolId: number;
  holders: (string | null)[];
  used: number;
}

export interface HostPool {
  poolId: number;
  total: number;
  free: number;
  gpus: GpuState[];
  nics: NicState[];
}

export interface HostCap {
  idx: number;
  host: SnapshotHost;
  /** online and not excluded at build time */
  usable: boolean;
  cpuCap: number;
  memCap: number;
  cpuUsed: number;
  memUsed: number;
  pools: Map<number, HostPool>;
  /** free units over all pools (for the scarce-device rule) */
  freeUnits: number;
  vms: VmList;
}

/** The VMs on one host: a small array-backed set (hosts hold tens of VMs, not thousands). */
export class VmList implements Iterable<SnapshotVm> {
  private items: SnapshotVm[] = [];
  get size(): number {
    return this.items.length;
  }
  add(vm: SnapshotVm): void {
    this.items.push(vm);
  }
  delete(id: string): void {
    for (let i = this.items.length - 1; i >= 0; i--)
      if (this.items[i].id === id) {
        this.items.splice(i, 1);
        return;
      }
  }
  has(id: string): boolean {
    return this.items.some((v) => v.id === id);
  }
  [Symbol.iterator](): Iterator<SnapshotVm> {
    return this.items[Symbol.iterator]();
  }
}

export interface HeldVm {
  vm: SnapshotVm;
  hostIdx: number;
  vcpus: number;
  memoryMiB: number;
  allocations: DeviceAllocation[];
}

export interface PoolInfo {
  id: number;
  type: DeviceType;
  tag: string;
  /** hosts carrying the pool (sorted by host name) */
  hostIdxs: number[];
}

/** Per-host amount kept free for failover (Guarantee mode). */
export interface HostReserve {
  cpus: number;
  memoryMiB: number;
  /** poolId → units */
  devices: Map<number, number>;
  /** wording: what the reserve is for */
  why: string;
}

interface Need {
  poolId: number;
  type: DeviceType;
  tag: string;
  count: number;
}

interface VmNeeds {
  /** aggregated per pool, in request order of first appearance */
  pools: Need[];
  /** requests naming a passthrough GPU */
  named: { gpuId: string; tag: string }[];
  /** pools asked for that exist nowhere */
  unknown: Need[];
}

const PRIORITY_SCORE_SOFT = 10;
const VGPU_EMPTY_PENALTY = 1;
const SCARCE_PENALTY = 0.3;

/**
 * Resource shares are rounded to 1e-9 so that equal shares computed on hosts of different sizes
 * (3/4 of 32 vCPU, 3/4 of 48 vCPU) tie exactly: ties go to the other resource's share, then the
 * host name, never to floating-point noise.
 */
function q(x: number): number {
  return Math.round(x * 1e9) * 1e-9;
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

export class Capacity {
  readonly snapshot: ClusterSnapshot;
  readonly hosts: HostCap[];
  readonly hostIdxById = new Map<string, number>();
  readonly pools: PoolInfo[] = [];
  readonly poolIdByKey = new Map<string, number>();
  private vmMap: Map<string, SnapshotVm> | null = null;
  private readonly extraVms: SnapshotVm[] = [];
  private lastPlaced: SnapshotVm | null = null;
  /** What a VM holds, when it differs from the snapshot (null: holds nothing). */
  private readonly heldOv = new Map<string, HeldVm | null>();
  readonly gpuById = new Map<string, GpuState>();
  readonly nicById = new Map<string, NicState>();
  private readonly groupsByVm = new Map<string, SnapshotPlacementGroup[]>();
  private readonly needsCache = new WeakMap<SnapshotVm, VmNeeds>();
  private reserve: (HostReserve | null)[] | null = null;
  // Hot-loop mirrors of the host state (kept in sync with HostCap by hold/release/setUsable).
  private readonly cpuFreeA: Float64Array;
  private readonly memFreeA: Float64Array;
  private readonly invCpuA: Float64Array;
  private readonly invMemA: Float64Array;
  private readonly freeUnitsA: Int32Array;
  private readonly usableA: Uint8Array;
  private readonly maskA: Uint8Array;
  /** Host load (max of vCPU and memory share in use) and the hosts sorted by it (then index): a lower bound on any placement score. */
  private readonly loadA: Float64Array;
  private readonly orderA: Int32Array;
  private readonly posA: Int32Array;
  private journal: { vm: SnapshotVm; prev: HeldVm | null }[] = [];
  private journaling = 0;
  /** Score by best fit (fullest host first) instead of balancing load; planners try it as an alternative. */
  packing = false;
  /** Reused by every placement (read out before placeReleased recurses). */
  private readonly choice = new Choice();

  constructor(snapshot: ClusterSnapshot, opts: { excludeHostIds?: Iterable<string> } = {}) {
    this.snapshot = snapshot;
    const excluded = new Set(opts.excludeHostIds ?? []);
    const sortedHosts = sortedByName(snapshot.hosts);
    this.hosts = sortedHosts.map((host, idx) => {
      this.hostIdxById.set(host.id, idx);
      const hc: HostCap = {
        idx,
        host,
        usable: host.state === "online" && !excluded.has(host.id),
        cpuCap: host.cpus,
        memCap: host.memoryMiB,
        cpuUsed: 0,
        memUsed: 0,
        pools: new Map(),
        freeUnits: 0,
        vms: new VmList(),
      };
      const gpus = sortedByName(host.gpus);
      for (const gpu of gpus) {
        const d = gpuDeviceTag(gpu);
        if (d.units <= 0) continue;
        const pool = this.hostPool(hc, d.type, d.tag);
        const gs: GpuState = { gpu, hostIdx: idx, poolId: pool.poolId, vgpu: d.type === "vgpu", holders: new Array(d.units).fill(null), used: 0 };
        pool.gpus.push(gs);
        pool.total += d.units;
        pool.free += d.units;
        hc.freeUnits += d.units;
        this.gpuById.set(gpu.id, gs);
      }
      const nics = sortedByName(host.nics);
      for (const nic of nics) {
        if (!nic.tag || nic.sriovVfs <= 0) continue;
        const pool = this.hostPool(hc, "sriov", nic.tag);
        const ns: NicState = { nic, hostIdx: idx, poolId: pool.poolId, holders: new Array(nic.sriovVfs).fill(null), used: 0 };
        this.nicById.set(nic.id, ns);
        pool.nics.push(ns);
        pool.total += nic.sriovVfs;
        // VFs of a NIC whose link is down are not offered to new VMs.
        if (nic.linkUp) {
          pool.free += nic.sriovVfs;
          hc.freeUnits += nic.sriovVfs;
        }
      }
      return hc;
    });
    const n = this.hosts.length;
    this.cpuFreeA = new Float64Array(n);
    this.memFreeA = new Float64Array(n);
    this.invCpuA = new Float64Array(n);
    this.invMemA = new Float64Array(n);
    this.freeUnitsA = new Int32Array(n);
    this.usableA = new Uint8Array(n);
    this.maskA = new Uint8Array(n);
    this.loadA = new Float64Array(n);
    this.orderA = new Int32Array(n);
    this.posA = new Int32Array(n);
    for (const hc of this.hosts) {
      const i = hc.idx;
      this.cpuFreeA[i] = hc.cpuCap;
      this.memFreeA[i] = hc.memCap;
      this.invCpuA[i] = hc.cpuCap > 0 ? 1 / hc.cpuCap : Infinity;
      this.invMemA[i] = hc.memCap > 0 ? 1 / hc.memCap : Infinity;
      this.freeUnitsA[i] = hc.freeUnits;
      this.usableA[i] = hc.usable ? 1 : 0;
    }
    for (const g of snapshot.groups) {
      for (const vmId of g.vmIds) {
        let l = this.groupsByVm.get(vmId);
        if (!l) this.groupsByVm.set(vmId, (l = []));
        l.push(g);
      }
    }
    // Input order decides only between VMs that claim the same unit (an inconsistent snapshot).
    // Per-VM holdings are derived from the snapshot on demand (heldOf); only differences are stored.
    for (const vm of snapshot.vms) {
      if (!vm.hostId) continue;
      const hostIdx = this.hostIdxById.get(vm.hostId);
      if (hostIdx === undefined) continue;
      const hc = this.hosts[hostIdx];
      hc.cpuUsed += vm.vcpus;
      hc.memUsed += vm.memoryMiB;
      this.cpuFreeA[hostIdx] -= vm.vcpus;
      this.memFreeA[hostIdx] -= vm.memoryMiB;
      hc.vms.add(vm);
      const allocs = vm.allocations;
      let clean = true;
      for (let k = 0; k < allocs.length; k++) if (allocs[k].hostId !== vm.hostId || !this.takeUnit(vm.id, allocs[k])) clean = false;
      if (!clean) {
        // Keep exactly the units this VM managed to take.
        const kept = allocs.filter((a) => {
          if (a.hostId !== vm.hostId) return false;
          if (a.type === "sriov") return this.nicById.get(a.nicId ?? "")?.holders[a.vf ?? -1] === vm.id;
          return this.gpuById.get(a.gpuId ?? "")?.holders[a.type === "vgpu" ? (a.slot ?? -1) : 0] === vm.id;
        });
        // a VM listing the same unit twice holds it once
        const seen = new Set<string>();
        this.heldOv.set(vm.id, { vm, hostIdx, vcpus: vm.vcpus, memoryMiB: vm.memoryMiB, allocations: kept.filter((a) => !seen.has(a.key) && !!seen.add(a.key)) });
      }
    }
    for (let i = 0; i < n; i++) this.loadA[i] = this.hostLoad(i);
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.loadA[a] - this.loadA[b] || a - b);
    order.forEach((hostIdx, p) => {
      this.orderA[p] = hostIdx;
      this.posA[hostIdx] = p;
    });
  }

  private hostLoad(i: number): number {
    const hc = this.hosts[i];
    if (hc.cpuCap <= 0 || hc.memCap <= 0) return Infinity;
    const c = q(1 - this.cpuFreeA[i] * this.invCpuA[i]);
    const m = q(1 - this.memFreeA[i] * this.invMemA[i]);
    return c > m ? c : m;
  }

  /** Host i's load changed: move it to its place in the load order (one insertion step). */
  private touch(i: number): void {
    const load = this.loadA;
    const order = this.orderA;
    const pos = this.posA;
    const l = (load[i] = this.hostLoad(i));
    let p = pos[i];
    while (p > 0) {
      const j = order[p - 1];
      if (load[j] < l || (load[j] === l && j < i)) break;
      order[p] = j;
      pos[j] = p;
      p--;
    }
    while (p < order.length - 1) {
      const j = order[p + 1];
      if (load[j] > l || (load[j] === l && j > i)) break;
      order[p] = j;
      pos[j] = p;
      p++;
    }
    order[p] = i;
    pos[i] = p;
  }

  /** What a VM holds now (host, vCPU, memory, device units), or undefined. */
  heldOf(vmId: string): HeldVm | undefined {
    const ov = this.heldOv.get(vmId);
    if (ov !== undefined) return ov ?? undefined;
    const vm = this.vmById.get(vmId);
    return vm ? this.heldOfVm(vm) : undefined;
  }

  private heldOfVm(vm: SnapshotVm): HeldVm | undefined {
    const ov = this.heldOv.get(vm.id);
    if (ov !== undefined) return ov ?? undefined;
    if (!vm.hostId) return undefined;
    const hostIdx = this.hostIdxById.get(vm.hostId);
    if (hostIdx === undefined) return undefined;
    return { vm, hostIdx, vcpus: vm.vcpus, memoryMiB: vm.memoryMiB, allocations: vm.allocations };
  }

  /** VMs by id (built on first use: the planners' hot paths work with VM objects). */
  get vmById(): Map<string, SnapshotVm> {
    if (!this.vmMap) {
      this.vmMap = new Map();
      for (const vm of this.snapshot.vms) this.vmMap.set(vm.id, vm);
      for (const vm of this.extraVms) this.vmMap.set(vm.id, vm);
    }
    return this.vmMap;
  }

  private readonly poolIdByType: Record<DeviceType, Map<string, number>> = { gpu: new Map(), vgpu: new Map(), sriov: new Map() };

  private hostPool(hc: HostCap, type: DeviceType, tag: string): HostPool {
    let id = this.poolIdByType[type].get(tag);
    if (id === undefined) {
      id = this.pools.length;
      this.poolIdByType[type].set(tag, id);
      this.poolIdByKey.set(`${type}|${tag}`, id);
      this.pools.push({ id, type, tag, hostIdxs: [] });
    }
    let p = hc.pools.get(id);
    if (!p) {
      p = { poolId: id, total: 0, free: 0, gpus: [], nics: [] };
      hc.pools.set(id, p);
      this.pools[id].hostIdxs.push(hc.idx);
    }
    return p;
  }

  // ---------------------------------------------------------------- holding resources

  private hold(h: HeldVm): void {
    const vmId = h.vm.id;
    const hc = this.hosts[h.hostIdx];
    hc.cpuUsed += h.vcpus;
    hc.memUsed += h.memoryMiB;
    this.cpuFreeA[h.hostIdx] -= h.vcpus;
    this.memFreeA[h.hostIdx] -= h.memoryMiB;
    this.touch(h.hostIdx);
    hc.vms.add(h.vm);
    let kept: DeviceAllocation[] | null = null;
    for (let k = 0; k < h.allocations.length; k++) {
      const a = h.allocations[k];
      if (this.takeUnit(vmId, a)) {
        if (kept) kept.push(a);
      } else if (!kept) kept = h.allocations.slice(0, k);
    }
    this.heldOv.set(vmId, kept ? { ...h, allocations: kept } : h);
  }

  private takeUnit(vmId: string, a: DeviceAllocation): boolean {
    if (a.type === "sriov") {
      const ns = a.nicId ? this.nicById.get(a.nicId) : undefined;
      const vf = a.vf ?? -1;
      if (!ns || vf < 0 || vf >= ns.holders.length || ns.holders[vf] !== null) return false;
      ns.holders[vf] = vmId;
      ns.used++;
      if (ns.nic.linkUp) {
        const p = this.hosts[ns.hostIdx].pools.get(ns.poolId)!;
        p.free--;
        this.hosts[ns.hostIdx].freeUnits--;
        this.freeUnitsA[ns.hostIdx]--;
      }
      return true;
    }
    const gs = a.gpuId ? this.gpuById.get(a.gpuId) : undefined;
    if (!gs) return false;
    const slot = gs.vgpu ? (a.slot ?? -1) : 0;
    if (slot < 0 || slot >= gs.holders.length || gs.holders[slot] !== null) return false;
    if ((a.type === "vgpu") !== gs.vgpu) return false;
    gs.holders[slot] = vmId;
    gs.used++;
    const p = this.hosts[gs.hostIdx].pools.get(gs.poolId)!;
    p.free--;
    this.hosts[gs.hostIdx].freeUnits--;
    this.freeUnitsA[gs.hostIdx]--;
    return true;
  }

  private freeUnit(a: DeviceAllocation): void {
    if (a.type === "sriov") {
      const ns = this.nicById.get(a.nicId!)!;
      ns.holders[a.vf!] = null;
      ns.used--;
      if (ns.nic.linkUp) {
        this.hosts[ns.hostIdx].pools.get(ns.poolId)!.free++;
        this.hosts[ns.hostIdx].freeUnits++;
        this.freeUnitsA[ns.hostIdx]++;
      }
      return;
    }
    const gs = this.gpuById.get(a.gpuId!)!;
    gs.holders[gs.vgpu ? a.slot! : 0] = null;
    gs.used--;
    this.hosts[gs.hostIdx].pools.get(gs.poolId)!.free++;
    this.hosts[gs.hostIdx].freeUnits++;
    this.freeUnitsA[gs.hostIdx]++;
  }

  /** Release everything a VM holds (its host's vCPU, memory and devices). */
  release(vmId: string): void {
    const h = this.heldOf(vmId);
    if (!h) return;
    if (this.journaling) this.journal.push({ vm: h.vm, prev: h });
    this.releaseRaw(vmId, h);
  }

  private releaseRaw(vmId: string, h: HeldVm): void {
    const hc = this.hosts[h.hostIdx];
    hc.cpuUsed -= h.vcpus;
    hc.memUsed -= h.memoryMiB;
    this.cpuFreeA[h.hostIdx] += h.vcpus;
    this.memFreeA[h.hostIdx] += h.memoryMiB;
    this.touch(h.hostIdx);
    hc.vms.delete(vmId);
    for (const a of h.allocations) this.freeUnit(a);
    this.heldOv.set(vmId, null);
  }

  /** Apply a placement: the VM releases what it held and takes the new host and devices. */
  commit(outcome: Placed, vmIfNew?: SnapshotVm): void {
    let vm = this.lastPlaced && this.lastPlaced.id === outcome.vmId ? this.lastPlaced : this.vmById.get(outcome.vmId);
    if (!vm && vmIfNew) {
      vm = vmIfNew;
      this.extraVms.push(vm);
      this.vmById.set(vm.id, vm);
    }
    if (!vm) return;
    const prev = this.heldOfVm(vm) ?? null;
    if (this.journaling) this.journal.push({ vm, prev });
    if (prev) this.releaseRaw(vm.id, prev);
    const hostIdx = this.hostIdxById.get(outcome.hostId)!;
    this.hold({ vm, hostIdx, vcpus: vm.vcpus, memoryMiB: vm.memoryMiB, allocations: outcome.allocations });
  }

  /** Start recording changes; rollback() undoes everything since the matching mark. */
  mark(): number {
    this.journaling++;
    return this.journal.length;
  }

  rollback(mark: number): void {
    while (this.journal.length > mark) {
      const { vm, prev } = this.journal.pop()!;
      const cur = this.heldOfVm(vm);
      if (cur) this.releaseRaw(vm.id, cur);
      if (prev) this.hold(prev);
    }
    this.journaling = Math.max(0, this.journaling - 1);
  }

  /** Stop recording without undoing. */
  unmark(): void {
    this.journaling = Math.max(0, this.journaling - 1);
    if (!this.journaling) this.journal.length = 0;
  }

  setReserve(reserve: (HostReserve | null)[] | null): void {
    this.reserve = reserve;
  }

  setUsable(hostId: string, usable: boolean): void {
    const i = this.hostIdxById.get(hostId);
    if (i === undefined) return;
    this.hosts[i].usable = usable && this.hosts[i].host.state === "online";
    this.usableA[i] = this.hosts[i].usable ? 1 : 0;
  }

  // ---------------------------------------------------------------- needs

  needsOf(vm: SnapshotVm): VmNeeds {
    const cached = this.needsCache.get(vm);
    if (cached) return cached;
    const byPool = new Map<number, Need>();
    const unknown: Need[] = [];
    const named: { gpuId: string; tag: string }[] = [];
    for (const d of vm.devices) {
      if (d.count <= 0) continue;
      if (d.type === "gpu" && d.gpuId) {
        for (let i = 0; i < d.count; i++) named.push({ gpuId: d.gpuId, tag: d.tag });
      }
      const id = this.poolIdByKey.get(`${d.type}|${d.tag}`);
      if (id === undefined) {
        unknown.push({ poolId: -1, type: d.type, tag: d.tag, count: d.count });
        continue;
      }
      const n = byPool.get(id);
      if (n) n.count += d.count;
      else byPool.set(id, { poolId: id, type: d.type, tag: d.tag, count: d.count });
    }
    const needs = { pools: [...byPool.values()], named, unknown };
    this.needsCache.set(vm, needs);
    return needs;
  }

  /** Free units of a pool on usable hosts (for scarcity ordering). */
  poolFreeUsable(poolId: number): number {
    let n = 0;
    for (const i of this.pools[poolId].hostIdxs) {
      const hc = this.hosts[i];
      if (hc.usable) n += hc.pools.get(poolId)!.free;
    }
    return n;
  }

  // ---------------------------------------------------------------- placement

  place(vmOrId: SnapshotVm | string, opts: CapacityPlaceOptions = {}): PlacementOutcome {
    const vm = typeof vmOrId === "string" ? this.vmById.get(vmOrId) : vmOrId;
    if (!vm) {
      const id = typeof vmOrId === "string" ? vmOrId : "";
      return { kind: "unplaceable", vmId: id, reasons: [`VM ${id} is not in the cluster`], rejections: [] };
    }
    this.lastPlaced = vm;
    const prev = this.heldOfVm(vm);
    if (prev) this.releaseRaw(vm.id, prev);
    try {
      return this.placeReleased(vm, opts);
    } finally {
      if (prev) this.hold(prev);
    }
  }

  private placeReleased(vm: SnapshotVm, opts: CapacityPlaceOptions): PlacementOutcome {
    const explain = opts.explain ?? true;
    const purpose: PlacementPurpose = opts.purpose ?? "power-on";
    const needs = this.needsOf(vm);
    const exclude = opts.excludeHostIds && opts.excludeHostIds.length ? new Set(opts.excludeHostIds) : null;
    const only = opts.onlyHostIds ? new Set(opts.onlyHostIds) : null;
    const useReserve = !!this.reserve && purpose === "power-on" && !opts.ignoreReserve && this.snapshot.policy.haMode === "guarantee";
    const ctx = this.ruleContext(vm);
    const rank = ctx.rank;

    // Candidate set: with device requests, only hosts carrying the rarest requested pool.
    let candidates: number[] | null = null;
    if (!explain && needs.unknown.length === 0 && needs.pools.length > 0) {
      let best = needs.pools[0];
      for (const n of needs.pools) if (this.pools[n.poolId].hostIdxs.length < this.pools[best.poolId].hostIdxs.length) best = n;
      candidates = this.pools[best.poolId].hostIdxs;
    }

    // The choice is the lowest (preference rank, score, other share, host index); the runner-up is kept for the reasons.
    const choice = this.choice;
    choice.reset();
    const rejections: HostRejection[] = [];
    const n = candidates ? candidates.length : this.hosts.length;
    if (!explain) {
      // Hot loop: typed arrays first, the full rule check only for hosts that pass them.
      const mask = this.maskA;
      const useMask = !!only || !!exclude;
      if (useMask) {
        mask.fill(only ? 0 : 1);
        if (only) for (const id of only) { const i = this.hostIdxById.get(id); if (i !== undefined) mask[i] = 1; }
        if (exclude) for (const id of exclude) { const i = this.hostIdxById.get(id); if (i !== undefined) mask[i] = 0; }
      }
      const cpuFree = this.cpuFreeA, memFree = this.memFreeA, usable = this.usableA, invCpu = this.invCpuA, invMem = this.invMemA, freeUnits = this.freeUnitsA;
      const vc = vm.vcpus, mem = vm.memoryMiB;
      const pack = this.packing;
      const pools = needs.pools;
      const np = pools.length;
      const needRules = ctx.affinity !== null || ctx.hard.length > 0 || useReserve || needs.named.length > 0 || needs.unknown.length > 0;
      const soft = ctx.soft.length > 0;
      let hasVgpu = false;
      for (const nd of pools) if (nd.type === "vgpu") hasVgpu = true;
      if (np === 0 && !needRules && !soft && !candidates && !pack) {
        // The common case (no devices, no rules, balancing): hosts in load order, stopping at the
        // first whose current load already exceeds the best score (or the runner-up's, when the
        // reasons name it). Same choice as a scan in name order: full ties go to the lower index.
        const order = this.orderA;
        const load = this.loadA;
        const quiet = !!opts.quiet;
        let bestIdx = -1;
        let bestScore = Infinity;
        let bestSec = Infinity;
        let secondIdx = -1;
        let secondScore = Infinity;
        let secondSec = Infinity;
        for (let k = 0; k < n; k++) {
          const i = order[k];
          if (load[i] > (quiet ? bestScore : secondScore)) break;
          if (usable[i] === 0) continue;
          const cf = cpuFree[i] - vc;
          const mf = memFree[i] - mem;
          if (cf < 0 || mf < 0 || (useMask && mask[i] === 0)) continue;
          const cpuF = q(1 - cf * invCpu[i]);
          const memF = q(1 - mf * invMem[i]);
          let score: number;
          let sec: number;
          if (cpuF > memF) {
            score = cpuF;
            sec = memF;
          } else {
            score = memF;
            sec = cpuF;
          }
          if (freeUnits[i] > 0) score += SCARCE_PENALTY;
          if (score < bestScore || (score === bestScore && (sec < bestSec || (sec === bestSec && i < bestIdx)))) {
            secondIdx = bestIdx;
            secondScore = bestScore;
            secondSec = bestSec;
            bestIdx = i;
            bestScore = score;
            bestSec = sec;
          } else if (score < secondScore || (score === secondScore && (sec < secondSec || (sec === secondSec && i < secondIdx)))) {
            secondIdx = i;
            secondScore = score;
            secondSec = sec;
          }
        }
        choice.set(bestIdx, bestScore, bestSec, secondIdx, secondScore, secondSec);
      } else if (np === 0 && !needRules && !soft && !candidates) {
        // Same, packing (best fit): every host is scanned.
        for (let i = 0; i < n; i++) {
          if (usable[i] === 0) continue;
          const cf = cpuFree[i] - vc;
          const mf = memFree[i] - mem;
          if (cf < 0 || mf < 0 || (useMask && mask[i] === 0)) continue;
          const cpuF = q(1 - cf * invCpu[i]);
          const memF = q(1 - mf * invMem[i]);
          let score = 1 - (cpuF > memF ? cpuF : memF);
          const sec = 1 - (cpuF > memF ? memF : cpuF);
          if (freeUnits[i] > 0) score += SCARCE_PENALTY;
          choice.offer(i, 0, score, sec);
        }
      } else for (let k = 0; k < n; k++) {
        const i = candidates ? candidates[k] : k;
        if (usable[i] === 0 || cpuFree[i] < vc || memFree[i] < mem) continue;
        if (useMask && mask[i] === 0) continue;
        const hc = this.hosts[i];
        let requestedFree = 0;
        if (np) {
          let ok = true;
          for (let t = 0; t < np; t++) {
            const p = hc.pools.get(pools[t].poolId);
            if (!p || p.free < pools[t].count) { ok = false; break; }
            requestedFree += p.free;
          }
          if (!ok) continue;
        }
        if (needRules && !this.fits(hc, vm, needs, ctx, exclude, useReserve, null)) continue;
        const cpuF = q(1 - (cpuFree[i] - vc) * invCpu[i]);
        const memF = q(1 - (memFree[i] - mem) * invMem[i]);
        let score = cpuF > memF ? cpuF : memF;
        let sec = cpuF > memF ? memF : cpuF;
        if (pack) {
          score = 1 - score;
          sec = 1 - sec;
        }
        if (freeUnits[i] > requestedFree) score += SCARCE_PENALTY;
        if (hasVgpu) {
          for (const nd of pools) if (nd.type === "vgpu" && this.unitsOnEmptyGpus(hc.pools.get(nd.poolId)!, nd.count) > 0) score += VGPU_EMPTY_PENALTY;
        }
        if (soft) for (const g of ctx.soft) if (this.groupViolation(g, hc, ctx)) score += PRIORITY_SCORE_SOFT;
        choice.offer(i, rank ? rank[i] : 0, score, sec);
      }
    } else {
      const reasons: string[] = [];
      for (let k = 0; k < n; k++) {
        const hc = this.hosts[candidates ? candidates[k] : k];
        if (only && !only.has(hc.host.id)) continue;
        reasons.length = 0;
        const ok = this.fits(hc, vm, needs, ctx, exclude, useReserve, reasons);
        if (!ok) {
          rejections.push({ hostId: hc.host.id, hostName: hc.host.name, reasons: reasons.slice() });
          continue;
        }
        const score = this.score(hc, vm, needs, ctx);
        choice.offer(hc.idx, rank ? rank[hc.idx] : 0, score, this.secondary(hc, vm));
      }
    }

    const { bestIdx, bestScore, bestSec, bestRank, secondIdx, secondScore, secondSec, secondRank } = choice;
    if (bestIdx < 0) {
      if (!explain) return this.placeReleased(vm, { ...opts, explain: true });
      const out: string[] = [];
      if (only && rejections.length === 0) out.push(`no candidate host for VM ${vm.name}`);
      else out.push(`no host can run VM ${vm.name} (${vm.vcpus} vCPU, ${fmtMem(vm.memoryMiB)}${describeNeeds(vm)})`);
      for (const r of rejections) out.push(`${r.hostName}: ${r.reasons.join("; ")}`);
      return { kind: "unplaceable", vmId: vm.id, reasons: out, rejections };
    }

    const hc = this.hosts[bestIdx];
    const allocations = this.allocate(hc, vm, needs);
    const why: string[] = [];
    if (opts.quiet && !explain) return { kind: "placed", vmId: vm.id, hostId: hc.host.id, hostName: hc.host.name, allocations, reasons: why, rejections };
    why.push(`${hc.host.name}: ${this.describeScore(hc, vm, needs, ctx, bestScore)}`);
    if (secondIdx >= 0) {
      const s = this.hosts[secondIdx];
      let line: string;
      if (secondRank !== bestRank) line = `runner-up ${s.host.name} is lower in the host preference order: ${this.describeScore(s, vm, needs, ctx, secondScore)}`;
      else if (secondScore !== bestScore) line = `runner-up ${s.host.name}: ${this.describeScore(s, vm, needs, ctx, secondScore)}`;
      else if (secondSec !== bestSec)
        line = `runner-up ${s.host.name} scored the same; ${hc.host.name} wins on the other resource's share after placement (${this.describeOther(hc, vm)} against ${this.describeOther(s, vm)}${this.packing ? ", packing: the fuller wins" : ""})`;
      else line = `runner-up ${s.host.name} scored the same; ${hc.host.name} wins the tie-break by name`;
      why.push(line);
    }
    if (purpose !== "power-on" && this.reserve && this.snapshot.policy.haMode === "guarantee") why.push(`${purpose} may use the Guarantee reserve`);
    return { kind: "placed", vmId: vm.id, hostId: hc.host.id, hostName: hc.host.name, allocations, reasons: why, rejections };
  }

  /** The placement groups a VM belongs to. */
  groupsOf(vmId: string): readonly SnapshotPlacementGroup[] {
    return this.groupsByVm.get(vmId) ?? [];
  }

  /** vm-host groups of the VM that rank hosts (`hostOrder`), sorted by name: they decide before the score. */
  rankedGroups(vmId: string): SnapshotPlacementGroup[] {
    const out: SnapshotPlacementGroup[] = [];
    for (const g of this.groupsByVm.get(vmId) ?? []) if (g.type === "vm-host" && g.hostOrder && g.hostOrder.length) out.push(g);
    return out.sort((a, b) => compareStr(a.name, b.name) || compareStr(a.id, b.id));
  }

  /**
   * Preference rank of every host for a VM (lower is preferred), or null when no group ranks
   * hosts. Per group: the position in `hostOrder`; a group host not listed there comes after the
   * listed ones, a host outside the group last. Several ranking groups compare in name order.
   */
  preferenceRanks(vmId: string): Float64Array | null {
    const ranked = this.rankedGroups(vmId);
    if (!ranked.length) return null;
    const n = this.hosts.length;
    const out = new Float64Array(n);
    for (const g of ranked) {
      const order = g.hostOrder!;
      const base = order.length + 2;
      const pos = new Map<number, number>();
      for (const id of g.hostIds) {
        const i = this.hostIdxById.get(id);
        if (i !== undefined) pos.set(i, order.length);
      }
      order.forEach((id, k) => {
        const i = this.hostIdxById.get(id);
        if (i !== undefined && !(pos.get(i)! < order.length)) pos.set(i, k);
      });
      for (let i = 0; i < n; i++) out[i] = out[i] * base + (pos.get(i) ?? order.length + 1);
    }
    return out;
  }

  private ruleContext(vm: SnapshotVm): RuleCtx {
    const groups = this.groupsByVm.get(vm.id) ?? [];
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
        const h = this.heldOf(other);
        if (!h) continue;
        // Members on hosts that cannot take VMs (failed, excluded, being evacuated) neither attract nor repel.
        if (!this.hosts[h.hostIdx].usable) continue;
        m.set(h.hostIdx, (m.get(h.hostIdx) ?? 0) + 1);
      }
      memberHosts.set(g.id, m);
    }
    return {
      hard,
      soft,
      memberHosts,
      affinity: vm.hostAffinity.length ? new Set(vm.hostAffinity) : null,
      rank: ranks ? this.preferenceRanks(vm.id) : null,
      ranked: ranks ? this.rankedGroups(vm.id) : [],
    };
  }

  private groupViolation(g: SnapshotPlacementGroup, hc: HostCap, ctx: RuleCtx): string | null {
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
        const where = [...m.keys()].map((i) => this.hosts[i].host.name).sort(compareStr);
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
  fits(
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
        out.push(`needs ${fmtDevices(nd.type, nd.tag, nd.count)}, has ${free} (${this.tagsHere(hc, nd.type)})`);
        ok = false;
      }
    }
    for (const nm of needs.named) {
      const gs = this.gpuById.get(nm.gpuId);
      if (!gs || gs.hostIdx !== hc.idx) {
        if (!out) return false;
        out.push(`needs GPU ${gs ? gs.gpu.name : nm.gpuId} by name, which is on ${gs ? this.hosts[gs.hostIdx].host.name : "no host"}`);
        ok = false;
      } else if (gs.vgpu || gs.used > 0) {
        if (!out) return false;
        out.push(gs.vgpu ? `GPU ${gs.gpu.name} is partitioned for vGPU` : `GPU ${gs.gpu.name} is in use by VM ${this.vmName(gs.holders[0]!)}`);
        ok = false;
      }
    }
    if (ctx.affinity && !ctx.affinity.has(hc.host.id)) {
      if (!out) return false;
      out.push(`host affinity allows only ${[...ctx.affinity].map((id) => this.hostName(id)).sort(compareStr).join(", ")}`);
      ok = false;
    }
    for (const g of ctx.hard) {
      const v = this.groupViolation(g, hc, ctx);
      if (v) {
        if (!out) return false;
        out.push(v);
        ok = false;
      }
    }
    if (useReserve && ok) {
      const r = this.reserve![hc.idx];
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

  private tagsHere(hc: HostCap, type: DeviceType): string {
    const tags: string[] = [];
    for (const [id] of hc.pools) if (this.pools[id].type === type) tags.push(this.pools[id].tag);
    const word = type === "gpu" ? "GPU" : type === "vgpu" ? "vGPU" : "NIC";
    return tags.length ? `${word} tags here: ${tags.sort(compareStr).join(", ")}` : `no ${type} devices here`;
  }

  private vmName(id: string): string {
    return this.vmById.get(id)?.name ?? id;
  }

  private hostName(id: string): string {
    const i = this.hostIdxById.get(id);
    return i === undefined ? id : this.hosts[i].host.name;
  }

  /** Lower is better: soft-rule penalties, vGPU on an empty GPU, scarce devices, load after placement. */
  score(hc: HostCap, vm: SnapshotVm, needs: VmNeeds, ctx: RuleCtx): number {
    // Same arithmetic as the hot loop in placeReleased (identical choices with or without explain).
    const i = hc.idx;
    const cpuF = q(1 - (this.cpuFreeA[i] - vm.vcpus) * this.invCpuA[i]);
    const memF = q(1 - (this.memFreeA[i] - vm.memoryMiB) * this.invMemA[i]);
    let s = cpuF > memF ? cpuF : memF;
    if (this.packing) s = 1 - s;
    let requestedFree = 0;
    for (const nd of needs.pools) {
      const p = hc.pools.get(nd.poolId)!;
      requestedFree += p.free;
      if (nd.type === "vgpu" && this.unitsOnEmptyGpus(p, nd.count) > 0) s += VGPU_EMPTY_PENALTY;
    }
    if (this.freeUnitsA[i] > requestedFree) s += SCARCE_PENALTY;
    for (const g of ctx.soft) if (this.groupViolation(g, hc, ctx)) s += PRIORITY_SCORE_SOFT;
    return s;
  }

  /** The tie-break after the score: the other resource's share after placement (lower wins; packing: higher). */
  secondary(hc: HostCap, vm: SnapshotVm): number {
    const i = hc.idx;
    const cpuF = q(1 - (this.cpuFreeA[i] - vm.vcpus) * this.invCpuA[i]);
    const memF = q(1 - (this.memFreeA[i] - vm.memoryMiB) * this.invMemA[i]);
    const sec = cpuF > memF ? memF : cpuF;
    return this.packing ? 1 - sec : sec;
  }

  /** "memory 40%": the share that is not the dominant one, after placement. */
  private describeOther(hc: HostCap, vm: SnapshotVm): string {
    const cpuF = hc.cpuCap > 0 ? (hc.cpuUsed + vm.vcpus) / hc.cpuCap : 1;
    const memF = hc.memCap > 0 ? (hc.memUsed + vm.memoryMiB) / hc.memCap : 1;
    return cpuF > memF ? `${hc.host.name} memory ${pct(memF)}` : `${hc.host.name} vCPU ${pct(cpuF)}`;
  }

  /** "preferred host #1 of \"g\"" per ranking group (empty when no group ranks hosts). */
  private describeRank(hc: HostCap, ctx: RuleCtx): string[] {
    const out: string[] = [];
    for (const g of ctx.ranked) {
      const k = g.hostOrder!.indexOf(hc.host.id);
      out.push(
        k >= 0
          ? `preferred host #${k + 1} of "${g.name}"`
          : g.hostIds.includes(hc.host.id)
            ? `in "${g.name}" but not in its host order`
            : `outside the hosts of "${g.name}"`,
      );
    }
    return out;
  }

  private unitsOnEmptyGpus(p: HostPool, count: number): number {
    let partial = 0;
    for (const g of p.gpus) if (g.used > 0 && g.used < g.holders.length) partial += g.holders.length - g.used;
    return Math.max(0, count - partial);
  }

  private describeScore(hc: HostCap, vm: SnapshotVm, needs: VmNeeds, ctx: RuleCtx, score: number): string {
    const parts: string[] = this.describeRank(hc, ctx);
    const cpuF = hc.cpuCap > 0 ? (hc.cpuUsed + vm.vcpus) / hc.cpuCap : 1;
    const memF = hc.memCap > 0 ? (hc.memUsed + vm.memoryMiB) / hc.memCap : 1;
    parts.push(`${this.packing ? "packing: " : ""}load after placement ${pct(Math.max(cpuF, memF))} (vCPU ${pct(cpuF)}, memory ${pct(memF)})`);
    let requestedFree = 0;
    for (const nd of needs.pools) {
      const p = hc.pools.get(nd.poolId)!;
      requestedFree += p.free;
      if (nd.type === "vgpu") {
        parts.push(
          this.unitsOnEmptyGpus(p, nd.count) > 0
            ? `vGPU "${nd.tag}" would open an empty GPU`
            : `vGPU "${nd.tag}" fits on a partly used GPU`,
        );
      }
    }
    if (hc.freeUnits - requestedFree > 0) parts.push("keeps devices here free for VMs that need them (penalty)");
    for (const g of ctx.soft) {
      const v = this.groupViolation(g, hc, ctx);
      if (v) parts.push(`soft rule not met: ${v}`);
    }
    return `score ${score.toFixed(3)}: ${parts.join("; ")}`;
  }

  /** Concrete devices on the chosen host (assumes fits() passed). */
  private allocate(hc: HostCap, vm: SnapshotVm, needs: VmNeeds): DeviceAllocation[] {
    const out: DeviceAllocation[] = [];
    const takenGpu = new Set<string>();
    const takenSlot = new Map<GpuState, Set<number>>();
    const takenVf = new Map<NicState, Set<number>>();
    const remaining = new Map<number, number>();
    for (const nd of needs.pools) remaining.set(nd.poolId, nd.count);
    const hostId = hc.host.id;
    for (const nm of needs.named) {
      const gs = this.gpuById.get(nm.gpuId)!;
      if (takenGpu.has(gs.gpu.id)) continue;
      takenGpu.add(gs.gpu.id);
      const pid = gs.poolId;
      remaining.set(pid, (remaining.get(pid) ?? 1) - 1);
      out.push({ key: `gpu:${gs.gpu.id}`, type: "gpu", tag: this.pools[pid].tag, hostId, gpuId: gs.gpu.id, slot: null, nicId: null, vf: null });
    }
    for (const nd of needs.pools) {
      let left = remaining.get(nd.poolId) ?? 0;
      const p = hc.pools.get(nd.poolId)!;
      if (nd.type === "gpu") {
        for (const gs of p.gpus) {
          if (left <= 0) break;
          if (gs.used > 0 || takenGpu.has(gs.gpu.id)) continue;
          takenGpu.add(gs.gpu.id);
          out.push({ key: `gpu:${gs.gpu.id}`, type: "gpu", tag: nd.tag, hostId, gpuId: gs.gpu.id, slot: null, nicId: null, vf: null });
          left--;
        }
      } else if (nd.type === "vgpu") {
        while (left > 0) {
          // the partly used GPU with the fewest free slots first, then an empty one; ties by name
          let pick: GpuState | null = null;
          let pickUsed = -1;
          for (const gs of p.gpus) {
            const t = takenSlot.get(gs)?.size ?? 0;
            const used = gs.used + t;
            if (used >= gs.holders.length) continue;
            if (used > pickUsed) {
              pick = gs;
              pickUsed = used;
            }
          }
          if (!pick) break;
          let t = takenSlot.get(pick);
          if (!t) takenSlot.set(pick, (t = new Set()));
          let slot = 0;
          while (pick.holders[slot] !== null || t.has(slot)) slot++;
          t.add(slot);
          out.push({ key: `vgpu:${pick.gpu.id}:${slot}`, type: "vgpu", tag: nd.tag, hostId, gpuId: pick.gpu.id, slot, nicId: null, vf: null });
          left--;
        }
      } else {
        for (const ns of p.nics) {
          if (!ns.nic.linkUp) continue;
          let t = takenVf.get(ns);
          for (let vf = 0; vf < ns.holders.length && left > 0; vf++) {
            if (ns.holders[vf] !== null || t?.has(vf)) continue;
            if (!t) takenVf.set(ns, (t = new Set()));
            t.add(vf);
            out.push({ key: `vf:${ns.nic.id}:${vf}`, type: "sriov", tag: nd.tag, hostId, gpuId: null, slot: null, nicId: ns.nic.id, vf });
            left--;
          }
          if (left <= 0) break;
        }
      }
    }
    return out;
  }
}

/** The best host and the runner-up so far, by (preference rank, score, other share, host index). */
class Choice {
  bestIdx = -1;
  bestScore = Infinity;
  bestSec = Infinity;
  bestRank = Infinity;
  secondIdx = -1;
  secondScore = Infinity;
  secondSec = Infinity;
  secondRank = Infinity;

  offer(i: number, r: number, score: number, sec: number): void {
    if (r < this.bestRank || (r === this.bestRank && (score < this.bestScore || (score === this.bestScore && (sec < this.bestSec || (sec === this.bestSec && i < this.bestIdx)))))) {
      this.secondIdx = this.bestIdx;
      this.secondScore = this.bestScore;
      this.secondSec = this.bestSec;
      this.secondRank = this.bestRank;
      this.bestIdx = i;
      this.bestScore = score;
      this.bestSec = sec;
      this.bestRank = r;
    } else if (r < this.secondRank || (r === this.secondRank && (score < this.secondScore || (score === this.secondScore && (sec < this.secondSec || (sec === this.secondSec && i < this.secondIdx)))))) {
      this.secondIdx = i;
      this.secondScore = score;
      this.secondSec = sec;
      this.secondRank = r;
    }
  }

  reset(): void {
    this.set(-1, Infinity, Infinity, -1, Infinity, Infinity);
  }

  /** From the load-ordered scan (rank 0 everywhere). */
  set(bestIdx: number, bestScore: number, bestSec: number, secondIdx: number, secondScore: number, secondSec: number): void {
    this.bestIdx = bestIdx;
    this.bestScore = bestScore;
    this.bestSec = bestSec;
    this.bestRank = bestIdx >= 0 ? 0 : Infinity;
    this.secondIdx = secondIdx;
    this.secondScore = secondScore;
    this.secondSec = secondSec;
    this.secondRank = secondIdx >= 0 ? 0 : Infinity;
  }
}

interface RuleCtx {
  hard: SnapshotPlacementGroup[];
  soft: SnapshotPlacementGroup[];
  memberHosts: Map<string, Map<number, number>>;
  affinity: Set<string> | null;
  /** Host preference rank by host index (vm-host groups with `hostOrder`); null when none ranks. */
  rank: Float64Array | null;
  ranked: SnapshotPlacementGroup[];
}

export function describeNeeds(vm: SnapshotVm): string {
  if (!vm.devices.length) return "";
  return ", " + vm.devices.map((d) => fmtDevices(d.type, d.tag, d.count, "") + (d.gpuId ? ` (GPU ${d.gpuId} by name)` : "")).join(", ");
}

const byName = (a: { name: string; id: string }, b: { name: string; id: string }) => compareStr(a.name, b.name) || compareStr(a.id, b.id);

/** Sorted by name then id; the input itself when it already is (the store usually lists by name). */
function sortedByName<T extends { name: string; id: string }>(xs: T[]): T[] {
  for (let i = 1; i < xs.length; i++) if (byName(xs[i - 1], xs[i]) > 0) return [...xs].sort(byName);
  return xs;
}

export function buildCapacity(snapshot: ClusterSnapshot, opts: { excludeHostIds?: Iterable<string> } = {}): Capacity {
  return new Capacity(snapshot, opts);
}
