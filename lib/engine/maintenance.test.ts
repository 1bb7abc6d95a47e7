import { describe, expect, it } from "vitest";
import { planEvacuation, planGpuModeSwitch, vmOperationAllowed, type VmOperation } from "./maintenance";
import { snapshotFromSpec, type SpecHost, type SpecVm } from "./testkit";

const H = (name: string, extra: Partial<SpecHost> = {}): SpecHost => ({ name, cpus: 32, memoryGiB: 256, ...extra });
const V = (name: string, extra: Partial<SpecVm> = {}): SpecVm => ({ name, vcpus: 4, memoryGiB: 16, ...extra });
const L40 = "NVIDIA L40S";

describe("planEvacuation", () => {
  const spec = {
    hosts: [H("h1", { gpus: [{ model: L40 }] }), H("h2", { gpus: [{ model: L40 }] }), H("h3", { cpus: 8 })],
    vms: [
      V("web1", { host: "h1" }),
      V("web2", { host: "h1" }),
      V("g1", { host: "h1", devices: [{ type: "gpu" as const, tag: L40 }] }),
      V("other", { host: "h2" }),
    ],
  };
  it("live-migrates standard VMs and powers off device VMs (started again on maintenance exit)", () => {
    const plan = planEvacuation(snapshotFromSpec(spec), "h1");
    expect(plan.migrations.map((m) => m.vmId).sort()).toEqual(["web1", "web2"]);
    expect(plan.migrations.every((m) => m.toHostId !== "h1")).toBe(true);
    expect(plan.powerOffs).toEqual([
      { vmId: "g1", reason: "g1 uses GPUs, vGPUs or SR-IOV VFs and cannot live-migrate; it is powered off and starts again when h1 leaves maintenance" },
    ]);
    expect(plan.rebuilds).toEqual([]);
    expect(plan.blocked).toEqual([]);
  });
  it("rebuilds device VMs elsewhere when asked and a tagged device is free", () => {
    const plan = planEvacuation(snapshotFromSpec(spec), "h1", { rebuildDeviceVms: true });
    expect(plan.rebuilds.map((r) => [r.vmId, r.hostId, r.allocations[0].key])).toEqual([["g1", "h2", "gpu:h2-gpu0"]]);
    expect(plan.powerOffs).toEqual([]);
  });
  it("powers a device VM off when no tagged device is free elsewhere, even when asked to rebuild", () => {
    const s = snapshotFromSpec({ ...spec, vms: [...spec.vms, V("g2", { host: "h2", devices: [{ type: "gpu", tag: L40 }] })] });
    const plan = planEvacuation(s, "h1", { rebuildDeviceVms: true });
    expect(plan.powerOffs.map((p) => p.vmId)).toEqual(["g1"]);
    expect(plan.powerOffs[0].reason).toContain("no other host can rebuild it");
  });
  it("blocks on standard VMs with nowhere to go", () => {
    const s = snapshotFromSpec({ hosts: [H("h1"), H("h2", { cpus: 6 })], vms: [V("a", { host: "h1" }), V("b", { host: "h1" })] });
    const plan = planEvacuation(s, "h1");
    expect(plan.migrations.map((m) => [m.vmId, m.toHostId])).toEqual([["a", "h2"]]);
    expect(plan.blocked.map((b) => b.vmId)).toEqual(["b"]);
    expect(plan.blocked[0].reasons).toContain("h2: not enough vCPU: needs 4, 2 free");
  });
  it("honours placement rules while migrating (anti-affinity must)", () => {
    const s = snapshotFromSpec({
      hosts: [H("h1"), H("h2"), H("h3")],
      vms: [V("a", { host: "h1" }), V("b", { host: "h2" })],
      groups: [{ name: "apart", type: "vm-vm-anti-affinity", vms: ["a", "b"] }],
    });
    expect(planEvacuation(s, "h1").migrations.map((m) => [m.vmId, m.toHostId])).toEqual([["a", "h3"]]);
  });
});

describe("vmOperationAllowed", () => {
  type Vm = Parameters<typeof vmOperationAllowed>[0];
  const gpuVm: Vm = { name: "g", power: "running", hostId: "h1", devices: [{ type: "gpu", tag: L40, count: 1 }], allocations: [] };
  const vfVm: Vm = { name: "t", power: "running", hostId: "h1", devices: [{ type: "sriov", tag: "t", count: 1 }], allocations: [] };
  const stdVm: Vm = { name: "s", power: "running", hostId: "h1", devices: [], allocations: [] };
  const offGpu: Vm = { ...gpuVm, power: "stopped", hostId: null };
  const cases: [string, Parameters<typeof vmOperationAllowed>[0], VmOperation, boolean, string | undefined][] = [
    ["GPU VM live-migrate", gpuVm, "live-migrate", false, "g uses GPUs, vGPUs or SR-IOV VFs, which cannot live-migrate; power it off and start it elsewhere"],
    ["VF VM live-migrate", vfVm, "live-migrate", false, "t uses GPUs, vGPUs or SR-IOV VFs, which cannot live-migrate; power it off and start it elsewhere"],
    ["standard VM live-migrate", stdVm, "live-migrate", true, undefined],
    ["GPU VM pause", gpuVm, "pause", false, "g has a GPU or vGPU: GPU VMs cannot be paused or resumed"],
    ["VF VM pause", vfVm, "pause", true, undefined],
    ["GPU VM memory hot-add", gpuVm, "memory-hot-add", false, "g has a GPU or vGPU: memory cannot be hot-added; power it off to change memory"],
    ["standard memory hot-add", stdVm, "memory-hot-add", true, undefined],
    ["GPU hot-add while running", stdVm, "gpu-hot-add", false, "GPUs cannot be added to a running VM; power s off first"],
    ["GPU hot-remove while running", gpuVm, "gpu-hot-remove", false, "GPUs cannot be removed from a running VM; power g off first"],
    ["GPU config while running", gpuVm, "gpu-config-change", false, "GPU configuration changes only while the VM is off; g is running"],
    ["GPU config while off", offGpu, "gpu-config-change", true, undefined],
    ["GPU add while off", offGpu, "gpu-hot-add", true, undefined],
    ["live-migrate a stopped VM", { ...stdVm, power: "stopped", hostId: null }, "live-migrate", false, "s is not running (stopped)"],
  ];
  it.each(cases)("%s", (_n, vm, op, allowed, reason) => {
    expect(vmOperationAllowed(vm, op)).toEqual(reason ? { allowed, reason } : { allowed });
  });
});

describe("planGpuModeSwitch", () => {
  const spec = {
    hosts: [
      H("h1", { gpus: [{ id: "h1-gpu0", model: "NVIDIA Tesla M60" }] }),
      H("h2", { gpus: [{ id: "h2-gpu0", model: "NVIDIA Tesla M60" }] }),
    ],
    vms: [
      V("g1", { host: "h1", devices: [{ type: "gpu" as const, tag: "NVIDIA Tesla M60" }] }),
      V("g2", { devices: [{ type: "gpu" as const, tag: "NVIDIA Tesla M60" }] }),
      V("named", { devices: [{ type: "gpu" as const, tag: "NVIDIA Tesla M60", gpuId: "h2-gpu0" }] }),
    ],
  };
  it("needs the host in maintenance, and the GPU unused", () => {
    const r = planGpuModeSwitch(snapshotFromSpec(spec), "h1-gpu0", "compute");
    expect(r.allowed).toBe(false);
    expect(r.reasons).toEqual(["host h1 must be in maintenance to switch GPU mode (it is online)", "GPU h1-gpu0 is in use by VM g1"]);
    expect([r.oldTag, r.newTag]).toEqual(["NVIDIA Tesla M60", "NVIDIA Tesla M60.compute"]);
  });
  it("in maintenance: allowed, and lists the VMs whose requests no longer match", () => {
    const s = snapshotFromSpec(spec);
    s.hosts[1].state = "maintenance";
    const r = planGpuModeSwitch(s, "h2-gpu0", "compute");
    expect(r.allowed).toBe(true);
    expect(r.reasons).toEqual([]);
    expect(r.vmsToReconfigure).toEqual([{ vmId: "named", vmName: "named", request: '1 × gpu "NVIDIA Tesla M60" (GPU h2-gpu0 by name)' }]);
  });
  it("when the last GPU of a tag changes mode, every VM asking for the old tag must be reconfigured", () => {
    const s = snapshotFromSpec({ hosts: [H("h1", { state: "maintenance", gpus: [{ id: "g0", model: "NVIDIA Tesla M60" }] })], vms: [V("a", { devices: [{ type: "gpu", tag: "NVIDIA Tesla M60" }] })] });
    const r = planGpuModeSwitch(s, "g0", "compute");
    expect(r.vmsToReconfigure.map((v) => v.vmId)).toEqual(["a"]);
  });
  it("refuses a no-op and an unknown GPU", () => {
    const s = snapshotFromSpec(spec);
    s.hosts[1].state = "maintenance";
    expect(planGpuModeSwitch(s, "h2-gpu0", "graphics").reasons).toEqual(["GPU h2-gpu0 is already in graphics mode"]);
    expect(planGpuModeSwitch(s, "nope", "compute").reasons).toEqual(["GPU nope is not in the cluster"]);
  });
});
