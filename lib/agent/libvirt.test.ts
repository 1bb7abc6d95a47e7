// The virsh driver against the real libvirtd of this machine (started by tests/support/libvirtd.ts
// when it is not running; KVM with /dev/kvm, else TCG): diskless 64 MiB guests for real.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFakeSysfs, typicalHost } from "@/tests/support/fake-sysfs";
import { destroyDomains, ensureLibvirtd, virshList, type LibvirtdHandle } from "@/tests/support/libvirtd";
import { until } from "@/tests/support/fake-agent-env";
import type { TStartVmPayload } from "../schemas/agent";
import { discover, nameDevices } from "./discover";
import { buildDomainXml, parseMetadata, planDomain, retagMetadata, type PlanOptions } from "./domain-xml";
import { VirshHypervisor, explainMigrateError, explainStartError, parseLifecycleLine, type LifecycleEvent } from "./libvirt";

let lv: LibvirtdHandle;
let hv: VirshHypervisor;
const PREFIX = `haven-lt${process.pid}`;
const sysfs = buildFakeSysfs(typicalHost());
const inventory = discover(sysfs);

beforeAll(async () => {
  lv = await ensureLibvirtd();
  hv = new VirshHypervisor({ uri: lv.uri });
}, 60_000);
afterAll(async () => {
  await destroyDomains(PREFIX).catch(() => {});
  await lv?.stop();
  fs.rmSync(sysfs, { recursive: true, force: true });
}, 60_000);

function xmlFor(host: string, vmId: string, generation = 1, devices: TStartVmPayload["devices"] = []): { xml: string; name: string } {
  const names = structuredClone(inventory);
  nameDevices(names, host);
  const o: PlanOptions = { host, inventory: names, virtType: lv.kvm ? "kvm" : "qemu", namePrefix: PREFIX };
  const { spec } = planDomain(
    { id: `c-${vmId}`, vmId, generation, payload: { vmName: vmId, vcpus: 1, memoryMiB: 64, haPriority: "high", devices, ips: [], disks: [], purpose: "power-on", attempt: 1, avoidHostIds: [] } },
    o,
  );
  return { xml: buildDomainXml(spec), name: spec.name };
}

function qemuPid(name: string): number {
  return Number(fs.readFileSync(`/run/libvirt/qemu/${name}.pid`, "utf8").trim());
}

describe("VirshHypervisor on qemu:///system", () => {
  it("creates a diskless guest that runs; only its own host sees it; destroy is idempotent", async () => {
    const a = xmlFor("lt-a", "vm-a");
    await hv.create(a.xml);
    expect(await virshList()).toContain(a.name);
    const mine = await hv.listOwned("lt-a");
    expect(mine.map((d) => [d.name, d.meta.vmId, d.meta.generation, d.meta.host])).toEqual([[a.name, "vm-a", 1, "lt-a"]]);
    expect(await hv.listOwned("lt-b")).toEqual([]);
    await hv.destroy(mine[0].uuid);
    await hv.destroy(mine[0].uuid); // already gone: not an error
    expect(await virshList()).not.toContain(a.name);
    expect(await hv.listOwned("lt-a")).toEqual([]);
  });

  it("a domain without Haven metadata is never listed as owned", async () => {
    const name = `${PREFIX}-foreign`;
    await hv.create(`<domain type='${lv.kvm ? "kvm" : "qemu"}'><name>${name}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os><devices><controller type='usb' model='none'/><memballoon model='none'/></devices></domain>`);
    try {
      expect(await virshList()).toContain(name);
      for (const h of ["lt-a", "lt-b", ""]) expect((await hv.listOwned(h)).map((d) => d.name)).not.toContain(name);
    } finally {
      await hv.virsh(["destroy", name]);
    }
  });

  it("kill -9 of a guest's QEMU is a lifecycle event at once, and the guest is gone from the list", async () => {
    const events: LifecycleEvent[] = [];
    const stop = hv.watch((e) => events.push(e));
    try {
      // The event stream connects in its own virsh process (slow on a busy machine): the guest is
      // started again until its Started event shows the stream is live.
      const g = xmlFor("lt-c", "vm-crash");
      for (let attempt = 1; ; attempt++) {
        await hv.create(g.xml);
        const seen = await until(() => events.some((e) => e.domain === g.name && e.event === "Started"), 8000, "Started event").then(
          () => true,
          () => false,
        );
        if (seen) break;
        if (attempt === 3) throw new Error("no lifecycle event from virsh event --loop after three starts");
        await hv.virsh(["destroy", g.name]);
      }
      const t0 = Date.now();
      process.kill(qemuPid(g.name), "SIGKILL");
      const stopped = await until(() => events.find((e) => e.domain === g.name && e.event === "Stopped"), 5000, "Stopped event");
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(["Failed", "Crashed"]).toContain(stopped.detail);
      expect(await hv.listOwned("lt-c")).toEqual([]);
    } finally {
      stop();
    }
  });

  it("live migration: the migratable XML retagged for the target validates; between two agents of this one libvirtd libvirt refuses it, and the refusal is explained", async () => {
    const g = xmlFor("lt-m", "vm-mig");
    await hv.create(g.xml);
    try {
      const [d] = await hv.listOwned("lt-m");
      const dumped = await hv.dumpXml(d.uuid);
      const moved = retagMetadata(dumped, { ...d.meta, host: "lt-n", generation: 7, commandId: "c-mig" });
      expect(parseMetadata(moved)).toMatchObject({ vmId: "vm-mig", host: "lt-n", generation: 7 });
      const file = path.join(os.tmpdir(), `${PREFIX}-mig.xml`);
      fs.writeFileSync(file, moved);
      try {
        expect(spawnSync("virt-xml-validate", [file, "domain"], { encoding: "utf8" }).status).toBe(0);
      } finally {
        fs.rmSync(file, { force: true });
      }
      // The "other host" is this machine's libvirtd too: a real live migration needs a second one.
      const err = await hv.migrate(d.uuid, lv.uri, moved).then(
        () => null,
        (e: Error) => e,
      );
      expect(err).not.toBeNull();
      expect(err!.message).toMatch(/Attempt to migrate guest to the same host/);
      expect(explainMigrateError("lt-m", "lt-n", err!.message)).toMatch(/^lt-m and lt-n share one libvirtd \(the same machine\): a live migration needs two — /);
      expect((await hv.listOwned("lt-m")).map((x) => x.uuid)).toEqual([d.uuid]); // still here, untouched
    } finally {
      await hv.virsh(["destroy", g.name]).catch(() => {});
    }
  });

  it("a passthrough GPU, an mdev vGPU and a VF on a host without VFIO: the start error is explained", async () => {
    const hasIommu = fs.existsSync("/sys/kernel/iommu_groups") && fs.readdirSync("/sys/kernel/iommu_groups").length > 0;
    const cases: [TStartVmPayload["devices"], RegExp][] = [
      [[{ key: "gpu:x", type: "gpu", tag: "NVIDIA L4", device: "lt-d/lt-d-gpu2" }], hasIommu ? /PCI device of the VM is missing|PCI passthrough/ : /^PCI passthrough is not available on lt-d: no IOMMU\/VFIO/],
      [[{ key: "vgpu:m:0", type: "vgpu", tag: "M60-2Q", device: "lt-d/lt-d-gpu1/slot0" }], hasIommu ? /vGPU|mdev|missing/ : /^vGPU \(mdev\) is not available on lt-d: VFIO is missing/],
      [[{ key: "vf:n:0", type: "sriov", tag: "t", device: "lt-d/ens1f0/vf0" }], hasIommu ? /PCI device of the VM is missing|PCI passthrough/ : /^PCI passthrough is not available on lt-d/],
    ];
    for (const [devices, re] of cases) {
      const { xml, name } = xmlFor("lt-d", `vm-dev-${devices[0].type}`, 1, devices);
      const err = await hv.create(xml).then(
        () => null,
        (e: Error) => e,
      );
      expect(err, `${name} must not start here`).not.toBeNull();
      const explained = explainStartError("lt-d", err!.message);
      expect(explained).toMatch(re);
      expect(explained).toContain(err!.message);
    }
  });
});

describe("virsh event lines", () => {
  it("parses lifecycle lines, ignores others", () => {
    expect(parseLifecycleLine("event 'lifecycle' for domain 'haven-h1-web-1': Stopped Failed")).toEqual({ domain: "haven-h1-web-1", event: "Stopped", detail: "Failed" });
    expect(parseLifecycleLine("2026-12-05 12:41:01.907+0000: event 'lifecycle' for domain 't1': Shutdown Finished after host request")).toEqual({ domain: "t1", event: "Shutdown", detail: "Finished after host request" });
    expect(parseLifecycleLine("events received: 3")).toBeNull();
  });
});
