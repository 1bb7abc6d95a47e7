import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildFakeSysfs, typicalHost } from "@/tests/support/fake-sysfs";
import type { TStartVmPayload } from "../schemas/agent";
import { discover, nameDevices } from "./discover";
import { HAVEN_XMLNS, PlanError, buildDomainXml, domainName, parseMetadata, planDomain, stableMac, stableUuid, type PlanOptions } from "./domain-xml";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "haven-domxml-"));
const sysfs = buildFakeSysfs(typicalHost());
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(sysfs, { recursive: true, force: true });
});
const inventory = discover(sysfs);
nameDevices(inventory, "h1");

function payload(p: Partial<TStartVmPayload> = {}): TStartVmPayload {
  return { vmName: "web-1", vcpus: 2, memoryMiB: 64, haPriority: "high", devices: [], ips: [], disks: [], purpose: "ha", attempt: 1, avoidHostIds: [], ...p };
}
const base: PlanOptions = { host: "h1", inventory, virtType: "kvm" };
const dev = (type: "gpu" | "vgpu" | "sriov", device: string, key = `${type}:${device}`) => ({ key, type, tag: "t", device });

/** Every shape the generator makes, by name. */
const SHAPES: Record<string, { payload: TStartVmPayload; opts?: Partial<PlanOptions>; devices: boolean }> = {
  "diskless (TCG)": { payload: payload(), opts: { virtType: "qemu" }, devices: false },
  "diskless (KVM) with a serial log file": { payload: payload(), opts: { serialLogDir: "/var/log/haven" }, devices: false },
  "qcow2 disks on virtio-scsi, two sessions per disk": {
    payload: payload({ disks: [0, 0, 1, 1].map((index, i) => ({ index, controller: i % 2 ? "h2" : "h1", session: i % 2 })) }),
    devices: false,
  },
  "block disk": { payload: payload({ disks: [{ index: 0, controller: "h1", session: 0 }] }), opts: { diskSource: "/dev/disk/by-id/haven-{vmId}-{index}" }, devices: false },
  "iSCSI disks from the storage controller": {
    payload: payload({ disks: [{ index: 0, controller: "h3", session: 0 }, { index: 1, controller: "h3", session: 0 }] }),
    opts: { diskSource: "iscsi://{controller}:3260/iqn.2025-01.io.haven:{vmId}/{index}" },
    devices: false,
  },
  "bridge NICs, one per address": { payload: payload({ ips: ["10.0.0.5", "10.1.0.5"] }), opts: { bridge: "br-prod" }, devices: false },
  "SR-IOV VF as <interface type='hostdev'>": { payload: payload({ devices: [dev("sriov", "h1/ens1f0/vf3"), dev("sriov", "h1/ens1f0/vf7")] }), devices: true },
  "passthrough GPU as PCI <hostdev managed='yes'>": { payload: payload({ devices: [dev("gpu", "h1/h1-gpu2")] }), devices: true },
  "mdev vGPU with the VM's UUID": { payload: payload({ devices: [dev("vgpu", "h1/h1-gpu1/slot0"), dev("vgpu", "h1/h1-gpu1/slot1")] }), devices: true },
  "SR-IOV vGPU (MIG-backed) as its VF": { payload: payload({ devices: [dev("vgpu", "h1/h1-gpu0/slot2")] }), devices: true },
  "everything at once": {
    payload: payload({
      ips: ["10.0.0.9"],
      disks: [{ index: 0, controller: "h1", session: 0 }],
      devices: [dev("gpu", "h1/h1-gpu2"), dev("vgpu", "h1/h1-gpu1/slot0"), dev("vgpu", "h1/h1-gpu0/slot3"), dev("sriov", "h1/ens1f0/vf0")],
    }),
    opts: { bridge: "br0", serialLogDir: "/var/log/haven" },
    devices: true,
  },
};

function build(name: string, vmId = "vm-" + name.replace(/\W+/g, "-")) {
  const s = SHAPES[name];
  return planDomain({ id: "cmd-1", vmId, generation: 4, payload: s.payload }, { ...base, ...s.opts });
}

function tool(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("domain XML: every shape validates against libvirt's schema", () => {
  it("the tools are installed (libxml2-utils: virt-xml-validate; libvirt-clients: virsh)", () => {
    expect(tool("virt-xml-validate"), "virt-xml-validate (Debian: libvirt-clients + libxml2-utils)").toBe(true);
    expect(tool("virsh"), "virsh (Debian: libvirt-clients)").toBe(true);
  });

  for (const name of Object.keys(SHAPES)) {
    it(`validates: ${name}`, () => {
      const { spec } = build(name);
      const file = path.join(tmp, `${spec.name}.xml`);
      fs.writeFileSync(file, buildDomainXml(spec));
      const r = spawnSync("virt-xml-validate", [file, "domain"], { encoding: "utf8" });
      expect(`${r.stdout}${r.stderr}`).toMatch(/validates$/m);
      expect(r.status).toBe(0);
    });
  }

  it("device domains define and start in libvirt's test driver", () => {
    const names = Object.keys(SHAPES).filter((n) => SHAPES[n].devices);
    expect(names.length).toBeGreaterThanOrEqual(5);
    const script: string[] = [];
    const domains: string[] = [];
    for (const n of names) {
      const { spec } = build(n);
      const file = path.join(tmp, `test-${spec.name}.xml`);
      fs.writeFileSync(file, buildDomainXml(spec));
      script.push(`define ${file}`, `start ${spec.name}`);
      domains.push(spec.name);
    }
    script.push("list --name");
    // One connection: the test driver's state lives as long as it.
    const out = execFileSync("virsh", ["-c", "test:///default", script.join("; ")], { encoding: "utf8" });
    const running = out.split("\n").map((l) => l.trim());
    for (const d of domains) expect(running, `${d} runs in the test driver`).toContain(d);
  });
});

describe("domain XML: contents", () => {
  it("Haven metadata: VM id, generation, host, priority, isolation opt-out — and it reads back", () => {
    const { spec } = planDomain({ id: "c9", vmId: "vm-42", generation: 7, payload: { ...payload({ haPriority: "off" }), keepRunningWhenIsolated: true } as TStartVmPayload }, base);
    const xml = buildDomainXml(spec);
    expect(xml).toContain(`xmlns:haven='${HAVEN_XMLNS}'`);
    expect(parseMetadata(xml)).toEqual({ vmId: "vm-42", vmName: "web-1", generation: 7, host: "h1", haPriority: "off", keepRunningWhenIsolated: true, commandId: "c9" });
    // As `virsh metadata --uri` prints it (no prefix, pretty-printed).
    expect(parseMetadata(`<vm>\n  <id>vm-42</id>\n  <generation>7</generation>\n  <host>h1</host>\n</vm>`)).toMatchObject({ vmId: "vm-42", generation: 7, host: "h1", keepRunningWhenIsolated: false });
    expect(parseMetadata("<vm><id>x</id></vm>")).toBeNull();
  });

  it("vCPUs, memory, virt type and a domain name per host and VM", () => {
    const { spec } = build("diskless (TCG)");
    const xml = buildDomainXml(spec);
    expect(xml).toMatch(/^<domain type='qemu'>/);
    expect(xml).toContain("<memory unit='MiB'>64</memory>");
    expect(xml).toContain("<vcpu placement='static'>2</vcpu>");
    expect(spec.name).toBe("haven-h1-web-1");
    expect(domainName("h1", "we/ird name")).toBe("haven-h1-we_ird_name");
    expect(buildDomainXml(build("diskless (KVM) with a serial log file").spec)).toContain("host-passthrough");
  });

  it("devices resolve to the discovered PCI addresses", () => {
    const { spec, prep } = build("everything at once", "vm-all");
    const xml = buildDomainXml(spec);
    // L4 (h1-gpu2) at af:00.0, A100 VF 3 at 3b:00.7, ens1f0 VF 0 at 18:00.2
    expect(xml).toContain("<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0xaf' slot='0x00' function='0x0'/>");
    expect(xml).toContain("bus='0x3b' slot='0x00' function='0x7'");
    expect(xml).toContain("<interface type='hostdev' managed='yes'>");
    expect(xml).toContain("bus='0x18' slot='0x00' function='0x2'");
    const uuid = stableUuid("vm-all", "vgpu:h1/h1-gpu1/slot0");
    expect(xml).toContain(`<address uuid='${uuid}'/>`);
    // The mdev is created before the start (type of the M60's configured profile); the A100's VF 3
    // gets its vGPU type set (the configured profile, A100-1-5C = 742).
    expect(prep.mdevs).toEqual([{ parent: "0000:5e:00.0", typeId: "nvidia-18", uuid }]);
    expect(prep.vfVgpuTypes).toEqual([{ vf: "0000:3b:00.7", typeId: 742 }]);
    expect(xml).toContain(`<mac address='${stableMac("vm-all", 0)}'/>`);
    expect(xml).toContain("<source bridge='br0'/>");
    expect(xml).toContain("<source path='/var/log/haven/haven-h1-web-1.log'/>");
  });

  it("a VF that already holds a vGPU is used as it is", () => {
    const { prep } = planDomain({ id: "c", vmId: "v", generation: 1, payload: payload({ devices: [dev("vgpu", "h1/h1-gpu0/slot0")] }) }, base);
    expect(prep.vfVgpuTypes).toEqual([]);
  });

  it("a device the host does not have is a PlanError naming it", () => {
    const bad: [string, RegExp][] = [
      ["h1/h1-gpu9", /no GPU h1-gpu9/],
      ["h2/h2-gpu0", /belongs to host h2/],
    ];
    for (const [device, re] of bad) expect(() => planDomain({ id: "c", vmId: "v", generation: 1, payload: payload({ devices: [dev("gpu", device)] }) }, base)).toThrow(re);
    expect(() => planDomain({ id: "c", vmId: "v", generation: 1, payload: payload({ devices: [dev("sriov", "h1/ens1f1/vf0")] }) }, base)).toThrow(PlanError);
    expect(() => planDomain({ id: "c", vmId: "v", generation: 1, payload: payload({ devices: [dev("vgpu", "h1/h1-gpu2/slot0")] }) }, base)).toThrow(/offers no vGPU/);
  });

  it("names and values are escaped", () => {
    const { spec } = planDomain({ id: "c<1>", vmId: "v&1", generation: 1, payload: payload({ vmName: "a'b" }) }, base);
    const xml = buildDomainXml(spec);
    expect(xml).toContain("<haven:id>v&amp;1</haven:id>");
    expect(parseMetadata(xml)).toMatchObject({ vmId: "v&1", vmName: "a'b", commandId: "c<1>" });
  });
});

describe("retagMetadata (live migration's destination XML)", () => {
  it("replaces the Haven metadata (host, generation) and the title, leaves the rest; refuses a domain without it", async () => {
    const { retagMetadata } = await import("./domain-xml");
    const { spec } = planDomain({ id: "c-1", vmId: "vm-r", generation: 3, payload: payload() }, base);
    const xml = buildDomainXml(spec);
    // As libvirt prints it back: the prefix and namespace on the element, double quotes.
    const dumped = xml.replace(/<haven:vm xmlns:haven='([^']+)'>/, '<haven:vm xmlns:haven="$1">');
    const out = retagMetadata(dumped, { ...spec.meta, host: "h2", generation: 9, commandId: "c-9" });
    expect(parseMetadata(out)).toMatchObject({ vmId: "vm-r", host: "h2", generation: 9, commandId: "c-9" });
    expect(out).toContain("generation 9)</title>");
    expect(out.replace(/<metadata>[\s\S]*<\/metadata>/, "").replace(/<title>.*<\/title>/, "")).toBe(dumped.replace(/<metadata>[\s\S]*<\/metadata>/, "").replace(/<title>.*<\/title>/, ""));
    expect(() => retagMetadata("<domain type='kvm'><name>x</name></domain>", spec.meta)).toThrow(/no Haven metadata/);
  });
});
