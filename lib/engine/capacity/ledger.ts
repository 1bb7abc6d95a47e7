// The ledger: what each VM holds (host vCPU, memory, device units), kept in sync with the hot-loop
// mirrors and the load order. Planners try placements against shrinking capacity and undo them:
// commit / release record into a journal between mark() and rollback() / unmark().
import type { DeviceAllocation, SnapshotVm } from "../types";
import type { Capacity, HeldVm } from "./index";
import type { Placed } from "./search";
import { hostLoad } from "./score";

/** Host i's load changed: move it to its place in the load order (one insertion step). */
export function touch(cap: Capacity, i: number): void {
  const load = cap.loadA;
  const order = cap.orderA;
  const pos = cap.posA;
  const l = (load[i] = hostLoad(cap, i));
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

export function hold(cap: Capacity, h: HeldVm): void {
  const vmId = h.vm.id;
  const hc = cap.hosts[h.hostIdx];
  hc.cpuUsed += h.vcpus;
  hc.memUsed += h.memoryMiB;
  cap.cpuFreeA[h.hostIdx] -= h.vcpus;
  cap.memFreeA[h.hostIdx] -= h.memoryMiB;
  touch(cap, h.hostIdx);
  hc.vms.add(h.vm);
  let kept: DeviceAllocation[] | null = null;
  for (let k = 0; k < h.allocations.length; k++) {
    const a = h.allocations[k];
    if (takeUnit(cap, vmId, a)) {
      if (kept) kept.push(a);
    } else if (!kept) kept = h.allocations.slice(0, k);
  }
  cap.heldOv.set(vmId, kept ? { ...h, allocations: kept } : h);
}

export function takeUnit(cap: Capacity, vmId: string, a: DeviceAllocation): boolean {
  if (a.type === "sriov") {
    const ns = a.nicId ? cap.nicById.get(a.nicId) : undefined;
    const vf = a.vf ?? -1;
    if (!ns || vf < 0 || vf >= ns.holders.length || ns.holders[vf] !== null) return false;
    ns.holders[vf] = vmId;
    ns.used++;
    if (ns.nic.linkUp) {
      const p = cap.hosts[ns.hostIdx].pools.get(ns.poolId)!;
      p.free--;
      cap.hosts[ns.hostIdx].freeUnits--;
      cap.freeUnitsA[ns.hostIdx]--;
    }
    return true;
  }
  const gs = a.gpuId ? cap.gpuById.get(a.gpuId) : undefined;
  if (!gs) return false;
  const slot = gs.vgpu ? (a.slot ?? -1) : 0;
  if (slot < 0 || slot >= gs.holders.length || gs.holders[slot] !== null) return false;
  if ((a.type === "vgpu") !== gs.vgpu) return false;
  gs.holders[slot] = vmId;
  gs.used++;
  const p = cap.hosts[gs.hostIdx].pools.get(gs.poolId)!;
  p.free--;
  cap.hosts[gs.hostIdx].freeUnits--;
  cap.freeUnitsA[gs.hostIdx]--;
  return true;
}

function freeUnit(cap: Capacity, a: DeviceAllocation): void {
  if (a.type === "sriov") {
    const ns = cap.nicById.get(a.nicId!)!;
    ns.holders[a.vf!] = null;
    ns.used--;
    if (ns.nic.linkUp) {
      cap.hosts[ns.hostIdx].pools.get(ns.poolId)!.free++;
      cap.hosts[ns.hostIdx].freeUnits++;
      cap.freeUnitsA[ns.hostIdx]++;
    }
    return;
  }
  const gs = cap.gpuById.get(a.gpuId!)!;
  gs.holders[gs.vgpu ? a.slot! : 0] = null;
  gs.used--;
  cap.hosts[gs.hostIdx].pools.get(gs.poolId)!.free++;
  cap.hosts[gs.hostIdx].freeUnits++;
  cap.freeUnitsA[gs.hostIdx]++;
}

/** Release everything a VM holds (its host's vCPU, memory and devices). */
export function release(cap: Capacity, vmId: string): void {
  const h = cap.heldOf(vmId);
  if (!h) return;
  if (cap.journaling) cap.journal.push({ vm: h.vm, prev: h });
  releaseRaw(cap, vmId, h);
}

export function releaseRaw(cap: Capacity, vmId: string, h: HeldVm): void {
  const hc = cap.hosts[h.hostIdx];
  hc.cpuUsed -= h.vcpus;
  hc.memUsed -= h.memoryMiB;
  cap.cpuFreeA[h.hostIdx] += h.vcpus;
  cap.memFreeA[h.hostIdx] += h.memoryMiB;
  touch(cap, h.hostIdx);
  hc.vms.delete(vmId);
  for (const a of h.allocations) freeUnit(cap, a);
  cap.heldOv.set(vmId, null);
}

/** Apply a placement: the VM releases what it held and takes the new host and devices. */
export function commit(cap: Capacity, outcome: Placed, vmIfNew?: SnapshotVm): void {
  let vm = cap.lastPlaced && cap.lastPlaced.id === outcome.vmId ? cap.lastPlaced : cap.vmById.get(outcome.vmId);
  if (!vm && vmIfNew) {
    vm = vmIfNew;
    cap.extraVms.push(vm);
    cap.vmById.set(vm.id, vm);
  }
  if (!vm) return;
  const prev = cap.heldOfVm(vm) ?? null;
  if (cap.journaling) cap.journal.push({ vm, prev });
  if (prev) releaseRaw(cap, vm.id, prev);
  const hostIdx = cap.hostIdxById.get(outcome.hostId)!;
  hold(cap, { vm, hostIdx, vcpus: vm.vcpus, memoryMiB: vm.memoryMiB, allocations: outcome.allocations });
}

/** Start recording changes; rollback() undoes everything since the matching mark. */
export function mark(cap: Capacity): number {
  cap.journaling++;
  return cap.journal.length;
}

export function rollback(cap: Capacity, mark: number): void {
  while (cap.journal.length > mark) {
    const { vm, prev } = cap.journal.pop()!;
    const cur = cap.heldOfVm(vm);
    if (cur) releaseRaw(cap, vm.id, cur);
    if (prev) hold(cap, prev);
  }
  cap.journaling = Math.max(0, cap.journaling - 1);
}

/** Stop recording without undoing. */
export function unmark(cap: Capacity): void {
  cap.journaling = Math.max(0, cap.journaling - 1);
  if (!cap.journaling) cap.journal.length = 0;
}
