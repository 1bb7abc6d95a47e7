// Fake sysfs trees for the agent's discovery tests and the three-host end-to-end story, laid out
// like the kernel's (and like the public fixtures of NVIDIA/go-nvlib pkg/nvpci + pkg/nvmdev,
// NVIDIA/vgpu-device-manager pkg/vgpu/vfio, sriov-network-device-plugin pkg/utils and kubevirt's
// mdev tests): devices under devices/pci0000:00/<addr>, bus/pci/devices/<addr> symlinks to them,
// driver and iommu_group links, virtfn<i>/physfn links, net/<if> under the function and
// class/net/<if> links, bonds under devices/virtual/net.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { configSpaceWithSerial } from "../../lib/agent/identity";

export interface FakeVf {
  address: string;
  driver?: string;
  /** SR-IOV vGPU: `nvidia/creatable_vgpu_types` content ("1414 : NVIDIA H200X-1-18C\n"). */
  creatable?: string;
  /** SR-IOV vGPU: `nvidia/current_vgpu_type` (0 = none). */
  current?: number;
  /** SR-IOV NIC: the VF's netdev name. */
  netdev?: string;
}

export interface FakeGpu {
  address: string;
  vendor?: number;
  device: number;
  subsystemVendor?: number;
  subsystemDevice?: number;
  /** "0x030200" (3D controller) by default; "0x030000" for VGA. */
  class?: string;
  driver?: string;
  numaNode?: number;
  iommuGroup?: number;
  /** PCIe Device Serial Number ("00-11-22-33-44-55-66-77"). */
  serial?: string;
  mdevTypes?: { id: string; name: string; available: number; deviceApi?: string }[];
  mdevs?: { uuid: string; type: string }[];
  sriov?: { totalVfs: number; vfs: FakeVf[] };
}

export interface FakeNic {
  name: string;
  address: string;
  vendor?: number;
  device?: number;
  driver?: string;
  mac: string;
  /** addr_assign_type 0 (permanent) by default. */
  permanentMac?: boolean;
  operstate?: "up" | "down" | "unknown";
  speedMbps?: number;
  serial?: string;
  numaNode?: number;
  sriov?: { totalVfs: number; vfs: FakeVf[] };
  /** Put the netdev under a virtio device below the PCI function (as on a VM). */
  virtio?: string;
}

export interface FakeBond {
  name: string;
  mode?: string;
  slaves: string[];
}

export interface FakeSysfsSpec {
  gpus?: FakeGpu[];
  nics?: FakeNic[];
  bonds?: FakeBond[];
  /** Other PCI functions (host bridge, storage): address → class. */
  others?: { address: string; class: string; vendor: number; device: number }[];
}

const hex = (n: number, w = 4) => `0x${n.toString(16).padStart(w, "0")}`;

function write(file: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

function link(target: string, at: string): void {
  fs.mkdirSync(path.dirname(at), { recursive: true });
  fs.rmSync(at, { force: true });
  fs.symlinkSync(target, at);
}

class Tree {
  constructor(readonly root: string) {}
  dev(addr: string): string {
    return path.join(this.root, "devices", "pci0000:00", addr);
  }
  fn(o: { address: string; vendor: number; device: number; class: string; driver?: string; numaNode?: number; iommuGroup?: number; serial?: string; subsystemVendor?: number; subsystemDevice?: number }): string {
    const d = this.dev(o.address);
    fs.mkdirSync(d, { recursive: true });
    write(path.join(d, "vendor"), `${hex(o.vendor)}\n`);
    write(path.join(d, "device"), `${hex(o.device)}\n`);
    write(path.join(d, "subsystem_vendor"), `${hex(o.subsystemVendor ?? o.vendor)}\n`);
    write(path.join(d, "subsystem_device"), `${hex(o.subsystemDevice ?? 0)}\n`);
    write(path.join(d, "class"), `${o.class}\n`);
    write(path.join(d, "numa_node"), `${o.numaNode ?? -1}\n`);
    write(path.join(d, "config"), configSpaceWithSerial(o.vendor, o.device, o.serial ?? null));
    if (o.driver) {
      fs.mkdirSync(path.join(this.root, "bus", "pci", "drivers", o.driver), { recursive: true });
      link(path.join(this.root, "bus", "pci", "drivers", o.driver), path.join(d, "driver"));
    }
    if (o.iommuGroup !== undefined) {
      fs.mkdirSync(path.join(this.root, "kernel", "iommu_groups", String(o.iommuGroup)), { recursive: true });
      link(path.join(this.root, "kernel", "iommu_groups", String(o.iommuGroup)), path.join(d, "iommu_group"));
    }
    link(path.join("..", "..", "..", "devices", "pci0000:00", o.address), path.join(this.root, "bus", "pci", "devices", o.address));
    return d;
  }
  netdev(parentDir: string, name: string, o: { mac: string; permanent?: boolean; operstate?: string; speed?: number }): string {
    const d = path.join(parentDir, "net", name);
    fs.mkdirSync(d, { recursive: true });
    write(path.join(d, "address"), `${o.mac}\n`);
    write(path.join(d, "addr_assign_type"), `${o.permanent === false ? 3 : 0}\n`);
    write(path.join(d, "operstate"), `${o.operstate ?? "up"}\n`);
    write(path.join(d, "carrier"), `${o.operstate === "down" ? 0 : 1}\n`);
    write(path.join(d, "speed"), `${o.speed ?? -1}\n`);
    link(parentDir, path.join(d, "device"));
    link(d, path.join(this.root, "class", "net", name));
    return d;
  }
  vfs(pfAddr: string, base: { vendor: number; device: number; class: string; numaNode?: number }, sriov: { totalVfs: number; vfs: FakeVf[] }, iommuBase: number): void {
    const pf = this.dev(pfAddr);
    write(path.join(pf, "sriov_totalvfs"), `${sriov.totalVfs}\n`);
    write(path.join(pf, "sriov_numvfs"), `${sriov.vfs.length}\n`);
    sriov.vfs.forEach((vf, i) => {
      const d = this.fn({ ...base, address: vf.address, driver: vf.driver, iommuGroup: iommuBase + i + 1 });
      link(path.join("..", pfAddr), path.join(d, "physfn"));
      link(path.join("..", vf.address), path.join(pf, `virtfn${i}`));
      if (vf.creatable !== undefined || vf.current !== undefined) {
        write(path.join(d, "nvidia", "creatable_vgpu_types"), vf.creatable ?? "");
        write(path.join(d, "nvidia", "current_vgpu_type"), `${vf.current ?? 0}\n`);
      }
      if (vf.netdev) this.netdev(d, vf.netdev, { mac: "00:00:00:00:00:00", permanent: false });
    });
  }
}

/** Builds the tree in `root` (a new temp dir by default) and returns the root. */
export function buildFakeSysfs(spec: FakeSysfsSpec, root = fs.mkdtempSync(path.join(os.tmpdir(), "haven-sysfs-"))): string {
  const t = new Tree(root);
  fs.mkdirSync(path.join(root, "bus", "pci", "devices"), { recursive: true });
  fs.mkdirSync(path.join(root, "class", "net"), { recursive: true });
  for (const o of spec.others ?? []) t.fn({ ...o });
  let iommu = 10;
  for (const g of spec.gpus ?? []) {
    const base = { vendor: g.vendor ?? 0x10de, device: g.device, class: g.class ?? "0x030200", numaNode: g.numaNode ?? 0 };
    const group = g.iommuGroup ?? (iommu += 20);
    const d = t.fn({ ...base, address: g.address, driver: g.driver ?? "nvidia", iommuGroup: group, serial: g.serial, subsystemVendor: g.subsystemVendor, subsystemDevice: g.subsystemDevice });
    for (const m of g.mdevTypes ?? []) {
      const td = path.join(d, "mdev_supported_types", m.id);
      write(path.join(td, "name"), `${m.name}\n`);
      write(path.join(td, "available_instances"), `${m.available}\n`);
      write(path.join(td, "device_api"), `${m.deviceApi ?? "vfio-pci"}\n`);
      fs.mkdirSync(path.join(td, "devices"), { recursive: true });
    }
    for (const m of g.mdevs ?? []) {
      const md = path.join(d, m.uuid);
      fs.mkdirSync(md, { recursive: true });
      link(path.join(d, "mdev_supported_types", m.type), path.join(md, "mdev_type"));
      link(md, path.join(root, "bus", "mdev", "devices", m.uuid));
    }
    if (g.mdevTypes?.length) link(d, path.join(root, "class", "mdev_bus", g.address));
    if (g.sriov) t.vfs(g.address, base, g.sriov, group);
  }
  for (const n of spec.nics ?? []) {
    const base = { vendor: n.vendor ?? 0x15b3, device: n.device ?? 0x1017, class: "0x020000", numaNode: n.numaNode ?? 0 };
    const d = t.fn({ ...base, address: n.address, driver: n.driver ?? "mlx5_core", iommuGroup: (iommu += 20), serial: n.serial });
    let parent = d;
    if (n.virtio) {
      parent = path.join(d, n.virtio);
      fs.mkdirSync(parent, { recursive: true });
    }
    t.netdev(parent, n.name, { mac: n.mac, permanent: n.permanentMac, operstate: n.operstate, speed: n.speedMbps });
    if (n.sriov) t.vfs(n.address, { ...base, device: (n.device ?? 0x1017) + 1 }, { ...n.sriov, vfs: n.sriov.vfs.map((v) => ({ driver: "mlx5_core", ...v })) }, iommu);
  }
  for (const b of spec.bonds ?? []) {
    const d = path.join(root, "devices", "virtual", "net", b.name);
    write(path.join(d, "bonding", "slaves"), `${b.slaves.join(" ")}\n`);
    write(path.join(d, "bonding", "mode"), `${b.mode ?? "802.3ad"} 4\n`);
    write(path.join(d, "operstate"), "up\n");
    link(d, path.join(root, "class", "net", b.name));
    for (const s of b.slaves) link(d, path.join(root, "class", "net", s, "master"));
  }
  return root;
}

/** Sets a NIC's link state in a fake tree. */
export function setFakeLink(root: string, ifname: string, up: boolean): void {
  const d = fs.realpathSync(path.join(root, "class", "net", ifname));
  fs.writeFileSync(path.join(d, "operstate"), up ? "up\n" : "down\n");
  fs.writeFileSync(path.join(d, "carrier"), up ? "1\n" : "0\n");
}

const A100_SRIOV_TYPES = [
  [742, "NVIDIA A100-1-5C"],
  [743, "NVIDIA A100-2-10C"],
  [744, "NVIDIA A100-3-20C"],
  [745, "NVIDIA A100-4-20C"],
  [746, "NVIDIA A100-7-40C"],
  [750, "NVIDIA A100-40C"],
] as const;

/** `creatable_vgpu_types` of an A100 VF (with the header line newer drivers print). */
export function a100Creatable(ids: number[] = A100_SRIOV_TYPES.map(([id]) => id)): string {
  return "ID    : vGPU Name\n" + A100_SRIOV_TYPES.filter(([id]) => ids.includes(id)).map(([id, n]) => `${id}  : ${n}\n`).join("");
}

/**
 * A typical GPU host: an A100 with MIG-backed vGPU on SR-IOV VFs, an M60 with mdev types, an L4
 * for passthrough, a dual-port NIC with 8 VFs on port 0, a storage bond of two ports.
 */
export function typicalHost(o: { a100Address?: string; a100Serial?: string; l4Serial?: string; l4Address?: string } = {}): FakeSysfsSpec {
  const a100 = o.a100Address ?? "0000:3b:00.0";
  const vfBase = a100.slice(0, -1);
  return {
    others: [{ address: "0000:00:00.0", class: "0x060000", vendor: 0x8086, device: 0x2020 }],
    gpus: [
      {
        address: a100,
        device: 0x20f1,
        subsystemVendor: 0x10de,
        subsystemDevice: 0x145f,
        serial: o.a100Serial ?? "1c-23-fa-00-01-a1-00-00",
        numaNode: 0,
        sriov: {
          totalVfs: 16,
          vfs: [
            { address: `${vfBase}4`, driver: "nvidia", current: 742, creatable: "" },
            { address: `${vfBase}5`, driver: "nvidia", current: 742, creatable: "" },
            { address: `${vfBase}6`, driver: "nvidia", current: 0, creatable: a100Creatable([742, 743, 744]) },
            { address: `${vfBase}7`, driver: "nvidia", current: 0, creatable: a100Creatable([742, 743, 744]) },
          ],
        },
      },
      {
        address: "0000:5e:00.0",
        device: 0x13f2,
        class: "0x030000",
        numaNode: 1,
        mdevTypes: [
          { id: "nvidia-11", name: "GRID M60-0B", available: 16 },
          { id: "nvidia-18", name: "GRID M60-2Q", available: 2 },
          { id: "nvidia-20", name: "GRID M60-8Q", available: 0 },
        ],
        mdevs: [
          { uuid: "5b2d0c3e-9f0a-4a8e-8c1e-2a3b4c5d6e01", type: "nvidia-18" },
          { uuid: "5b2d0c3e-9f0a-4a8e-8c1e-2a3b4c5d6e02", type: "nvidia-18" },
        ],
      },
      { address: o.l4Address ?? "0000:af:00.0", device: 0x27b8, driver: "vfio-pci", numaNode: 1, serial: o.l4Serial ?? "00-00-27-b8-00-00-00-01" },
    ],
    nics: [
      {
        name: "ens1f0",
        address: "0000:18:00.0",
        mac: "b8:ce:f6:00:00:10",
        speedMbps: 25000,
        serial: "b8-ce-f6-03-00-00-00-10",
        sriov: { totalVfs: 8, vfs: Array.from({ length: 8 }, (_, i) => ({ address: `0000:18:${String(Math.floor((i + 2) / 8)).padStart(2, "0")}.${(i + 2) % 8}`, netdev: `ens1f0v${i}` })) },
      },
      { name: "ens1f1", address: "0000:18:00.1", mac: "b8:ce:f6:00:00:11", speedMbps: 25000, serial: "b8-ce-f6-03-00-00-00-10", sriov: { totalVfs: 8, vfs: [] } },
      { name: "ens2f0", address: "0000:86:00.0", vendor: 0x8086, device: 0x159b, driver: "ice", mac: "40:a6:b7:00:00:20", speedMbps: 100000 },
      { name: "ens2f1", address: "0000:86:00.1", vendor: 0x8086, device: 0x159b, driver: "ice", mac: "40:a6:b7:00:00:21", speedMbps: 100000, operstate: "down" },
    ],
    bonds: [{ name: "stor0", slaves: ["ens2f0", "ens2f1"] }],
  };
}
