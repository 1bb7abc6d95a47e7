import { describe, expect, it } from "vitest";
import { clusterTagSummary, gpuTag, hostDevicePools, isValidTagName, vgpuTag } from "./tags";
import { snapshotFromSpec } from "./testkit";

describe("gpuTag / vgpuTag", () => {
  it.each([
    ["NVIDIA Tesla M60", "graphics", "NVIDIA Tesla M60"],
    ["NVIDIA Tesla M60", "compute", "NVIDIA Tesla M60.compute"],
    ["NVIDIA A100-PCIE-40GB", "compute", "NVIDIA A100-PCIE-40GB.compute"],
  ] as const)("gpuTag(%s, %s) = %s", (model, mode, tag) => {
    expect(gpuTag(model, mode)).toBe(tag);
  });
  it.each([
    ["NVIDIA A100-PCIE-40GB", "compute", "A100-4C", "NVIDIA A100-PCIE-40GB.compute/A100-4C"],
    ["NVIDIA Tesla M60", "graphics", "M60-2Q", "NVIDIA Tesla M60/M60-2Q"],
  ] as const)("vgpuTag(%s, %s, %s) = %s", (model, mode, profile, tag) => {
    expect(vgpuTag(model, mode, profile)).toBe(tag);
  });
});

describe("isValidTagName", () => {
  it.each([
    ["trading-a", true],
    ["rack_7.gpu/east", true],
    ["a", true],
    ["x".repeat(64), true],
    ["x".repeat(65), false],
    ["", false],
    ["has space", false],
    ["tag:colon", false],
    ["émoji", false],
  ])("%j → %s", (name, ok) => {
    expect(isValidTagName(name)).toBe(ok);
  });
});

describe("hostDevicePools", () => {
  it("counts units per (type, tag): GPUs, vGPU slots, VFs of tagged NICs only", () => {
    const s = snapshotFromSpec({
      hosts: [
        {
          name: "h1",
          cpus: 32,
          memoryGiB: 256,
          gpus: [
            { model: "NVIDIA Tesla M60" },
            { model: "NVIDIA Tesla M60" },
            { model: "NVIDIA Tesla M60", mode: "compute" },
            { model: "NVIDIA A100-PCIE-40GB", mode: "compute", vgpu: { profile: "A100-4C", slots: 10 } },
            { model: "NVIDIA A100-PCIE-40GB", mode: "compute", vgpu: { profile: "A100-4C", slots: 10 } },
          ],
          nics: [
            { name: "ens1f0", sriovVfs: 8, tag: "trading-a" },
            { name: "ens1f1", sriovVfs: 4, tag: "trading-a" },
            { name: "ens2f0", sriovVfs: 16 },
            { name: "ens3f0", sriovVfs: 0, tag: "trading-b" },
          ],
        },
      ],
    });
    expect(hostDevicePools(s.hosts[0])).toEqual([
      { type: "gpu", tag: "NVIDIA Tesla M60", total: 2 },
      { type: "gpu", tag: "NVIDIA Tesla M60.compute", total: 1 },
      { type: "vgpu", tag: "NVIDIA A100-PCIE-40GB.compute/A100-4C", total: 20 },
      { type: "sriov", tag: "trading-a", total: 12 },
    ]);
  });
});

describe("clusterTagSummary", () => {
  it("gives total, free, hosts and the VMs using each tag", () => {
    const s = snapshotFromSpec({
      hosts: [
        { name: "h1", cpus: 32, memoryGiB: 256, nics: [{ name: "ens1f0", sriovVfs: 8, tag: "trading-a" }] },
        { name: "h2", cpus: 32, memoryGiB: 256, state: "failed", nics: [{ name: "ens1f0", sriovVfs: 4, tag: "trading-a" }] },
        { name: "h3", cpus: 32, memoryGiB: 256, gpus: [{ model: "NVIDIA L40S" }] },
      ],
      vms: [
        { name: "t1", vcpus: 2, memoryGiB: 4, host: "h1", devices: [{ type: "sriov", tag: "trading-a", count: 2 }] },
        { name: "t2", vcpus: 2, memoryGiB: 4, devices: [{ type: "sriov", tag: "trading-a" }] },
      ],
    });
    expect(clusterTagSummary(s)).toEqual([
      { type: "gpu", tag: "NVIDIA L40S", total: 1, free: 1, freeOnline: 1, hosts: ["h3"], vmIds: [] },
      { type: "sriov", tag: "trading-a", total: 12, free: 10, freeOnline: 6, hosts: ["h1", "h2"], vmIds: ["t1", "t2"] },
    ]);
  });
});
