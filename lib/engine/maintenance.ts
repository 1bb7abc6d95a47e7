// Maintenance: evacuation plans, GPU VM operation limits, GPU mode switches.
import type { ClusterSnapshot, EvacuationPlan, GpuMode, SnapshotVm } from "./types";
import { buildCapacity, type Placed } from "./capacity";
import { PRIORITY_RANK } from "./ha";
import { compareStr, gpuDeviceTag } from "./tags";

export type VmOperation = "live-migrate" | "pause" | "memory-hot-add" | "gpu-hot-add" | "gpu-hot-remove" | "gpu-config-change";

/** A VM that uses passthrough GPUs, vGPUs or SR-IOV VFs (by request or allocation). */
export function hasDevices(vm: Pick<SnapshotVm, "devices" | "allocations">): boolean {
  return vm.devices.length > 0 || vm.allocations.length > 0;
}

function hasGpu(vm: Pick<SnapshotVm, "devices" | "allocations">): boolean {
  return vm.devices.some((d) => d.type !== "sriov") || vm.allocations.some((a) => a.type !== "sriov");
}

function isOff(vm: Pick<SnapshotVm, "power" | "hostId">): boolean {
  return !vm.hostId && (vm.power === "stopped" || vm.power === "error");
}

/** Whether an operation is allowed for a VM now, with the reason when it is not. */
export function vmOperationAllowed(
  vm: Pick<SnapshotVm, "name" | "power" | "hostId" | "devices" | "allocations">,
  op: VmOperation,
): { allowed: boolean; reason?: string } {
  switch (op) {
    case "live-migrate":
      if (hasDevices(vm)) return { allowed: false, reason: `${vm.name} uses GPUs, vGPUs or SR-IOV VFs, which cannot live-migrate; power it off and start it elsewhere` };
      if (vm.power !== "running") return { allowed: false, reason: `${vm.name} is not running (${vm.power})` };
      return { allowed: true };
    case "pause":
      if (hasGpu(vm)) return { allowed: false, reason: `${vm.name} has a GPU or vGPU: GPU VMs cannot be paused or resumed` };
      if (vm.power !== "running") return { allowed: false, reason: `${vm.name} is not running (${vm.power})` };
      return { allowed: true };
    case "memory-hot-add":
      if (hasGpu(vm)) return { allowed: false, reason: `${vm.name} has a GPU or vGPU: memory cannot be hot-added; power it off to change memory` };
      if (vm.power !== "running") return { allowed: false, reason: `${vm.name} is not running (${vm.power}); change memory in its configuration` };
      return { allowed: true };
    case "gpu-hot-add":
    case "gpu-hot-remove":
      if (isOff(vm)) return { allowed: true };
      return { allowed: false, reason: `GPUs cannot be ${op === "gpu-hot-add" ? "added to" : "removed from"} a running VM; power ${vm.name} off first` };
    case "gpu-config-change":
      if (isOff(vm)) return { allowed: true };
      return { allowed: false, reason: `GPU configuration changes only while the VM is off; ${vm.name} is ${vm.power}` };
  }
}

/**
 * Evacuate a host entering maintenance: standard VMs live-migrate under the placement rules;
 * device VMs are powered off (started again on maintenance exit), or rebuilt elsewhere when asked
 * and their tags allow.
 */
export function planEvacuation(snapshot: ClusterSnapshot, hostId: string, opts: { rebuildDeviceVms?: boolean } = {}): EvacuationPlan {
  const cap = buildCapacity(snapshot, { excludeHostIds: [hostId] });
  const plan: EvacuationPlan = { hostId, migrations: [], powerOffs: [], rebuilds: [], blocked: [] };
  const idx = cap.hostIdxById.get(hostId);
  if (idx === undefined) return plan;
  const host = cap.hosts[idx].host;
  const vms = [...cap.hosts[idx].vms];
  // Device VMs first when rebuilding (scarce), then by priority and size; names break ties.
  vms.sort(
    (a, b) =>
      Number(hasDevices(b)) - Number(hasDevices(a)) ||
      PRIORITY_RANK[a.haPriority] - PRIORITY_RANK[b.haPriority] ||
      b.memoryMiB - a.memoryMiB ||
      b.vcpus - a.vcpus ||
      compareStr(a.name, b.name) ||
      compareStr(a.id, b.id),
  );
  for (const vm of vms) {
    if (hasDevices(vm)) {
      const cannot = `${vm.name} uses GPUs, vGPUs or SR-IOV VFs and cannot live-migrate`;
      if (opts.rebuildDeviceVms) {
        const out = cap.place(vm, { purpose: "evacuate", ignoreReserve: true, excludeHostIds: [hostId], explain: false });
        if (out.kind === "placed") {
          cap.commit(out);
          plan.rebuilds.push({ ...out, reasons: [`${cannot}; rebuilt on ${out.hostName} with the same device tags`, ...out.reasons] });
          continue;
        }
        plan.powerOffs.push({
          vmId: vm.id,
          reason: `${cannot}; no other host can rebuild it (${out.reasons.slice(1, 4).join("; ")}); it is powered off and starts again when ${host.name} leaves maintenance`,
        });
        continue;
      }
      plan.powerOffs.push({ vmId: vm.id, reason: `${cannot}; it is powered off and starts again when ${host.name} leaves maintenance` });
      continue;
    }
    const out = cap.place(vm, { purpose: "evacuate", ignoreReserve: true, excludeHostIds: [hostId], explain: false });
    if (out.kind === "placed") {
      cap.commit(out);
      plan.migrations.push({ vmId: vm.id, toHostId: out.hostId, reasons: [`live-migrate to ${out.hostName}`, ...out.reasons] });
    } else {
      plan.blocked.push({ vmId: vm.id, reasons: out.reasons });
    }
  }
  return plan;
}

/** Placed outcomes of an evacuation plan's rebuilds (helper for callers). */
export type EvacuationRebuild = Placed;

/**
 * Switching a GPU between graphics and compute mode changes its tag. Needs the host in
 * maintenance and the GPU unused; lists the VMs whose requests no longer match.
 */
export function planGpuModeSwitch(
  snapshot: ClusterSnapshot,
  gpuId: string,
  newMode: GpuMode,
): { allowed: boolean; reasons: string[]; oldTag: string; newTag: string; vmsToReconfigure: { vmId: string; vmName: string; request: string }[] } {
  const host = snapshot.hosts.find((h) => h.gpus.some((g) => g.id === gpuId));
  const gpu = host?.gpus.find((g) => g.id === gpuId);
  if (!host || !gpu) return { allowed: false, reasons: [`GPU ${gpuId} is not in the cluster`], oldTag: "", newTag: "", vmsToReconfigure: [] };
  const old = gpuDeviceTag(gpu);
  const neu = gpuDeviceTag({ ...gpu, mode: newMode });
  const reasons: string[] = [];
  if (gpu.mode === newMode) reasons.push(`GPU ${gpu.name} is already in ${newMode} mode`);
  if (host.state !== "maintenance") reasons.push(`host ${host.name} must be in maintenance to switch GPU mode (it is ${host.state})`);
  const holders = snapshot.vms.filter((vm) => vm.hostId && vm.allocations.some((a) => a.gpuId === gpuId));
  for (const vm of holders.sort((a, b) => compareStr(a.name, b.name))) reasons.push(`GPU ${gpu.name} is in use by VM ${vm.name}`);

  // After the switch, does any other GPU still carry the old tag?
  const oldStillExists = snapshot.hosts.some((h) => h.gpus.some((g) => g.id !== gpuId && gpuDeviceTag(g).tag === old.tag && gpuDeviceTag(g).type === old.type));
  const list: { vmId: string; vmName: string; request: string }[] = [];
  const seen = new Set<string>();
  for (const vm of [...snapshot.vms].sort((a, b) => compareStr(a.name, b.name) || compareStr(a.id, b.id))) {
    for (const d of vm.devices) {
      const named = d.gpuId === gpuId;
      const sameTag = d.type === old.type && d.tag === old.tag;
      const onThisGpu = vm.allocations.some((a) => a.gpuId === gpuId) || vm.hostId === host.id;
      if (named || (sameTag && (!oldStillExists || onThisGpu))) {
        const key = `${vm.id}|${d.type}|${d.tag}`;
        if (seen.has(key)) continue;
        seen.add(key);
        list.push({ vmId: vm.id, vmName: vm.name, request: `${d.count} × ${d.type} "${d.tag}"${named ? ` (GPU ${gpu.name} by name)` : ""}` });
      }
    }
  }
  return { allowed: reasons.length === 0, reasons, oldTag: old.tag, newTag: neu.tag, vmsToReconfigure: list };
}
