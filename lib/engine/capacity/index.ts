// A mutable capacity index over a cluster snapshot. Devices are counted in pools per
// (host, type, tag), so a request costs O(hosts) whatever the device count. Planners place
// many VMs against shrinking capacity with place() + commit(); placeVm is the one-shot wrapper.
//
// One room per role (this file builds the index and is the class's public face):
//   ledger.ts    what each VM holds: hold / release / commit, mark / rollback / unmark
//   rules.ts     what a VM needs and whether a host may take it (state, room, devices, rules, reserve)
//   score.ts     the one load score every loop uses, the penalties, the best/runner-up choice, wording
//   search.ts    place(): the host search (fast loops and the explaining loop) and its reasons
//   allocate.ts  the concrete units on the chosen host
import type { ClusterSnapshot, DeviceAllocation, DeviceType, PlacementOutcome, SnapshotGpu, SnapshotHost, SnapshotNic, SnapshotPlacementGroup, SnapshotVm } from "../types";
import { compareStr, gpuDeviceTag } from "../tags";
import { commit as ledgerCommit, mark as ledgerMark, release as ledgerRelease, rollback as ledgerRollback, takeUnit, unmark as ledgerUnmark } from "./ledger";
import { fits, needsOf, poolFreeUsable, preferenceRanks, rankedGroups } from "./rules";
import { Choice, hostLoad, score, secondary } from "./score";
import { place } from "./search";
import type { HostReserve, RuleCtx, VmNeeds } from "./rules";
import type { CapacityPlaceOptions, Placed } from "./search";

export type { CapacityPlaceOptions, Placed, Unplaceable } from "./search";
export type { HostReserve, VmNeeds, RuleCtx } from "./rules";
export { describeNeeds } from "./rules";

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

/**
 * The index. Fields marked internal are the state the role modules (ledger, rules, score, search,
 * allocate) share; other engine modules use the public ones and the methods.
 */
export class Capacity {
  readonly snapshot: ClusterSnapshot;
  readonly hosts: HostCap[];
  readonly hostIdxById = new Map<string, number>();
  readonly pools: PoolInfo[] = [];
  readonly poolIdByKey = new Map<string, number>();
  /** @internal */ vmMap: Map<string, SnapshotVm> | null = null;
  /** @internal */ readonly extraVms: SnapshotVm[] = [];
  /** @internal */ lastPlaced: SnapshotVm | null = null;
  /** @internal What a VM holds, when it differs from the snapshot (null: holds nothing). */
  readonly heldOv = new Map<string, HeldVm | null>();
  readonly gpuById = new Map<string, GpuState>();
  readonly nicById = new Map<string, NicState>();
  /** @internal */ readonly groupsByVm = new Map<string, SnapshotPlacementGroup[]>();
  /** @internal */ readonly needsCache = new WeakMap<SnapshotVm, VmNeeds>();
  /** @internal */ reserve: (HostReserve | null)[] | null = null;
  // Hot-loop mirrors of the host state (kept in sync with HostCap by hold/release/setUsable).
  /** @internal */ readonly cpuFreeA: Float64Array;
  /** @internal */ readonly memFreeA: Float64Array;
  /** @internal */ readonly invCpuA: Float64Array;
  /** @internal */ readonly invMemA: Float64Array;
  /** @internal */ readonly freeUnitsA: Int32Array;
  /** @internal */ readonly usableA: Uint8Array;
  /** @internal */ readonly maskA: Uint8Array;
  /** @internal Host load (max of vCPU and memory share in use) and the hosts sorted by it (then index): a lower bound on any placement score. */
  readonly loadA: Float64Array;
  /** @internal */ readonly orderA: Int32Array;
  /** @internal */ readonly posA: Int32Array;
  /** @internal */ journal: { vm: SnapshotVm; prev: HeldVm | null }[] = [];
  /** @internal */ journaling = 0;
  /** Score by best fit (fullest host first) instead of balancing load; planners try it as an alternative. */
  packing = false;
  /** @internal Reused by every placement (read out before the search recurses). */
  readonly choice = new Choice();
  private readonly poolIdByType: Record<DeviceType, Map<string, number>> = { gpu: new Map(), vgpu: new Map(), sriov: new Map() };

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
      for (let k = 0; k < allocs.length; k++) if (allocs[k].hostId !== vm.hostId || !takeUnit(this, vm.id, allocs[k])) clean = false;
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
    for (let i = 0; i < n; i++) this.loadA[i] = hostLoad(this, i);
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.loadA[a] - this.loadA[b] || a - b);
    order.forEach((hostIdx, p) => {
      this.orderA[p] = hostIdx;
      this.posA[hostIdx] = p;
    });
  }

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

  /** What a VM holds now (host, vCPU, memory, device units), or undefined. */
  heldOf(vmId: string): HeldVm | undefined {
    const ov = this.heldOv.get(vmId);
    if (ov !== undefined) return ov ?? undefined;
    const vm = this.vmById.get(vmId);
    return vm ? this.heldOfVm(vm) : undefined;
  }

  /** @internal What this VM object holds now (the ledger's view, or the snapshot's). */
  heldOfVm(vm: SnapshotVm): HeldVm | undefined {
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

  // ---------------------------------------------------------------- the ledger (ledger.ts)

  /** Release everything a VM holds (its host's vCPU, memory and devices). */
  release(vmId: string): void {
    ledgerRelease(this, vmId);
  }

  /** Apply a placement: the VM releases what it held and takes the new host and devices. */
  commit(outcome: Placed, vmIfNew?: SnapshotVm): void {
    ledgerCommit(this, outcome, vmIfNew);
  }

  /** Start recording changes; rollback() undoes everything since the matching mark. */
  mark(): number {
    return ledgerMark(this);
  }

  rollback(mark: number): void {
    ledgerRollback(this, mark);
  }

  /** Stop recording without undoing. */
  unmark(): void {
    ledgerUnmark(this);
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

  // ---------------------------------------------------------------- needs and rules (rules.ts)

  needsOf(vm: SnapshotVm): VmNeeds {
    return needsOf(this, vm);
  }

  /** Free units of a pool on usable hosts (for scarcity ordering). */
  poolFreeUsable(poolId: number): number {
    return poolFreeUsable(this, poolId);
  }

  /** The placement groups a VM belongs to. */
  groupsOf(vmId: string): readonly SnapshotPlacementGroup[] {
    return this.groupsByVm.get(vmId) ?? [];
  }

  /** vm-host groups of the VM that rank hosts (`hostOrder`), sorted by name: they decide before the score. */
  rankedGroups(vmId: string): SnapshotPlacementGroup[] {
    return rankedGroups(this, vmId);
  }

  /** Preference rank of every host for a VM (lower is preferred), or null when no group ranks hosts (rules.ts). */
  preferenceRanks(vmId: string): Float64Array | null {
    return preferenceRanks(this, vmId);
  }

  /** Whether the host can take the VM; pushes the reasons when `out` is given (stops at the first otherwise). */
  fits(hc: HostCap, vm: SnapshotVm, needs: VmNeeds, ctx: RuleCtx, exclude: Set<string> | null, useReserve: boolean, out: string[] | null): boolean {
    return fits(this, hc, vm, needs, ctx, exclude, useReserve, out);
  }

  // ---------------------------------------------------------------- score and search (score.ts, search.ts)

  /** Lower is better: soft-rule penalties, vGPU on an empty GPU, scarce devices, load after placement. */
  score(hc: HostCap, vm: SnapshotVm, needs: VmNeeds, ctx: RuleCtx): number {
    return score(this, hc, vm, needs, ctx);
  }

  /** The tie-break after the score: the other resource's share after placement (lower wins; packing: higher). */
  secondary(hc: HostCap, vm: SnapshotVm): number {
    return secondary(this, hc, vm);
  }

  place(vmOrId: SnapshotVm | string, opts: CapacityPlaceOptions = {}): PlacementOutcome {
    return place(this, vmOrId, opts);
  }
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
