// Table-driven: each inventory schema accepts valid inputs (JSON and form-shaped) and
// refuses invalid ones with the field named.
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { formDataToObject } from "./form-data";
import {
  ZClearNicTagInput,
  ZCreateGpuInput,
  ZCreateHostInput,
  ZCreateNetworkInput,
  ZCreateNicInput,
  ZCreatePlacementGroupInput,
  ZCreateVmInput,
  ZSetNicTagInput,
  ZUpdateHostInput,
  ZUpdateVmInput,
} from "./inventory";

function paths(schema: z.ZodType, input: unknown): string[] {
  const r = schema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.path.join("."));
}

const host = { name: "h1", cpus: 64, memoryGiB: 512 };
const gpu = { hostId: "h", model: "NVIDIA Tesla M60", pciAddress: "0000:3b:00.0" };
const nic = { hostId: "h", name: "ens1f0" };
const net = { name: "prod", managed: true, cidr: "10.0.0.0/24", gateway: "10.0.0.1", dns: ["10.0.0.2"], poolStart: "10.0.0.10", poolEnd: "10.0.0.20" };
const vm = { name: "vm-1", vcpus: 4, memoryGiB: 8 };

type Case = [name: string, schema: z.ZodType, input: unknown, field: string | null];

const cases: Case[] = [
  // hosts
  ["host ok", ZCreateHostInput, host, null],
  ["host fqdn ok", ZCreateHostInput, { ...host, name: "gpu-01.dc1" }, null],
  ["host memory in MiB ok", ZCreateHostInput, { name: "h1", cpus: "8", memoryMiB: "8192" }, null],
  ["host name blank", ZCreateHostInput, { ...host, name: "" }, "name"],
  ["host name with space", ZCreateHostInput, { ...host, name: "h 1" }, "name"],
  ["host cpus 0", ZCreateHostInput, { ...host, cpus: 0 }, "cpus"],
  ["host cpus fraction", ZCreateHostInput, { ...host, cpus: 1.5 }, "cpus"],
  ["host cpus text", ZCreateHostInput, { ...host, cpus: "many" }, "cpus"],
  ["host no memory", ZCreateHostInput, { name: "h1", cpus: 8 }, "memoryMiB"],
  ["host memory both disagree", ZCreateHostInput, { ...host, memoryMiB: 1024 }, "memoryMiB"],
  ["host update needs id", ZUpdateHostInput, host, "id"],
  // GPUs
  ["gpu ok", ZCreateGpuInput, gpu, null],
  ["gpu vgpu ok", ZCreateGpuInput, { ...gpu, vgpuProfile: "M60-2Q", vgpuSlots: "4", mode: "compute" }, null],
  ["gpu pci short", ZCreateGpuInput, { ...gpu, pciAddress: "3b:00.0" }, "pciAddress"],
  ["gpu pci function 8", ZCreateGpuInput, { ...gpu, pciAddress: "0000:3b:00.8" }, "pciAddress"],
  ["gpu model slash", ZCreateGpuInput, { ...gpu, model: "A/B" }, "model"],
  ["gpu mode", ZCreateGpuInput, { ...gpu, mode: "turbo" }, "mode"],
  ["gpu profile without slots", ZCreateGpuInput, { ...gpu, vgpuProfile: "M60-2Q" }, "vgpuSlots"],
  ["gpu slots without profile", ZCreateGpuInput, { ...gpu, vgpuSlots: 4 }, "vgpuProfile"],
  ["gpu slots 0", ZCreateGpuInput, { ...gpu, vgpuProfile: "M60-2Q", vgpuSlots: 0 }, "vgpuSlots"],
  ["gpu slots 65", ZCreateGpuInput, { ...gpu, vgpuProfile: "M60-2Q", vgpuSlots: 65 }, "vgpuSlots"],
  ["gpu profile with slash", ZCreateGpuInput, { ...gpu, vgpuProfile: "M60/2Q", vgpuSlots: 2 }, "vgpuProfile"],
  // NICs
  ["nic ok", ZCreateNicInput, { ...nic, role: "storage", sriovVfs: "256", tag: "a.b_c/d-e", bond: "stor0" }, null],
  ["nic name too long", ZCreateNicInput, { ...nic, name: "a".repeat(16) }, "name"],
  ["nic role", ZCreateNicInput, { ...nic, role: "uplink" }, "role"],
  ["nic vfs 257", ZCreateNicInput, { ...nic, sriovVfs: 257 }, "sriovVfs"],
  ["nic vfs negative", ZCreateNicInput, { ...nic, sriovVfs: -1 }, "sriovVfs"],
  ["nic tag space", ZCreateNicInput, { ...nic, tag: "a b" }, "tag"],
  ["nic tag 65", ZCreateNicInput, { ...nic, tag: "t".repeat(65) }, "tag"],
  ["nic tag 64 ok", ZCreateNicInput, { ...nic, tag: "t".repeat(64) }, null],
  ["set tag ok", ZSetNicTagInput, { nicId: "n", tag: "trading-a" }, null],
  ["set tag bad", ZSetNicTagInput, { nicId: "n", tag: "trading a!" }, "tag"],
  ["set tag empty", ZSetNicTagInput, { nicId: "n", tag: "" }, "tag"],
  ["clear tag needs nic", ZClearNicTagInput, {}, "nicId"],
  // networks
  ["net managed ok", ZCreateNetworkInput, net, null],
  ["net unmanaged ok", ZCreateNetworkInput, { name: "ext", vlan: "10" }, null],
  ["net vlan 0", ZCreateNetworkInput, { name: "ext", vlan: 0 }, "vlan"],
  ["net vlan 4095", ZCreateNetworkInput, { name: "ext", vlan: 4095 }, "vlan"],
  ["net unmanaged with cidr", ZCreateNetworkInput, { name: "ext", cidr: "10.0.0.0/24" }, "cidr"],
  ["net unmanaged with dns", ZCreateNetworkInput, { name: "ext", dns: "1.1.1.1" }, "dns"],
  ["net managed no cidr", ZCreateNetworkInput, { ...net, cidr: undefined }, "cidr"],
  ["net cidr host bits", ZCreateNetworkInput, { ...net, cidr: "10.0.0.5/24" }, "cidr"],
  ["net cidr /31", ZCreateNetworkInput, { ...net, cidr: "10.0.0.0/31" }, "cidr"],
  ["net gateway outside", ZCreateNetworkInput, { ...net, gateway: "10.0.1.1" }, "gateway"],
  ["net gateway network address", ZCreateNetworkInput, { ...net, gateway: "10.0.0.0" }, "gateway"],
  ["net gateway in pool", ZCreateNetworkInput, { ...net, gateway: "10.0.0.15" }, "gateway"],
  ["net no dns", ZCreateNetworkInput, { ...net, dns: [] }, "dns"],
  ["net bad dns", ZCreateNetworkInput, { ...net, dns: "10.0.0.2, dns.example" }, "dns"],
  ["net pool reversed", ZCreateNetworkInput, { ...net, poolStart: "10.0.0.20", poolEnd: "10.0.0.10" }, "poolEnd"],
  ["net pool outside", ZCreateNetworkInput, { ...net, poolEnd: "10.0.1.20" }, "poolEnd"],
  ["net no pool start", ZCreateNetworkInput, { ...net, poolStart: "" }, "poolStart"],
  // VMs
  ["vm ok", ZCreateVmInput, vm, null],
  [
    "vm full ok",
    ZCreateVmInput,
    {
      ...vm,
      haPriority: "off",
      hostAffinity: ["h1", "h2"],
      deviceRequests: [{ type: "gpu", tag: "NVIDIA Tesla M60", gpuId: "g1" }, { type: "vgpu", tag: "NVIDIA Tesla M60/M60-2Q", count: 16 }, { type: "sriov", tag: "trading-a", count: 2 }],
      nics: [{ networkId: "n1", staticIp: "10.0.0.5" }, { networkId: "n1" }],
      disks: [{ sizeGiB: 65536, bus: "ide" }, { sizeGiB: 1 }],
    },
    null,
  ],
  ["vm name blank", ZCreateVmInput, { ...vm, name: "" }, "name"],
  ["vm name dot", ZCreateVmInput, { ...vm, name: "vm.1" }, "name"],
  ["vm name ends dash", ZCreateVmInput, { ...vm, name: "vm-" }, "name"],
  ["vm name 64", ZCreateVmInput, { ...vm, name: "a".repeat(64) }, "name"],
  ["vm vcpus 0", ZCreateVmInput, { ...vm, vcpus: 0 }, "vcpus"],
  ["vm vcpus 513", ZCreateVmInput, { ...vm, vcpus: 513 }, "vcpus"],
  ["vm vcpus blank", ZCreateVmInput, { ...vm, vcpus: "" }, "vcpus"],
  ["vm memory missing", ZCreateVmInput, { name: "v", vcpus: 1 }, "memoryMiB"],
  ["vm memory MiB too small", ZCreateVmInput, { name: "v", vcpus: 1, memoryMiB: 100 }, "memoryMiB"],
  ["vm priority", ZCreateVmInput, { ...vm, haPriority: "urgent" }, "haPriority"],
  ["vm device type", ZCreateVmInput, { ...vm, deviceRequests: [{ type: "fpga", tag: "x" }] }, "deviceRequests.0.type"],
  ["vm device tag blank", ZCreateVmInput, { ...vm, deviceRequests: [{ type: "gpu", tag: "" }] }, "deviceRequests.0.tag"],
  ["vm sriov tag bad", ZCreateVmInput, { ...vm, deviceRequests: [{ type: "sriov", tag: "bad tag" }] }, "deviceRequests.0.tag"],
  ["vm device count 0", ZCreateVmInput, { ...vm, deviceRequests: [{ type: "sriov", tag: "t", count: 0 }] }, "deviceRequests.0.count"],
  ["vm device count 17", ZCreateVmInput, { ...vm, deviceRequests: [{ type: "sriov", tag: "t", count: 17 }] }, "deviceRequests.0.count"],
  ["vm gpuId on vgpu", ZCreateVmInput, { ...vm, deviceRequests: [{ type: "vgpu", tag: "t", gpuId: "g" }] }, "deviceRequests.0.gpuId"],
  ["vm named gpu count 2", ZCreateVmInput, { ...vm, deviceRequests: [{ type: "gpu", tag: "t", gpuId: "g", count: 2 }] }, "deviceRequests.0.count"],
  ["vm same gpu twice", ZCreateVmInput, { ...vm, deviceRequests: [{ type: "gpu", tag: "t", gpuId: "g" }, { type: "gpu", tag: "t", gpuId: "g" }] }, "deviceRequests.1.gpuId"],
  ["vm 17 requests", ZCreateVmInput, { ...vm, deviceRequests: Array.from({ length: 17 }, () => ({ type: "sriov", tag: "t" })) }, "deviceRequests"],
  ["vm nic no network", ZCreateVmInput, { ...vm, nics: [{ staticIp: "10.0.0.1" }] }, "nics.0.networkId"],
  ["vm nic bad ip", ZCreateVmInput, { ...vm, nics: [{ networkId: "n", staticIp: "10.0.0.256" }] }, "nics.0.staticIp"],
  ["vm same static ip twice", ZCreateVmInput, { ...vm, nics: [{ networkId: "n", staticIp: "10.0.0.5" }, { networkId: "n", staticIp: "10.0.0.5" }] }, "nics.1.staticIp"],
  ["vm disk 0", ZCreateVmInput, { ...vm, disks: [{ sizeGiB: 0 }] }, "disks.0.sizeGiB"],
  ["vm disk 65537", ZCreateVmInput, { ...vm, disks: [{ sizeGiB: 65537 }] }, "disks.0.sizeGiB"],
  ["vm disk bus", ZCreateVmInput, { ...vm, disks: [{ sizeGiB: 10, bus: "nvme" }] }, "disks.0.bus"],
  ["vm update needs id", ZUpdateVmInput, vm, "id"],
  // placement groups
  ["pg vm-host ok", ZCreatePlacementGroupInput, { name: "pin", type: "vm-host", vmIds: "v1", hostIds: ["h1"] }, null],
  ["pg anti ok", ZCreatePlacementGroupInput, { name: "spread", type: "vm-vm-anti-affinity", enforcement: "should", vmIds: ["v1", "v2"] }, null],
  ["pg zone ok", ZCreatePlacementGroupInput, { name: "az", type: "zone", zoneId: "z1", vmIds: ["v1"] }, null],
  ["pg name blank", ZCreatePlacementGroupInput, { name: "", type: "zone", zoneId: "z", vmIds: ["v"] }, "name"],
  ["pg type", ZCreatePlacementGroupInput, { name: "g", type: "ring", vmIds: ["v"] }, "type"],
  ["pg enforcement", ZCreatePlacementGroupInput, { name: "g", type: "vm-vm-affinity", enforcement: "may", vmIds: ["a", "b"] }, "enforcement"],
  ["pg no vms", ZCreatePlacementGroupInput, { name: "g", type: "zone", zoneId: "z" }, "vmIds"],
  ["pg vm-vm one vm", ZCreatePlacementGroupInput, { name: "g", type: "vm-vm-affinity", vmIds: ["a"] }, "vmIds"],
  ["pg vm-host no hosts", ZCreatePlacementGroupInput, { name: "g", type: "vm-host", vmIds: ["a"] }, "hostIds"],
  ["pg hosts on zone group", ZCreatePlacementGroupInput, { name: "g", type: "zone", zoneId: "z", vmIds: ["a"], hostIds: ["h"] }, "hostIds"],
  ["pg zone group no zone", ZCreatePlacementGroupInput, { name: "g", type: "zone", vmIds: ["a"] }, "zoneId"],
  ["pg zone on vm-host group", ZCreatePlacementGroupInput, { name: "g", type: "vm-host", vmIds: ["a"], hostIds: ["h"], zoneId: "z" }, "zoneId"],
];

describe("inventory schemas", () => {
  it.each(cases)("%s", (_name, schema, input, field) => {
    const p = paths(schema, input);
    if (field === null) expect(p).toEqual([]);
    else expect(p).toContain(field);
  });

  it("normalises outputs: GiB → MiB, lowercase PCI, defaults, id lists", () => {
    expect(ZCreateHostInput.parse(host)).toMatchObject({ memoryMiB: 512 * 1024, storageControllerPresent: true });
    expect(ZCreateHostInput.parse(host)).not.toHaveProperty("memoryGiB");
    expect(ZCreateGpuInput.parse({ ...gpu, pciAddress: "0000:3B:00.0" })).toMatchObject({ pciAddress: "0000:3b:00.0", mode: "graphics", vendor: "NVIDIA" });
    expect(ZCreateNicInput.parse(nic)).toMatchObject({ role: "vm", sriovVfs: 0 });
    expect(ZCreateVmInput.parse({ ...vm, hostAffinity: "h1", deviceRequests: [{ type: "sriov", tag: "t" }] })).toMatchObject({
      memoryMiB: 8192,
      haPriority: "medium",
      hostAffinity: ["h1"],
      deviceRequests: [{ type: "sriov", tag: "t", count: 1 }],
      nics: [],
      disks: [],
    });
    expect(ZCreateNetworkInput.parse({ ...net, dns: "10.0.0.2, 10.0.0.3 10.0.0.4" }).dns).toEqual(["10.0.0.2", "10.0.0.3", "10.0.0.4"]);
  });

  it("a form's FormData parses to the same input (rows, checkboxes, multi-selects)", () => {
    const fd = new FormData();
    fd.append("$ACTION_ID_abc", "");
    fd.append("name", " vm-1 ");
    fd.append("vcpus", "4");
    fd.append("memoryGiB", "8");
    fd.append("hostAffinity", "h1");
    fd.append("hostAffinity", "h2");
    fd.append("deviceRequests.0.type", "sriov");
    fd.append("deviceRequests.0.tag", "trading-a");
    fd.append("deviceRequests.0.count", "2");
    fd.append("deviceRequests.0.gpuId", "");
    fd.append("disks.0.sizeGiB", "40");
    fd.append("disks.0.bus", "sata");
    const o = formDataToObject(fd);
    expect(o).toEqual({
      name: "vm-1",
      vcpus: "4",
      memoryGiB: "8",
      hostAffinity: ["h1", "h2"],
      deviceRequests: [{ type: "sriov", tag: "trading-a", count: "2" }],
      disks: [{ sizeGiB: "40", bus: "sata" }],
    });
    expect(ZCreateVmInput.parse(o)).toMatchObject({ vcpus: 4, deviceRequests: [{ count: 2 }], disks: [{ sizeGiB: 40, bus: "sata" }] });

    const hf = new FormData();
    hf.append("name", "h1");
    hf.append("cpus", "8");
    hf.append("memoryGiB", "64");
    hf.append("storageControllerPresent", "false");
    expect(ZCreateHostInput.parse(formDataToObject(hf)).storageControllerPresent).toBe(false);
    hf.append("storageControllerPresent", "true");
    expect(ZCreateHostInput.parse(formDataToObject(hf)).storageControllerPresent).toBe(true);
  });

  it("compacts sparse row indices", () => {
    expect(formDataToObject([["disks.2.sizeGiB", "5"], ["disks.0.sizeGiB", "1"]])).toEqual({ disks: [{ sizeGiB: "1" }, { sizeGiB: "5" }] });
  });
});
