import { describe, expect, it } from "vitest";
import { placeVm } from "./placement";
import { buildCapacity } from "./capacity";
import { snapshotFromSpec, type ClusterSpec, type SpecHost, type SpecVm } from "./testkit";
import type { PlacementOutcome } from "./types";

const H = (name: string, extra: Partial<SpecHost> = {}): SpecHost => ({ name, cpus: 32, memoryGiB: 256, ...extra });
const V = (name: string, extra: Partial<SpecVm> = {}): SpecVm => ({ name, vcpus: 4, memoryGiB: 16, ...extra });

function place(spec: ClusterSpec, vm: string, opts?: Parameters<typeof placeVm>[2]) {
  return placeVm(snapshotFromSpec(spec), vm, opts);
}
function rejectionsOf(out: PlacementOutcome) {
  return Object.fromEntries(out.rejections.map((r) => [r.hostName, r.reasons]));
}

describe("placeVm: each rejection reason, worded for an admin", () => {
  const cases: { name: string; spec: ClusterSpec; vm: string; host: string; reasons: string[] }[] = [
    { name: "failed host", spec: { hosts: [H("h1", { state: "failed" }), H("h2")], vms: [V("x")] }, vm: "x", host: "h1", reasons: ["host is failed"] },
    { name: "maintenance", spec: { hosts: [H("h1", { state: "maintenance" }), H("h2")], vms: [V("x")] }, vm: "x", host: "h1", reasons: ["host is in maintenance"] },
    { name: "unreachable", spec: { hosts: [H("h1", { state: "unreachable" }), H("h2")], vms: [V("x")] }, vm: "x", host: "h1", reasons: ["host is unreachable"] },
    { name: "isolated", spec: { hosts: [H("h1", { state: "isolated" }), H("h2")], vms: [V("x")] }, vm: "x", host: "h1", reasons: ["host is isolated"] },
    {
      name: "memory",
      spec: { hosts: [H("h1", { memoryGiB: 24 }), H("h2")], vms: [V("a", { host: "h1", memoryGiB: 16 }), V("x", { memoryGiB: 16 })] },
      vm: "x",
      host: "h1",
      reasons: ["not enough memory: needs 16 GiB, 8 GiB free"],
    },
    {
      name: "vCPU",
      spec: { hosts: [H("h1", { cpus: 8 }), H("h2")], vms: [V("a", { host: "h1", vcpus: 6 }), V("x", { vcpus: 4 })] },
      vm: "x",
      host: "h1",
      reasons: ["not enough vCPU: needs 4, 2 free"],
    },
    {
      name: "SR-IOV tag",
      spec: {
        hosts: [H("h1", { nics: [{ name: "ens1f0", sriovVfs: 8, tag: "trading-a" }] }), H("h2", { nics: [{ name: "ens1f0", sriovVfs: 8, tag: "trading-b" }] })],
        vms: [V("x", { devices: [{ type: "sriov", tag: "trading-a" }] })],
      },
      vm: "x",
      host: "h2",
      reasons: ['needs 1 free sriov VF tagged "trading-a", has 0 (NIC tags here: trading-b)'],
    },
    {
      name: "all VFs in use",
      spec: {
        hosts: [H("h1", { nics: [{ name: "ens1f0", sriovVfs: 1, tag: "trading-a" }] }), H("h2")],
        vms: [V("a", { host: "h1", devices: [{ type: "sriov", tag: "trading-a" }] }), V("x", { devices: [{ type: "sriov", tag: "trading-a" }] })],
      },
      vm: "x",
      host: "h1",
      reasons: ['needs 1 free sriov VF tagged "trading-a", has 0 (NIC tags here: trading-a)'],
    },
    {
      name: "GPU count (multi-GPU VM needs all its GPUs on one host)",
      spec: { hosts: [H("h1", { gpus: [{ model: "NVIDIA L40S" }] }), H("h2")], vms: [V("x", { devices: [{ type: "gpu", tag: "NVIDIA L40S", count: 2 }] })] },
      vm: "x",
      host: "h1",
      reasons: ['needs 2 free GPUs tagged "NVIDIA L40S", has 1 (GPU tags here: NVIDIA L40S)'],
    },
    {
      name: "vGPU profile",
      spec: {
        hosts: [
          H("h1", { gpus: [{ model: "NVIDIA A100-PCIE-40GB", mode: "compute", vgpu: { profile: "A100-8C", slots: 5 } }] }),
          H("h2", { gpus: [{ model: "NVIDIA A100-PCIE-40GB", mode: "compute", vgpu: { profile: "A100-4C", slots: 10 } }] }),
        ],
        vms: [V("x", { devices: [{ type: "vgpu", tag: "NVIDIA A100-PCIE-40GB.compute/A100-4C" }] })],
      },
      vm: "x",
      host: "h1",
      reasons: ['needs 1 free vGPU slot tagged "NVIDIA A100-PCIE-40GB.compute/A100-4C", has 0 (vGPU tags here: NVIDIA A100-PCIE-40GB.compute/A100-8C)'],
    },
    {
      name: "unknown tag",
      spec: { hosts: [H("h1")], vms: [V("x", { devices: [{ type: "gpu", tag: "NVIDIA H100" }] })] },
      vm: "x",
      host: "h1",
      reasons: ['needs 1 free GPU tagged "NVIDIA H100", has 0 (no host carries this tag)'],
    },
    {
      name: "host affinity",
      spec: { hosts: [H("h1"), H("h2"), H("h3")], vms: [V("x", { hostAffinity: ["h2", "h3"] })] },
      vm: "x",
      host: "h1",
      reasons: ["host affinity allows only h2, h3"],
    },
    {
      name: "vm-host must group",
      spec: { hosts: [H("h1"), H("h2")], vms: [V("x")], groups: [{ name: "db-on-2", type: "vm-host", vms: ["x"], hosts: ["h2"] }] },
      vm: "x",
      host: "h1",
      reasons: ['placement group "db-on-2" (must) keeps the VM on other hosts'],
    },
    {
      name: "anti-affinity must",
      spec: { hosts: [H("h1"), H("h2")], vms: [V("a", { host: "h1" }), V("x")], groups: [{ name: "apart", type: "vm-vm-anti-affinity", vms: ["a", "x"] }] },
      vm: "x",
      host: "h1",
      reasons: ['anti-affinity group "apart" (must): 1 other member already here'],
    },
    {
      name: "affinity must",
      spec: { hosts: [H("h1"), H("h2")], vms: [V("a", { host: "h2" }), V("x")], groups: [{ name: "together", type: "vm-vm-affinity", vms: ["a", "x"] }] },
      vm: "x",
      host: "h1",
      reasons: ['affinity group "together" (must) runs its VMs together on h2'],
    },
    {
      name: "zone must",
      spec: {
        zones: [{ name: "az-a", role: "primary" }, { name: "az-b", role: "secondary" }],
        hosts: [H("h1", { zone: "az-b" }), H("h2", { zone: "az-a" })],
        vms: [V("x")],
        groups: [{ name: "in-a", type: "zone", zone: "az-a", vms: ["x"] }],
      },
      vm: "x",
      host: "h1",
      reasons: ['zone policy "in-a" (must) keeps the VM in zone az-a; host is in az-b'],
    },
    {
      name: "GPU by name on another host",
      spec: {
        hosts: [H("h1", { gpus: [{ id: "h1-gpu0", model: "NVIDIA L40S" }] }), H("h2", { gpus: [{ id: "h2-gpu0", model: "NVIDIA L40S" }] })],
        vms: [V("x", { devices: [{ type: "gpu", tag: "NVIDIA L40S", gpuId: "h2-gpu0" }] })],
      },
      vm: "x",
      host: "h1",
      reasons: ["needs GPU h2-gpu0 by name, which is on h2"],
    },
    {
      name: "GPU by name in use",
      spec: {
        hosts: [H("h1", { gpus: [{ id: "g0", model: "NVIDIA L40S" }] })],
        vms: [V("a", { host: "h1", devices: [{ type: "gpu", tag: "NVIDIA L40S" }] }), V("x", { devices: [{ type: "gpu", tag: "NVIDIA L40S", gpuId: "g0" }] })],
      },
      vm: "x",
      host: "h1",
      reasons: ['needs 1 free GPU tagged "NVIDIA L40S", has 0 (GPU tags here: NVIDIA L40S)', "GPU g0 is in use by VM a"],
    },
    {
      name: "GPU by name partitioned for vGPU",
      spec: {
        hosts: [H("h1", { gpus: [{ id: "g0", model: "NVIDIA L40S", vgpu: { profile: "L40S-4Q", slots: 12 } }, { id: "g1", model: "NVIDIA L40S" }] })],
        vms: [V("x", { devices: [{ type: "gpu", tag: "NVIDIA L40S", gpuId: "g0" }] })],
      },
      vm: "x",
      host: "h1",
      reasons: ["GPU g0 is partitioned for vGPU"],
    },
    {
      name: "several reasons at once",
      spec: { hosts: [H("h1", { cpus: 2, memoryGiB: 8 }), H("h2")], vms: [V("x", { hostAffinity: ["h2"] })] },
      vm: "x",
      host: "h1",
      reasons: ["not enough vCPU: needs 4, 2 free", "not enough memory: needs 16 GiB, 8 GiB free", "host affinity allows only h2"],
    },
  ];
  it.each(cases)("$name", ({ spec, vm, host, reasons }) => {
    const out = place(spec, vm);
    expect(rejectionsOf(out)[host]).toEqual(reasons);
  });

  it("an unplaceable VM lists every host with its reasons", () => {
    const out = place({ hosts: [H("h1", { state: "failed" }), H("h2", { cpus: 2 })], vms: [V("x")] }, "x");
    expect(out.kind).toBe("unplaceable");
    expect(out.reasons).toEqual(["no host can run VM x (4 vCPU, 16 GiB)", "h1: host is failed", "h2: not enough vCPU: needs 4, 2 free"]);
  });
});

describe("placeVm: choices", () => {
  it("balances load: the least loaded host after placement", () => {
    const out = place({ hosts: [H("h1"), H("h2"), H("h3")], vms: [V("a", { host: "h1" }), V("b", { host: "h3" }), V("x")] }, "x");
    expect(out.kind === "placed" && out.hostId).toBe("h2");
  });
  it("breaks ties by host name", () => {
    const out = place({ hosts: [H("hb"), H("ha"), H("hc")], vms: [V("x")] }, "x");
    expect(out.kind === "placed" && out.hostId).toBe("ha");
    expect(out.kind === "placed" && out.reasons[1]).toBe("runner-up hb scored the same; ha wins the tie-break by name");
  });
  it("keeps scarce devices free: a device-less VM avoids the GPU host when others fit equally", () => {
    const out = place({ hosts: [H("h1", { gpus: [{ model: "NVIDIA L40S" }] }), H("h2")], vms: [V("x")] }, "x");
    expect(out.kind === "placed" && out.hostId).toBe("h2");
  });
  it("but uses the GPU host when the others are much fuller", () => {
    const out = place({ hosts: [H("h1", { gpus: [{ model: "NVIDIA L40S" }] }), H("h2")], vms: [V("a", { host: "h2", vcpus: 28 }), V("x")] }, "x");
    expect(out.kind === "placed" && out.hostId).toBe("h1");
  });
  it("puts a vGPU on a partly used GPU of the same profile before an empty one (same host)", () => {
    const g = { model: "NVIDIA A100-PCIE-40GB", mode: "compute" as const, vgpu: { profile: "A100-4C", slots: 4 } };
    const tag = "NVIDIA A100-PCIE-40GB.compute/A100-4C";
    const s = snapshotFromSpec({ hosts: [H("h1", { gpus: [g, g] })], vms: [V("a", { host: "h1", devices: [{ type: "vgpu", tag }] }), V("x", { devices: [{ type: "vgpu", tag }] })] });
    const a = s.vms.find((v) => v.id === "a")!;
    expect(a.allocations.map((x) => x.key)).toEqual(["vgpu:h1-gpu0:0"]);
    // move a's slot to the second GPU, so gpu1 is the partly used one
    a.allocations = [{ ...a.allocations[0], key: "vgpu:h1-gpu1:2", gpuId: "h1-gpu1", slot: 2 }];
    const out = placeVm(s, "x");
    expect(out.kind === "placed" && out.allocations.map((x) => x.key)).toEqual(["vgpu:h1-gpu1:0"]);
  });
  it("prefers a host whose GPU of the profile is partly used over a less loaded host with an empty one", () => {
    const g = { model: "NVIDIA A100-PCIE-40GB", mode: "compute" as const, vgpu: { profile: "A100-4C", slots: 4 } };
    const tag = "NVIDIA A100-PCIE-40GB.compute/A100-4C";
    const out = place(
      { hosts: [H("h1", { gpus: [g] }), H("h2", { gpus: [g] })], vms: [V("a", { host: "h2", vcpus: 16, devices: [{ type: "vgpu", tag }] }), V("x", { devices: [{ type: "vgpu", tag }] })] },
      "x",
    );
    expect(out.kind === "placed" && [out.hostId, out.allocations[0].key]).toEqual(["h2", "vgpu:h2-gpu0:1"]);
  });
  it("soft rules are penalties: a should vm-host group wins over balance", () => {
    const out = place(
      { hosts: [H("h1"), H("h2")], vms: [V("a", { host: "h2", vcpus: 20 }), V("x")], groups: [{ name: "pref", type: "vm-host", enforcement: "should", vms: ["x"], hosts: ["h2"] }] },
      "x",
    );
    expect(out.kind === "placed" && out.hostId).toBe("h2");
  });
  it("a should rule is broken when nothing else fits, and the reasons say so", () => {
    const out = place(
      { hosts: [H("h1"), H("h2", { cpus: 4 })], vms: [V("a", { host: "h2" }), V("x")], groups: [{ name: "pref", type: "vm-host", enforcement: "should", vms: ["x"], hosts: ["h2"] }] },
      "x",
    );
    expect(out.kind).toBe("placed");
    if (out.kind === "placed") {
      expect(out.hostId).toBe("h1");
      expect(out.reasons[0]).toContain('soft rule not met: placement group "pref" (should)');
    }
  });
  it("should anti-affinity spreads, should affinity gathers", () => {
    const spread = place(
      { hosts: [H("h1"), H("h2")], vms: [V("a", { host: "h2" }), V("b", { host: "h1", vcpus: 12 }), V("x")], groups: [{ name: "s", type: "vm-vm-anti-affinity", enforcement: "should", vms: ["a", "x"] }] },
      "x",
    );
    expect(spread.kind === "placed" && spread.hostId).toBe("h1");
    const gather = place(
      { hosts: [H("h1"), H("h2")], vms: [V("a", { host: "h2", vcpus: 12 }), V("x")], groups: [{ name: "g", type: "vm-vm-affinity", enforcement: "should", vms: ["a", "x"] }] },
      "x",
    );
    expect(gather.kind === "placed" && gather.hostId).toBe("h2");
  });
  it("a multi-GPU VM gets all its GPUs on one host", () => {
    const out = place(
      { hosts: [H("h1", { gpus: [{ model: "NVIDIA L40S" }] }), H("h2", { gpus: [{ model: "NVIDIA L40S" }, { model: "NVIDIA L40S" }] })], vms: [V("x", { devices: [{ type: "gpu", tag: "NVIDIA L40S", count: 2 }] })] },
      "x",
    );
    expect(out.kind === "placed" && [out.hostId, out.allocations.map((a) => a.key)]).toEqual(["h2", ["gpu:h2-gpu0", "gpu:h2-gpu1"]]);
  });
  it("allocates the named GPU, the lowest free VF, and all request types together", () => {
    const s = snapshotFromSpec({
      hosts: [
        H("h1", {
          gpus: [{ id: "g0", model: "NVIDIA L40S" }, { id: "g1", model: "NVIDIA L40S" }],
          nics: [{ name: "ens1f0", sriovVfs: 4, tag: "t" }],
        }),
      ],
      vms: [V("a", { host: "h1", devices: [{ type: "sriov", tag: "t" }] }), V("x", { devices: [{ type: "gpu", tag: "NVIDIA L40S", gpuId: "g1" }, { type: "sriov", tag: "t", count: 2 }] })],
    });
    const out = placeVm(s, "x");
    expect(out.kind === "placed" && out.allocations.map((a) => a.key)).toEqual(["gpu:g1", "vf:h1/ens1f0:1", "vf:h1/ens1f0:2"]);
  });
  it("releases the VM's own allocations first (re-placing a running VM may reuse its own units)", () => {
    const s = snapshotFromSpec({ hosts: [H("h1", { cpus: 4, gpus: [{ model: "NVIDIA L40S" }] })], vms: [V("x", { host: "h1", devices: [{ type: "gpu", tag: "NVIDIA L40S" }] })] });
    const out = placeVm(s, "x");
    expect(out.kind === "placed" && [out.hostId, out.allocations[0].key]).toEqual(["h1", "gpu:h1-gpu0"]);
  });
  it("excludeHostIds and onlyHostIds restrict the candidates", () => {
    const spec = { hosts: [H("h1"), H("h2"), H("h3")], vms: [V("x")] };
    expect((place(spec, "x", { excludeHostIds: ["h1"] }) as { hostId: string }).hostId).toBe("h2");
    expect((place(spec, "x", { onlyHostIds: ["h3"] }) as { hostId: string }).hostId).toBe("h3");
    const none = place(spec, "x", { onlyHostIds: ["h3"], excludeHostIds: ["h3"] });
    expect(none.kind).toBe("unplaceable");
    expect(rejectionsOf(none).h3).toEqual(["host is excluded for this placement"]);
  });
  it("a VF on a NIC whose link is down is not offered", () => {
    const out = place({ hosts: [H("h1", { nics: [{ name: "ens1f0", sriovVfs: 4, tag: "t", linkUp: false }] })], vms: [V("x", { devices: [{ type: "sriov", tag: "t" }] })] }, "x");
    expect(out.kind).toBe("unplaceable");
  });
  it("an unknown VM is unplaceable, not an exception", () => {
    expect(place({ hosts: [H("h1")] }, "nope")).toEqual({ kind: "unplaceable", vmId: "nope", reasons: ["VM nope is not in the cluster"], rejections: [] });
  });
});

describe("capacity index", () => {
  it("place + commit consume capacity; release gives it back; explain does not change the choice", () => {
    const s = snapshotFromSpec({ hosts: [H("h1", { cpus: 8 }), H("h2", { cpus: 8 })], vms: [V("a"), V("b"), V("c"), V("d"), V("e")] });
    const cap = buildCapacity(s);
    const got: string[] = [];
    for (const id of ["a", "b", "c", "d", "e"]) {
      const quick = cap.place(id, { explain: false });
      const full = cap.place(id, { explain: true });
      expect(quick.kind === "placed" ? quick.hostId : null).toEqual(full.kind === "placed" ? full.hostId : null);
      if (quick.kind === "placed") {
        cap.commit(quick);
        got.push(`${id}@${quick.hostId}`);
      } else got.push(`${id}:none`);
    }
    expect(got).toEqual(["a@h1", "b@h2", "c@h1", "d@h2", "e:none"]);
    cap.release("a");
    expect(cap.place("e").kind).toBe("placed");
  });
  it("mark/rollback restores the exact state", () => {
    const s = snapshotFromSpec({ hosts: [H("h1", { nics: [{ name: "n", sriovVfs: 2, tag: "t" }] })], vms: [V("a", { devices: [{ type: "sriov", tag: "t" }] }), V("b", { devices: [{ type: "sriov", tag: "t" }] })] });
    const cap = buildCapacity(s);
    const m = cap.mark();
    const a = cap.place("a");
    if (a.kind === "placed") cap.commit(a);
    const b = cap.place("b");
    expect(b.kind === "placed" && b.allocations[0].key).toBe("vf:h1/n:1");
    cap.rollback(m);
    const b2 = cap.place("b");
    expect(b2.kind === "placed" && b2.allocations[0].key).toBe("vf:h1/n:0");
  });
});
