// The concrete units on the chosen host: named GPUs first, then per pool the lowest-named free
// passthrough GPU, for vGPU the fullest partly used GPU of the profile (lowest free slot), for
// SR-IOV the lowest free VF of a NIC whose link is up. Nothing is taken here: commit() does that.
import type { DeviceAllocation, SnapshotVm } from "../types";
import type { Capacity, GpuState, HostCap, NicState } from "./index";
import type { VmNeeds } from "./rules";

/** Concrete devices on the chosen host (assumes fits() passed). */
export function allocate(cap: Capacity, hc: HostCap, vm: SnapshotVm, needs: VmNeeds): DeviceAllocation[] {
  const out: DeviceAllocation[] = [];
  const takenGpu = new Set<string>();
  const takenSlot = new Map<GpuState, Set<number>>();
  const takenVf = new Map<NicState, Set<number>>();
  const remaining = new Map<number, number>();
  for (const nd of needs.pools) remaining.set(nd.poolId, nd.count);
  const hostId = hc.host.id;
  for (const nm of needs.named) {
    const gs = cap.gpuById.get(nm.gpuId)!;
    if (takenGpu.has(gs.gpu.id)) continue;
    takenGpu.add(gs.gpu.id);
    const pid = gs.poolId;
    remaining.set(pid, (remaining.get(pid) ?? 1) - 1);
    out.push({ key: `gpu:${gs.gpu.id}`, type: "gpu", tag: cap.pools[pid].tag, hostId, gpuId: gs.gpu.id, slot: null, nicId: null, vf: null });
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
