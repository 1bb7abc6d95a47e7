import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { buildFakeSysfs, setFakeLink, typicalHost, a100Creatable } from "@/tests/support/fake-sysfs";
import { discover, nameDevices } from "./discover";
import { PciIds } from "./pci-ids";

const roots: string[] = [];
function tree(spec: Parameters<typeof buildFakeSysfs>[0]): string {
  const r = buildFakeSysfs(spec);
  roots.push(r);
  return r;
}
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

describe("discover: a typical GPU host (fake sysfs)", () => {
  const root = tree(typicalHost());
  const inv = discover(root);

  it("finds the three GPUs (not the host bridge, not the A100's VFs) in PCI order", () => {
    expect(inv.gpus.map((g) => g.pciAddress)).toEqual(["0000:3b:00.0", "0000:5e:00.0", "0000:af:00.0"]);
    expect(inv.warnings).toEqual([]);
  });

  it("reads ids, driver, NUMA node and IOMMU group", () => {
    const [a100, m60, l4] = inv.gpus;
    expect(a100).toMatchObject({ vendorId: "10de", deviceId: "20f1", subsystemVendorId: "10de", subsystemDeviceId: "145f", classCode: "030200", driver: "nvidia", numaNode: 0 });
    expect(a100.iommuGroup).toBeGreaterThan(0);
    expect(m60).toMatchObject({ classCode: "030000", numaNode: 1 });
    expect(l4).toMatchObject({ driver: "vfio-pci", deviceId: "27b8" });
  });

  it.runIf(PciIds.load().available)("names the models from pci.ids", () => {
    expect(inv.gpus.map((g) => g.model)).toEqual(["NVIDIA A100 PCIe 40GB", "NVIDIA Tesla M60", "NVIDIA L4"]);
    expect(inv.gpus[0].pciName).toBe("GA100 [A100 PCIe 40GB]");
  });

  it("A100: SR-IOV vGPU with MIG-backed types from the VFs' creatable_vgpu_types", () => {
    const a100 = inv.gpus[0];
    expect(a100.sriov?.totalVfs).toBe(16);
    expect(a100.sriov?.numVfs).toBe(4);
    expect(a100.sriov?.vfs.map((v) => v.index)).toEqual([0, 1, 2, 3]);
    expect(a100.vgpuTypes.map((t) => t.profile)).toEqual(["A100-1-5C", "A100-2-10C", "A100-3-20C"]);
    expect(a100.vgpuTypes[0]).toMatchObject({ typeId: "742", board: "A100", migSlices: 1, framebufferGB: 5, series: "C", available: 2 });
    // The two VFs holding a vGPU are named from their siblings' lists.
    expect(a100.sriov?.vfs[0].current).toEqual({ id: 742, name: "NVIDIA A100-1-5C" });
    expect(a100.vgpuProfile).toBe("A100-1-5C");
    expect(a100.vgpuInstances).toBe(2);
    expect(a100.mdevTypes).toEqual([]);
  });

  it("M60: mdev types with available instances and device_api, and its existing mdevs", () => {
    const m60 = inv.gpus[1];
    expect(m60.mdevTypes.map((t) => [t.typeId, t.profile, t.available, t.deviceApi])).toEqual([
      ["nvidia-11", "M60-0B", 16, "vfio-pci"],
      ["nvidia-18", "M60-2Q", 2, "vfio-pci"],
      ["nvidia-20", "M60-8Q", 0, "vfio-pci"],
    ]);
    expect(m60.mdevTypes[1]).toMatchObject({ framebufferGB: 2, series: "Q", migSlices: null });
    expect(m60.mdevs).toHaveLength(2);
    expect(m60.vgpuProfile).toBe("M60-2Q");
    expect(m60.vgpuInstances).toBe(2);
    expect(m60.sriov).toBeNull();
  });

  it("L4: a passthrough card with no vGPU", () => {
    const l4 = inv.gpus[2];
    expect(l4.vgpuTypes).toEqual([]);
    expect(l4.vgpuProfile).toBeNull();
    expect(l4.identity).toBe("dsn:00-00-27-b8-00-00-00-01");
  });

  it("NICs: the dual-port card's port 0 with 8 VFs and their netdevs; VFs are not NICs", () => {
    expect(inv.nics.map((n) => n.name)).toEqual(["ens1f0", "ens1f1", "ens2f0", "ens2f1"]);
    const p0 = inv.nics[0];
    expect(p0.sriov?.totalVfs).toBe(8);
    expect(p0.sriov?.vfs).toHaveLength(8);
    expect(p0.sriov?.vfs[0]).toMatchObject({ index: 0, pciAddress: "0000:18:00.2", netdev: "ens1f0v0", driver: "mlx5_core" });
    expect(p0.sriov?.vfs[7]).toMatchObject({ index: 7, pciAddress: "0000:18:01.1", netdev: "ens1f0v7" });
    expect(inv.nics[1].sriov).toEqual({ totalVfs: 8, numVfs: 0, vfs: [] });
    expect(p0).toMatchObject({ speedMbps: 25000, linkUp: true, mac: "b8:ce:f6:00:00:10", bond: null });
    // Both ports share the card's serial: their identities still differ.
    expect(p0.identity).not.toBe(inv.nics[1].identity);
    // No serial: the permanent MAC is the identity.
    expect(inv.nics[2].identity).toBe("mac:40:a6:b7:00:00:20");
  });

  it("bonds: members and link state", () => {
    expect(inv.bonds).toEqual([{ name: "stor0", mode: "802.3ad", members: ["ens2f0", "ens2f1"], membersUp: ["ens2f0"], linkUp: true }]);
    expect(inv.nics.find((n) => n.name === "ens2f1")).toMatchObject({ bond: "stor0", linkUp: false });
    setFakeLink(root, "ens2f0", false);
    const after = discover(root);
    expect(after.bonds[0]).toMatchObject({ membersUp: [], linkUp: false });
    setFakeLink(root, "ens2f0", true);
  });
});

describe("discover: stable identities and names", () => {
  it("a card moved to another slot is the same device and keeps its name", () => {
    const before = discover(tree(typicalHost()));
    const names = nameDevices(before, "h1");
    expect(before.gpus.map((g) => g.name)).toEqual(["h1-gpu0", "h1-gpu1", "h1-gpu2"]);
    // The L4 moves from af:00.0 to 12:00.0 (before the A100 in PCI order).
    const moved = discover(tree(typicalHost({ l4Address: "0000:12:00.0" })));
    nameDevices(moved, "h1", names);
    const l4 = moved.gpus.find((g) => g.deviceId === "27b8")!;
    expect(l4.pciAddress).toBe("0000:12:00.0");
    expect(l4.identity).toBe(before.gpus[2].identity);
    expect(l4.name).toBe("h1-gpu2");
    expect(moved.gpus.find((g) => g.deviceId === "20f1")!.name).toBe("h1-gpu0");
  });

  it("a different card in the same slot is not the same device: it gets a new name", () => {
    const before = discover(tree(typicalHost()));
    const names = nameDevices(before, "h1");
    const replaced = discover(tree(typicalHost({ l4Serial: "00-00-27-b8-00-00-00-99" })));
    nameDevices(replaced, "h1", names);
    const l4 = replaced.gpus.find((g) => g.deviceId === "27b8")!;
    expect(l4.pciAddress).toBe(before.gpus[2].pciAddress);
    expect(l4.identity).not.toBe(before.gpus[2].identity);
    expect(l4.name).toBe("h1-gpu3");
  });

  it("without a serial the identity is the slot plus the ids", () => {
    const inv = discover(tree({ gpus: [{ address: "0000:41:00.0", device: 0x27b8, driver: "vfio-pci" }] }));
    expect(inv.gpus[0].identity).toBe("pci:10de:27b8:10de:0000@0000:41:00.0");
  });
});

describe("discover: shapes of the public fixtures", () => {
  it("go-nvlib's A100 mdev parent: MIG-backed mdev type names", () => {
    const names = ["A100-4C", "A100-5C", "A100-8C", "A100-10C", "A100-20C", "A100-40C", "A100-1-5CME", "A100-1-5C", "A100-2-10C", "A100-3-20C", "A100-4-20C", "A100-7-40C"];
    const inv = discover(tree({ gpus: [{ address: "0000:80:05.1", device: 0x20bf, mdevTypes: names.map((n, i) => ({ id: `nvidia-${500 + i}`, name: `NVIDIA ${n}`, available: 1 })) }] }));
    const t = inv.gpus[0].vgpuTypes;
    expect(t.map((x) => x.profile)).toEqual(names.slice().sort((a, b) => names.indexOf(a) - names.indexOf(b)));
    expect(t.find((x) => x.profile === "A100-1-5CME")).toMatchObject({ migSlices: 1, framebufferGB: 5, series: "CME" });
    expect(t.find((x) => x.profile === "A100-7-40C")).toMatchObject({ migSlices: 7, framebufferGB: 40 });
    expect(t.find((x) => x.profile === "A100-40C")).toMatchObject({ migSlices: null, framebufferGB: 40 });
  });

  it("vgpu-device-manager's H200: whole-card and MIG-backed types, type ids resolved from sibling VFs", () => {
    const creatable = "1414 : NVIDIA H200X-1-18C\n1428 : NVIDIA H200X-141C\n";
    const inv = discover(
      tree({
        gpus: [
          {
            address: "0000:18:00.0",
            device: 0x2335,
            sriov: { totalVfs: 16, vfs: [{ address: "0000:18:00.4", driver: "nvidia", current: 1428 }, { address: "0000:18:00.5", driver: "nvidia", creatable }] },
          },
        ],
      }),
    );
    const g = inv.gpus[0];
    expect(g.model).toBe("NVIDIA H200 SXM 141GB"); // from the override table
    expect(g.vgpuTypes.map((t) => [t.typeId, t.profile, t.migSlices])).toEqual([
      ["1414", "H200X-1-18C", 1],
      ["1428", "H200X-141C", null],
    ]);
    expect(g.vgpuProfile).toBe("H200X-141C");
  });

  it("creatable_vgpu_types parsed loosely: header, tabs, blank lines, junk", () => {
    const inv = discover(
      tree({ gpus: [{ address: "0000:18:00.0", device: 0x20b5, sriov: { totalVfs: 4, vfs: [{ address: "0000:18:00.4", creatable: `ID    : vGPU Name\n\n742\t:\tNVIDIA A100-1-5C   \nnot a line\n  743 :NVIDIA A100-2-10C\n` }] } }] }),
    );
    expect(inv.gpus[0].vgpuTypes.map((t) => t.profile)).toEqual(["A100-1-5C", "A100-2-10C"]);
    expect(a100Creatable([742])).toContain("742");
  });

  it("a virtio NIC (netdev below a virtio device below the PCI function) and no GPUs", () => {
    const inv = discover(
      tree({
        others: [{ address: "0000:00:02.0", class: "0x018000", vendor: 0x1af4, device: 0x1042 }],
        nics: [{ name: "eth0", address: "0000:00:03.0", vendor: 0x1af4, device: 0x1041, driver: "virtio-pci", mac: "02:fc:00:00:00:01", virtio: "virtio2" }],
      }),
    );
    expect(inv.gpus).toEqual([]);
    expect(inv.nics).toHaveLength(1);
    expect(inv.nics[0]).toMatchObject({ name: "eth0", pciAddress: "0000:00:03.0", driver: "virtio-pci", linkUp: true, sriov: null });
  });

  it("a root with no sysfs at all: empty, with a warning, no error", () => {
    const inv = discover("/nonexistent-sysfs-root");
    expect(inv.gpus).toEqual([]);
    expect(inv.nics).toEqual([]);
    expect(inv.warnings[0]).toMatch(/not found/);
  });
});

describe("discover: this machine's real /sys", () => {
  it("answers without error; GPUs only when lspci sees a display controller", async () => {
    const inv = discover("/sys");
    const { execFileSync } = await import("node:child_process");
    let displays = 0;
    try {
      displays = execFileSync("lspci", ["-n"], { encoding: "utf8" })
        .split("\n")
        .filter((l) => / 030[02]: /.test(l) && !/ (1a03|102b):/.test(l)).length; // BMC video is not a GPU
    } catch {
      // No lspci: count from sysfs by hand.
      displays = fs.readdirSync("/sys/bus/pci/devices").filter((a) => /^0x030[02]/.test(fs.readFileSync(`/sys/bus/pci/devices/${a}/class`, "utf8"))).length;
    }
    expect(inv.gpus.length).toBe(displays);
    // Every physical interface of /sys/class/net with a PCI function is listed.
    const physical = fs.readdirSync("/sys/class/net").filter((n) => {
      try {
        return /\/[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]\//.test(fs.realpathSync(`/sys/class/net/${n}/device`) + "/");
      } catch {
        return false;
      }
    });
    expect(inv.nics.map((n) => n.name).sort()).toEqual(physical.sort());
    for (const n of inv.nics) expect(typeof n.linkUp).toBe("boolean");
  });
});
