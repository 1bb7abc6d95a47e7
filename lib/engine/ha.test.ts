import { describe, expect, it } from "vitest";
import { haEligibility, planFailover, planLocalRestart } from "./ha";
import { snapshotFromSpec, type ClusterSpec, type SpecHost, type SpecVm } from "./testkit";

const H = (name: string, extra: Partial<SpecHost> = {}): SpecHost => ({ name, cpus: 32, memoryGiB: 256, ...extra });
const V = (name: string, extra: Partial<SpecVm> = {}): SpecVm => ({ name, vcpus: 4, memoryGiB: 16, ...extra });
const L40 = "NVIDIA L40S";

describe("haEligibility", () => {
  const cases: { name: string; spec: ClusterSpec; vm: string; eligible: boolean; reasons: string[] }[] = [
    { name: "no devices, priority on", spec: { hosts: [H("h1"), H("h2")], vms: [V("x", { host: "h1" })] }, vm: "x", eligible: true, reasons: [] },
    {
      name: "priority off",
      spec: { hosts: [H("h1"), H("h2")], vms: [V("x", { host: "h1", haPriority: "off" })] },
      vm: "x",
      eligible: false,
      reasons: ["HA priority is off: the VM is not restarted when its host fails"],
    },
    {
      name: "HA disabled",
      spec: { policy: { haMode: "disabled" }, hosts: [H("h1"), H("h2")], vms: [V("x", { host: "h1" })] },
      vm: "x",
      eligible: false,
      reasons: ["HA is disabled for the cluster"],
    },
    {
      name: "device with a spare elsewhere",
      spec: { hosts: [H("h1", { gpus: [{ model: L40 }] }), H("h2", { gpus: [{ model: L40 }] })], vms: [V("x", { host: "h1", devices: [{ type: "gpu", tag: L40 }] })] },
      vm: "x",
      eligible: true,
      reasons: [],
    },
    {
      name: "spare in use by another VM",
      spec: {
        hosts: [H("h1", { gpus: [{ model: L40 }] }), H("h2", { gpus: [{ model: L40 }] })],
        vms: [V("x", { host: "h1", devices: [{ type: "gpu", tag: L40 }] }), V("y", { host: "h2", devices: [{ type: "gpu", tag: L40 }] })],
      },
      vm: "x",
      eligible: false,
      reasons: ['no other host has 1 free GPU tagged "NVIDIA L40S"'],
    },
    {
      name: "each request has a spare, but not on one host",
      spec: {
        hosts: [H("h1", { gpus: [{ model: L40 }], nics: [{ name: "n", sriovVfs: 2, tag: "t" }] }), H("h2", { gpus: [{ model: L40 }] }), H("h3", { nics: [{ name: "n", sriovVfs: 2, tag: "t" }] })],
        vms: [V("x", { host: "h1", devices: [{ type: "gpu", tag: L40 }, { type: "sriov", tag: "t" }] })],
      },
      vm: "x",
      eligible: false,
      reasons: ['no single other host has all of its devices free together (1 GPU tagged "NVIDIA L40S", 1 sriov VF tagged "t")'],
    },
    {
      name: "only spare host is failed",
      spec: { hosts: [H("h1", { nics: [{ name: "n", sriovVfs: 2, tag: "t" }] }), H("h2", { state: "failed", nics: [{ name: "n", sriovVfs: 2, tag: "t" }] }), H("h3")], vms: [V("x", { host: "h1", devices: [{ type: "sriov", tag: "t" }] })] },
      vm: "x",
      eligible: false,
      reasons: ['no other host has 1 free sriov VF tagged "t"'],
    },
    {
      name: "GPU named exactly",
      spec: { hosts: [H("h1", { gpus: [{ id: "g0", model: L40 }] }), H("h2", { gpus: [{ model: L40 }] })], vms: [V("x", { host: "h1", devices: [{ type: "gpu", tag: L40, gpuId: "g0" }] })] },
      vm: "x",
      eligible: false,
      reasons: ["it asks for GPU g0 by name, which no other host can supply"],
    },
    {
      name: "too large for any other host (checked against host size)",
      spec: { hosts: [H("h1", { cpus: 64 }), H("h2", { cpus: 16 })], vms: [V("x", { host: "h1", vcpus: 32 })] },
      vm: "x",
      eligible: false,
      reasons: ["no other host is large enough for 32 vCPU and 16 GiB"],
    },
    {
      name: "memory is checked generously (host size, not free memory)",
      spec: { hosts: [H("h1"), H("h2")], vms: [V("x", { host: "h1", memoryGiB: 200 }), V("y", { host: "h2", memoryGiB: 200 })] },
      vm: "x",
      eligible: true,
      reasons: [],
    },
  ];
  it.each(cases)("$name", ({ spec, vm, eligible, reasons }) => {
    const e = haEligibility(snapshotFromSpec(spec)).find((x) => x.vmId === vm)!;
    expect({ vmId: e.vmId, eligible: e.eligible, reasons: e.reasons }).toEqual({ vmId: vm, eligible, reasons });
  });
  it("returns one entry per VM, sorted by name", () => {
    const e = haEligibility(snapshotFromSpec({ hosts: [H("h1"), H("h2")], vms: [V("zeta"), V("alpha", { host: "h1" }), V("mid")] }));
    expect(e.map((x) => x.vmId)).toEqual(["alpha", "mid", "zeta"]);
  });
});

describe("haEligibility of a VM that is not running: a host to run on and another to take it over", () => {
  const A100 = "NVIDIA A100-PCIE-40GB";
  const p4 = { model: A100, mode: "compute" as const, vgpu: { profile: "A100-4C", slots: 4 } };
  const p8 = { model: A100, mode: "compute" as const, vgpu: { profile: "A100-8C", slots: 2 } };
  const tag4 = `${A100}.compute/A100-4C`;
  const cases: { name: string; spec: ClusterSpec; eligible: boolean; reasons: string[]; host: string | null; summary: string }[] = [
    {
      name: "a vGPU profile only one host has",
      spec: { hosts: [H("h1", { gpus: [p4] }), H("h2", { gpus: [p8] }), H("h3")], vms: [V("x", { devices: [{ type: "vgpu", tag: tag4 }] })] },
      eligible: false,
      reasons: [`only h1 has 1 free vGPU slot tagged "${tag4}"`, "it would run on h1 and no other host could take it over"],
      host: "h1",
      summary: "not running: it would run on h1 and no other host could take it over",
    },
    {
      name: "the profile on two hosts",
      spec: { hosts: [H("h1", { gpus: [p4] }), H("h2", { gpus: [p4] }), H("h3")], vms: [V("a", { host: "h1", vcpus: 8 }), V("x", { devices: [{ type: "vgpu", tag: tag4 }] })] },
      eligible: true,
      reasons: [],
      host: "h2",
      summary: "not running: would run on h2 if powered on now; h1 could take it over",
    },
    {
      name: "a plain VM with two hosts",
      spec: { hosts: [H("h1"), H("h2")], vms: [V("x")] },
      eligible: true,
      reasons: [],
      host: "h1",
      summary: "not running: would run on h1 if powered on now; h2 could take it over",
    },
    {
      name: "one online host",
      spec: { hosts: [H("h1"), H("h2", { state: "failed" })], vms: [V("x")] },
      eligible: false,
      reasons: ["h1 is the only online host", "it would run on h1 and no other host could take it over"],
      host: "h1",
      summary: "not running: it would run on h1 and no other host could take it over",
    },
    {
      name: "a GPU named exactly",
      spec: { hosts: [H("h1", { gpus: [{ id: "g0", model: L40 }] }), H("h2", { gpus: [{ model: L40 }] })], vms: [V("x", { devices: [{ type: "gpu", tag: L40, gpuId: "g0" }] })] },
      eligible: false,
      reasons: ["it asks for GPU g0 by name, which is on h1", "it would run on h1 and no other host could take it over"],
      host: "h1",
      summary: "not running: it would run on h1 and no other host could take it over",
    },
    {
      name: "the only spare is in use: nowhere to run",
      spec: { hosts: [H("h1", { gpus: [{ model: L40 }] }), H("h2")], vms: [V("a", { host: "h1", devices: [{ type: "gpu", tag: L40 }] }), V("x", { devices: [{ type: "gpu", tag: L40 }] })] },
      eligible: false,
      reasons: [`no online host has 1 free GPU tagged "${L40}"`, "no online host could run it now"],
      host: null,
      summary: "not running: no online host could run it now",
    },
    {
      name: "no room now, but two hosts could each run it (judged by size, like a running VM)",
      spec: { hosts: [H("h1"), H("h2")], vms: [V("a", { host: "h1", vcpus: 30 }), V("b", { host: "h2", vcpus: 30 }), V("x", { power: "pending" })] },
      eligible: true,
      reasons: [],
      host: null,
      summary: "not running: no host has room for it now; h1 and h2 could run it, each taking it over from the other",
    },
  ];
  it.each(cases)("$name", ({ spec, eligible, reasons, host, summary }) => {
    const e = haEligibility(snapshotFromSpec(spec)).find((x) => x.vmId === "x")!;
    expect(e).toEqual({ vmId: "x", eligible, reasons, host: host ? { id: host, name: host } : null, summary });
  });
  it("stopped and running agree: the vGPU VM of the issue is not eligible in either state", () => {
    const spec = cases[0].spec;
    const running = { ...spec, vms: [V("x", { host: "h1", devices: [{ type: "vgpu", tag: tag4 }] })] };
    expect(haEligibility(snapshotFromSpec(spec))[0].eligible).toBe(false);
    expect(haEligibility(snapshotFromSpec(running))[0]).toEqual({
      vmId: "x",
      eligible: false,
      reasons: [`no other host has 1 free vGPU slot tagged "${tag4}"`],
      host: { id: "h1", name: "h1" },
    });
  });
});

describe("planFailover", () => {
  it("orders high → medium → low, then scarcest device pool, then largest", () => {
    const s = snapshotFromSpec({
      hosts: [
        H("h1", { cpus: 64, memoryGiB: 512, gpus: [{ model: L40 }], nics: [{ name: "n", sriovVfs: 8, tag: "t" }] }),
        H("h2", { cpus: 64, memoryGiB: 512, gpus: [{ model: L40 }], nics: [{ name: "n", sriovVfs: 8, tag: "t" }] }),
      ],
      vms: [
        V("low-big", { host: "h1", haPriority: "low", vcpus: 8 }),
        V("med-small", { host: "h1", haPriority: "medium", vcpus: 2, memoryGiB: 4 }),
        V("med-big", { host: "h1", haPriority: "medium", vcpus: 8, memoryGiB: 64 }),
        V("med-vf", { host: "h1", haPriority: "medium", devices: [{ type: "sriov", tag: "t" }] }),
        V("med-gpu", { host: "h1", haPriority: "medium", devices: [{ type: "gpu", tag: L40 }] }),
        V("high", { host: "h1", haPriority: "high" }),
        V("off", { host: "h1", haPriority: "off" }),
        V("other", { host: "h2", haPriority: "high" }),
      ],
    });
    const plan = planFailover(s, ["h1"]);
    expect(plan.placements.map((p) => p.vmId)).toEqual(["high", "med-gpu", "med-vf", "med-big", "med-small", "low-big"]);
    expect(plan.placements.every((p) => p.hostId === "h2")).toBe(true);
    expect(plan.skipped).toEqual([{ vmId: "off", reason: "HA priority is off" }]);
    expect(plan.failedHostIds).toEqual(["h1"]);
  });
  it("places against shrinking capacity and reports the VMs that do not fit, with reasons", () => {
    const s = snapshotFromSpec({
      hosts: [H("h1"), H("h2", { cpus: 8 })],
      vms: [V("a", { host: "h1", haPriority: "high" }), V("b", { host: "h1", haPriority: "high" }), V("c", { host: "h1", haPriority: "low" })],
    });
    const plan = planFailover(s, ["h1"]);
    expect(plan.placements.map((p) => p.vmId)).toEqual(["a", "b"]);
    expect(plan.unplaceable.map((u) => [u.vmId, u.reasons])).toEqual([
      ["c", ["no host can run VM c (4 vCPU, 16 GiB)", "h1: host is excluded for this placement", "h2: not enough vCPU: needs 4, 0 free"]],
    ]);
  });
  it("excludeHostIds keeps further hosts from receiving VMs (their own VMs stay)", () => {
    const s = snapshotFromSpec({ hosts: [H("h1"), H("h2"), H("h3")], vms: [V("a", { host: "h1" }), V("b", { host: "h2" })] });
    const plan = planFailover(s, ["h1"], { excludeHostIds: ["h3"] });
    expect(plan.placements.map((p) => [p.vmId, p.hostId])).toEqual([["a", "h2"]]);
    const explained = planFailover(s, ["h1"], { excludeHostIds: ["h3"], explain: true });
    expect(explained.placements[0].rejections.map((r) => [r.hostName, r.reasons])).toEqual([
      ["h1", ["host is excluded for this placement"]],
      ["h3", ["host is excluded for this placement"]],
    ]);
  });
  it("handles several failed hosts, and a failed host is never a target", () => {
    const s = snapshotFromSpec({ hosts: [H("h1"), H("h2"), H("h3")], vms: [V("a", { host: "h1" }), V("b", { host: "h2" })] });
    const plan = planFailover(s, ["h2", "h1"]);
    expect(plan.failedHostIds).toEqual(["h1", "h2"]);
    expect(plan.placements.map((p) => [p.vmId, p.hostId])).toEqual([
      ["a", "h3"],
      ["b", "h3"],
    ]);
  });
  it("skips everything when HA is disabled, and a VM that was being stopped", () => {
    const spec: ClusterSpec = { hosts: [H("h1"), H("h2")], vms: [V("a", { host: "h1" }), V("b", { host: "h1", power: "stopping" })] };
    expect(planFailover(snapshotFromSpec(spec), ["h1"]).skipped.map((x) => x.reason)).toEqual(["HA priority is off", "it was being stopped when its host failed"].slice(1));
    const off = planFailover(snapshotFromSpec({ ...spec, policy: { haMode: "disabled" } }), ["h1"]);
    expect(off.placements).toEqual([]);
    expect(off.skipped).toEqual([
      { vmId: "a", reason: "HA is disabled for the cluster" },
      { vmId: "b", reason: "HA is disabled for the cluster" },
    ]);
  });
  it("restarts more VMs of the same priority when the default order would strand them", () => {
    // One survivor with 8 vCPU: the default (largest first) takes big (8); small1+small2 (4+4) restart two.
    const s = snapshotFromSpec({
      hosts: [H("h1"), H("h2", { cpus: 8 })],
      vms: [V("big", { host: "h1", vcpus: 8, haPriority: "low" }), V("small1", { host: "h1", vcpus: 4, haPriority: "low" }), V("small2", { host: "h1", vcpus: 4, haPriority: "low" })],
    });
    const plan = planFailover(s, ["h1"]);
    expect(plan.placements.map((p) => p.vmId).sort()).toEqual(["small1", "small2"]);
    expect(plan.unplaceable.map((u) => u.vmId)).toEqual(["big"]);
  });
  it("prefers a medium VM that leaves room for a low one over a medium VM that does not (same counts above)", () => {
    const s = snapshotFromSpec({
      hosts: [H("h0", { cpus: 32, memoryGiB: 64 }), H("hA", { cpus: 8, memoryGiB: 72 }), H("hB", { cpus: 13, memoryGiB: 4 })],
      vms: [
        V("x", { host: "h0", vcpus: 4, memoryGiB: 4, haPriority: "high" }),
        V("y", { host: "h0", vcpus: 4, memoryGiB: 8, haPriority: "high" }),
        V("m1", { host: "h0", vcpus: 4, memoryGiB: 8, haPriority: "medium" }),
        V("m2", { host: "h0", vcpus: 1, memoryGiB: 16, haPriority: "medium" }),
        V("l", { host: "h0", vcpus: 1, memoryGiB: 4, haPriority: "low" }),
      ],
    });
    const plan = planFailover(s, ["h0"]);
    expect(plan.placements.map((p) => p.vmId).sort()).toEqual(["l", "m2", "x", "y"]);
    expect(plan.unplaceable.map((u) => u.vmId)).toEqual(["m1"]);
  });
  it("never trades a higher-priority VM for lower-priority ones", () => {
    const s = snapshotFromSpec({
      hosts: [H("h1"), H("h2", { cpus: 8 })],
      vms: [V("big", { host: "h1", vcpus: 8, haPriority: "high" }), V("small1", { host: "h1", vcpus: 4, haPriority: "low" }), V("small2", { host: "h1", vcpus: 4, haPriority: "low" })],
    });
    expect(planFailover(s, ["h1"]).placements.map((p) => p.vmId)).toEqual(["big"]);
  });
});

describe("planFailover with placement groups", () => {
  it("keeps an affinity (must) pair together and an anti-affinity (must) pair apart, also in a what-if (host still online)", () => {
    const s = snapshotFromSpec({
      hosts: [H("h1"), H("h2"), H("h3")],
      vms: [V("a", { host: "h1" }), V("b", { host: "h1" }), V("c", { host: "h1" }), V("d", { host: "h1" }), V("x", { host: "h2", vcpus: 8 })],
      groups: [
        { name: "together", type: "vm-vm-affinity", vms: ["a", "b"] },
        { name: "apart", type: "vm-vm-anti-affinity", vms: ["c", "d"] },
      ],
    });
    const plan = planFailover(s, ["h1"]);
    const at = Object.fromEntries(plan.placements.map((p) => [p.vmId, p.hostId]));
    expect(plan.unplaceable).toEqual([]);
    expect(at.a).toBe(at.b);
    expect(at.c).not.toBe(at.d);
  });
  it("a zone (must) VM stays in its zone even when the other zone is emptier", () => {
    const s = snapshotFromSpec({
      zones: [{ name: "az-a", role: "primary" }, { name: "az-b", role: "secondary" }],
      hosts: [H("h1", { zone: "az-a" }), H("h2", { zone: "az-a" }), H("h3", { zone: "az-b" })],
      vms: [V("z", { host: "h1" }), V("load", { host: "h2", vcpus: 24 })],
      groups: [{ name: "in-a", type: "zone", zone: "az-a", vms: ["z"] }],
    });
    expect(planFailover(s, ["h1"]).placements.map((p) => p.hostId)).toEqual(["h2"]);
  });
});

describe("planLocalRestart", () => {
  it("restarts on the same host first", () => {
    const s = snapshotFromSpec({ hosts: [H("h1"), H("h2")], vms: [V("x", { host: "h1" }), V("y", { host: "h1" })] });
    const out = planLocalRestart(s, "x");
    expect(out.kind === "placed" && out.hostId).toBe("h1");
    expect(out.reasons[0]).toBe("restart on its own host h1");
  });
  it("goes elsewhere when the own host cannot take it, saying why", () => {
    const s = snapshotFromSpec({ hosts: [H("h1"), H("h2")], vms: [V("x", { host: "h1" })] });
    s.hosts[0].state = "isolated";
    const out = planLocalRestart(s, "x");
    expect(out.kind === "placed" && out.hostId).toBe("h2");
    expect(out.reasons[0]).toBe("cannot restart on its own host h1: host is isolated");
  });
  it("is unplaceable when nowhere fits", () => {
    const s = snapshotFromSpec({ hosts: [H("h1", { gpus: [{ model: L40 }] }), H("h2")], vms: [V("x", { host: "h1", devices: [{ type: "gpu", tag: L40 }] })] });
    s.hosts[0].state = "maintenance";
    const out = planLocalRestart(s, "x");
    expect(out.kind).toBe("unplaceable");
    expect(out.reasons).toContain('h2: needs 1 free GPU tagged "NVIDIA L40S", has 0 (no gpu devices here)');
  });
});
