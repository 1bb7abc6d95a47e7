import { describe, expect, it } from "vitest";
import { admitPowerOn, assessGuarantee } from "./admission";
import { placeVm } from "./placement";
import { snapshotFromSpec, type ClusterSpec, type SpecVm } from "./testkit";
import type { Reservation } from "./types";

const L40 = "NVIDIA L40S";

function cluster(reservation: Reservation, extra: SpecVm[] = [], perHost = 4, ft: 1 | 2 = 1, hosts = 3): ClusterSpec {
  const names = Array.from({ length: hosts }, (_, i) => `h${i + 1}`);
  const vms: SpecVm[] = [];
  for (const h of names) for (let i = 0; i < perHost; i++) vms.push({ name: `${h}v${i}`, vcpus: 4, memoryGiB: 16, host: h });
  return { policy: { haMode: "guarantee", faultTolerance: ft, reservation }, hosts: names.map((name) => ({ name, cpus: 32, memoryGiB: 256 })), vms: [...vms, ...extra] };
}

describe("assessGuarantee", () => {
  it("segment-based: tolerates one failure; each host reserves what it would receive", () => {
    const a = assessGuarantee(snapshotFromSpec(cluster("segment")));
    expect(a.toleratedFailures).toBe(1);
    expect(a.unabsorbable).toEqual([]);
    expect(a.reservePerHost).toEqual([
      { hostId: "h1", cpus: 8, memoryMiB: 32768, devices: [] },
      { hostId: "h2", cpus: 8, memoryMiB: 32768, devices: [] },
      { hostId: "h3", cpus: 8, memoryMiB: 32768, devices: [] },
    ]);
  });
  it("host-based: the largest host's worth × FT spread over the other hosts", () => {
    const a = assessGuarantee(snapshotFromSpec(cluster("host")));
    expect(a.reservePerHost.map((r) => [r.hostId, r.cpus, r.memoryMiB])).toEqual([
      ["h1", 16, 131072],
      ["h2", 16, 131072],
      ["h3", 16, 131072],
    ]);
  });
  it("reports each failure set that cannot be absorbed, and why", () => {
    const spec = cluster("segment", [], 7);
    const refused = admitPowerOn(snapshotFromSpec({ ...spec, vms: [...spec.vms!, { name: "x", vcpus: 4, memoryGiB: 16 }] }), "x");
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) expect(refused.reasons[0]).toBe("Guarantee mode: the cluster already cannot absorb 1 host failure, so x is not powered on until capacity is added or other VMs are stopped");
    const a = assessGuarantee(snapshotFromSpec(spec));
    expect(a.toleratedFailures).toBe(0);
    expect(a.unabsorbable.map((u) => u.hostIds)).toEqual([["h1"], ["h2"], ["h3"]]);
    expect(a.unabsorbable[0].reasons[0]).toMatch(/^if h1 fails, h1v\d \(4 vCPU, 16 GiB\) cannot be restarted: /);
    expect(a.unabsorbable[0].reasons[0]).toContain("not enough vCPU");
  });
  it("checks every pair of hosts with fault tolerance 2", () => {
    const ok = assessGuarantee(snapshotFromSpec(cluster("segment", [], 2, 2, 4)));
    expect(ok.toleratedFailures).toBe(2);
    const bad = assessGuarantee(snapshotFromSpec(cluster("segment", [], 5, 2, 4)));
    expect(bad.toleratedFailures).toBe(1);
    expect(bad.unabsorbable.length).toBe(6);
    expect(bad.unabsorbable[0].hostIds).toEqual(["h1", "h2"]);
    expect(bad.unabsorbable[0].reasons[0]).toMatch(/^if h1 \+ h2 fail, /);
  });
  it("counts devices: spare GPUs per tag are reserved, and a tag with no spare is unabsorbable", () => {
    const spec: ClusterSpec = {
      policy: { haMode: "guarantee", faultTolerance: 1, reservation: "segment" },
      hosts: [
        { name: "h1", cpus: 32, memoryGiB: 256, gpus: [{ model: L40 }] },
        { name: "h2", cpus: 32, memoryGiB: 256, gpus: [{ model: L40 }] },
        { name: "h3", cpus: 32, memoryGiB: 256 },
      ],
      vms: [{ name: "g1", vcpus: 4, memoryGiB: 16, host: "h1", devices: [{ type: "gpu", tag: L40 }] }],
    };
    const a = assessGuarantee(snapshotFromSpec(spec));
    expect(a.toleratedFailures).toBe(1);
    expect(a.reservePerHost.find((r) => r.hostId === "h2")!.devices).toEqual([{ type: "gpu", tag: L40, count: 1 }]);
    // a second GPU VM takes the spare: h1 failing (or h2) can no longer be absorbed
    const out = admitPowerOn(snapshotFromSpec({ ...spec, vms: [...spec.vms!, { name: "g2", vcpus: 4, memoryGiB: 16, devices: [{ type: "gpu", tag: L40 }] }] }), "g2");
    expect(out.allowed).toBe(false);
    if (!out.allowed) expect(out.reasons[0]).toBe("powering on g2 would break the Guarantee reserve (1 host failure must stay absorbable)");
    const both = assessGuarantee(snapshotFromSpec({ ...spec, vms: [...spec.vms!, { name: "g2", vcpus: 4, memoryGiB: 16, host: "h2", devices: [{ type: "gpu", tag: L40 }] }] }));
    expect(both.toleratedFailures).toBe(0);
    expect(both.unabsorbable.map((u) => u.hostIds)).toEqual([["h1"], ["h2"]]);
    expect(both.unabsorbable[0].reasons[0]).toContain('needs 1 free GPU tagged "NVIDIA L40S"');
  });
});

describe("admitPowerOn", () => {
  it("default mode: plain placement", () => {
    const spec = cluster("segment", [{ name: "x", vcpus: 4, memoryGiB: 16 }], 7);
    const out = admitPowerOn(snapshotFromSpec({ ...spec, policy: { haMode: "default" } }), "x");
    expect(out.allowed).toBe(true);
  });
  it("segment-based: allowed when every failure stays absorbable", () => {
    const out = admitPowerOn(snapshotFromSpec(cluster("segment", [{ name: "x", vcpus: 4, memoryGiB: 16 }])), "x");
    expect(out.allowed).toBe(true);
    if (out.allowed) expect(out.placement.reasons.at(-1)).toBe("Guarantee reserve kept: 1 host failure still absorbed");
  });
  it("honours excludeHostIds (hosts the caller knows are unavailable)", () => {
    const s = snapshotFromSpec(cluster("segment", [{ name: "x", vcpus: 4, memoryGiB: 16 }]));
    const out = admitPowerOn(s, "x", { excludeHostIds: ["h1"] });
    expect(out.allowed && out.placement.hostId).toBe("h2");
    const dflt = admitPowerOn({ ...s, policy: { ...s.policy, haMode: "default" } }, "x", { excludeHostIds: ["h1", "h2"] });
    expect(dflt.allowed && dflt.placement.hostId).toBe("h3");
  });
  it("segment-based: the exact re-check admits a VM the per-host reserve estimate would refuse", () => {
    const out = admitPowerOn(snapshotFromSpec(cluster("segment", [{ name: "x", vcpus: 12, memoryGiB: 16 }])), "x");
    expect(out.allowed).toBe(true);
  });
  it("segment-based: refused when some failure could no longer be absorbed", () => {
    const out = admitPowerOn(snapshotFromSpec(cluster("segment", [{ name: "x", vcpus: 8, memoryGiB: 16 }], 5)), "x");
    expect(out.allowed).toBe(false);
    if (!out.allowed) {
      expect(out.reasons[0]).toBe("powering on x would break the Guarantee reserve (1 host failure must stay absorbable)");
      expect(out.reasons.some((r) => /cannot be restarted/.test(r))).toBe(true);
    }
  });
  it("host-based: refused when a host would keep less than its share of the reserve, with the numbers", () => {
    const out = admitPowerOn(snapshotFromSpec(cluster("host", [{ name: "x", vcpus: 4, memoryGiB: 16 }])), "x");
    expect(out.allowed).toBe(false);
    if (!out.allowed)
      expect(out.rejections[0].reasons).toEqual([
        "would break the Guarantee reserve: keeps 16 vCPU and 128 GiB free for 1 host failure (host-based: the largest host's worth × 1, spread over the others); 12 vCPU and 176 GiB would be left",
      ]);
  });
  it("host-based: spare GPUs per tag are reserved too", () => {
    const gpus = [{ model: L40 }, { model: L40 }];
    const s = snapshotFromSpec({
      policy: { haMode: "guarantee", faultTolerance: 1, reservation: "host" },
      hosts: ["h1", "h2", "h3"].map((name) => ({ name, cpus: 64, memoryGiB: 512, gpus })),
      vms: [
        { name: "two", vcpus: 2, memoryGiB: 4, devices: [{ type: "gpu", tag: L40, count: 2 }] },
        { name: "one", vcpus: 2, memoryGiB: 4, devices: [{ type: "gpu", tag: L40, count: 1 }] },
      ],
    });
    expect(assessGuarantee(s).reservePerHost[0].devices).toEqual([{ type: "gpu", tag: L40, count: 1 }]);
    const two = admitPowerOn(s, "two");
    expect(two.allowed).toBe(false);
    if (!two.allowed) expect(two.rejections[0].reasons).toContain('would break the Guarantee reserve: keeps 1 free GPU tagged "NVIDIA L40S" for 1 host failure (host-based: the largest host\'s worth × 1, spread over the others); 0 would be left');
    expect(admitPowerOn(s, "one").allowed).toBe(true);
  });
  it("HA restarts may use the reserve: placeVm applies it only to power-on", () => {
    const s = snapshotFromSpec(cluster("host", [{ name: "x", vcpus: 4, memoryGiB: 16 }]));
    expect(placeVm(s, "x").kind).toBe("unplaceable");
    expect(placeVm(s, "x", { purpose: "ha" }).kind).toBe("placed");
    expect(placeVm(s, "x", { ignoreReserve: true }).kind).toBe("placed");
  });
});

describe("Guarantee: VMs that can never run elsewhere are not protected", () => {
  const A100 = "NVIDIA A100-PCIE-40GB";
  const big = (name: string, extra: Partial<ClusterSpec["hosts"][number]> = {}) => ({ name, cpus: 32, memoryGiB: 256, ...extra });
  const cases: { name: string; spec: ClusterSpec; vm: string; reasons: string[] | null }[] = [
    {
      name: "a GPU named exactly",
      spec: { hosts: [big("h1", { gpus: [{ id: "g0", model: L40 }] }), big("h2", { gpus: [{ model: L40 }] }), big("h3")], vms: [{ name: "p", vcpus: 4, memoryGiB: 16, host: "h1", devices: [{ type: "gpu", tag: L40, gpuId: "g0" }] }] },
      vm: "p",
      reasons: ["it asks for GPU g0 by name, which is on h1"],
    },
    {
      name: "a GPU tag only one host has",
      spec: { hosts: [big("h1", { gpus: [{ model: L40 }] }), big("h2"), big("h3")], vms: [{ name: "p", vcpus: 4, memoryGiB: 16, host: "h1", devices: [{ type: "gpu", tag: L40 }] }] },
      vm: "p",
      reasons: ['only h1 has 1 GPU tagged "NVIDIA L40S"'],
    },
    {
      name: "a vGPU profile only one host has (another host has the model with another profile)",
      spec: {
        hosts: [big("h1", { gpus: [{ model: A100, mode: "compute", vgpu: { profile: "A100-8C", slots: 5 } }] }), big("h2", { gpus: [{ model: A100, mode: "compute", vgpu: { profile: "A100-4C", slots: 10 } }] }), big("h3")],
        vms: [{ name: "p", vcpus: 4, memoryGiB: 16, host: "h1", devices: [{ type: "vgpu", tag: `${A100}.compute/A100-8C`, count: 2 }] }],
      },
      vm: "p",
      reasons: [`only h1 has 2 vGPU slots tagged "${A100}.compute/A100-8C"`],
    },
    {
      name: "a must vm-host group naming one host",
      spec: { hosts: [big("h1"), big("h2"), big("h3")], vms: [{ name: "p", vcpus: 4, memoryGiB: 16, host: "h2" }], groups: [{ name: "pin", type: "vm-host", vms: ["p"], hosts: ["h2"] }] },
      vm: "p",
      reasons: ['placement group "pin" (must) allows only h2'],
    },
    {
      name: "host affinity to one host",
      spec: { hosts: [big("h1"), big("h2"), big("h3")], vms: [{ name: "p", vcpus: 4, memoryGiB: 16, host: "h3", hostAffinity: ["h3"] }] },
      vm: "p",
      reasons: ["its host affinity allows only h3"],
    },
    {
      name: "a size only one host has",
      spec: { hosts: [big("h1", { cpus: 64 }), big("h2"), big("h3")], vms: [{ name: "p", vcpus: 48, memoryGiB: 16, host: "h1" }] },
      vm: "p",
      reasons: ["only h1 is large enough for 48 vCPU and 16 GiB"],
    },
    {
      name: "a must zone with one host",
      spec: {
        hosts: [big("h1", { zone: "az-a" }), big("h2", { zone: "az-b" }), big("h3", { zone: "az-b" })],
        vms: [{ name: "p", vcpus: 4, memoryGiB: 16, host: "h1" }],
        groups: [{ name: "in-a", type: "zone", zone: "az-a", vms: ["p"] }],
      },
      vm: "p",
      reasons: ['zone policy "in-a" (must) keeps it in zone az-a, where only h1 is'],
    },
    {
      name: "each requirement leaves two hosts, together only one",
      spec: {
        hosts: [big("h1", { gpus: [{ model: L40 }] }), big("h2", { gpus: [{ model: L40 }] }), big("h3")],
        vms: [{ name: "p", vcpus: 4, memoryGiB: 16, host: "h2", hostAffinity: ["h2", "h3"], devices: [{ type: "gpu", tag: L40 }] }],
      },
      vm: "p",
      reasons: ["only h2 meets all of its requirements together (size, devices and must rules)"],
    },
    {
      name: "protected: another host has the tag, even if its GPU is busy now",
      spec: {
        hosts: [big("h1", { gpus: [{ model: L40 }] }), big("h2", { gpus: [{ model: L40 }] }), big("h3")],
        vms: [
          { name: "p", vcpus: 4, memoryGiB: 16, host: "h1", devices: [{ type: "gpu", tag: L40 }] },
          { name: "q", vcpus: 4, memoryGiB: 16, host: "h2", devices: [{ type: "gpu", tag: L40 }] },
        ],
      },
      vm: "p",
      reasons: null,
    },
    {
      name: "priority off: HA does not restart it, so it is not listed",
      spec: { hosts: [big("h1", { gpus: [{ id: "g0", model: L40 }] }), big("h2"), big("h3")], vms: [{ name: "p", vcpus: 4, memoryGiB: 16, host: "h1", haPriority: "off", devices: [{ type: "gpu", tag: L40, gpuId: "g0" }] }] },
      vm: "p",
      reasons: null,
    },
  ];
  it.each(cases)("$name", ({ spec, vm, reasons }) => {
    const a = assessGuarantee(snapshotFromSpec({ ...spec, policy: { haMode: "guarantee", faultTolerance: 1, reservation: "segment" } }));
    const entry = a.notProtected.find((p) => p.vmId === vm);
    expect(entry?.reasons ?? null).toEqual(reasons);
    // left out of the absorbability check: the cluster still tolerates one failure
    if (reasons) {
      expect(a.toleratedFailures).toBe(1);
      expect(a.unabsorbable).toEqual([]);
    }
  });

  /** The demo's shape: a VM pinned to its GPU on h1, a spare GPU VM pair, plenty of room. */
  const pinned = (extra: SpecVm[] = []): ClusterSpec => ({
    policy: { haMode: "guarantee", faultTolerance: 1, reservation: "segment" },
    hosts: [
      { name: "h1", cpus: 32, memoryGiB: 256, gpus: [{ id: "g0", model: L40 }, { id: "g1", model: L40 }, { id: "g2", model: L40 }] },
      { name: "h2", cpus: 32, memoryGiB: 256, gpus: [{ model: L40 }] },
      { name: "h3", cpus: 32, memoryGiB: 256 },
    ],
    vms: [
      { name: "pin", vcpus: 4, memoryGiB: 16, host: "h1", devices: [{ type: "gpu", tag: L40, gpuId: "g0" }] },
      { name: "g", vcpus: 4, memoryGiB: 16, host: "h1", devices: [{ type: "gpu", tag: L40 }] },
      { name: "w", vcpus: 4, memoryGiB: 16, host: "h2" },
      ...extra,
    ],
  });

  it("in Default mode it is listed too, and still counted: the assessment says what would happen", () => {
    const a = assessGuarantee(snapshotFromSpec({ ...pinned(), policy: { haMode: "default", faultTolerance: 1, reservation: "segment" } }));
    expect(a.notProtected.map((p) => p.vmId)).toEqual(["pin"]);
    expect(a.toleratedFailures).toBe(0);
    expect(a.unabsorbable.map((u) => u.hostIds)).toEqual([["h1"]]);
    expect(a.unabsorbable[0].reasons[0]).toMatch(/^if h1 fails, pin \(4 vCPU, 16 GiB\) cannot be restarted: /);
  });

  it("the pinned VM no longer makes every power-on refused: it is reported, the rest is exact", () => {
    const a = assessGuarantee(snapshotFromSpec(pinned()));
    expect(a.toleratedFailures).toBe(1);
    expect(a.notProtected).toEqual([{ vmId: "pin", vmName: "pin", hostIds: ["h1"], reasons: ["it asks for GPU g0 by name, which is on h1"] }]);
    const web = admitPowerOn(snapshotFromSpec(pinned([{ name: "x", vcpus: 4, memoryGiB: 16 }])), "x");
    expect(web.allowed).toBe(true);
    // exact for everything else: a GPU VM taking h2's spare would leave g with nowhere to go if h1 failed
    const gpu = admitPowerOn(snapshotFromSpec(pinned([{ name: "x", vcpus: 4, memoryGiB: 16, devices: [{ type: "gpu", tag: L40 }] }])), "x");
    expect(gpu.allowed).toBe(false);
    if (!gpu.allowed) expect(gpu.reasons.join("\n")).toMatch(/if h1 fails, g \(4 vCPU, 16 GiB\) cannot be restarted/);
  });

  it("a power-on of a VM that is itself not protected is admitted, and says its own restart is not promised", () => {
    const out = admitPowerOn(snapshotFromSpec(pinned([{ name: "x", vcpus: 4, memoryGiB: 16, devices: [{ type: "gpu", tag: L40, gpuId: "g2" }] }])), "x");
    expect(out.allowed).toBe(true);
    if (out.allowed) {
      expect(out.placement.hostId).toBe("h1");
      expect(out.placement.reasons.at(-1)).toBe("x is not protected by the Guarantee (it asks for GPU g2 by name, which is on h1): its own restart is not promised; every other VM's still is");
    }
  });
});

describe("a refused Guarantee power-on says what refused each host", () => {
  const noScoredBetter = (rs: { reasons: string[] }[]) => rs.every((r) => r.reasons.length > 0 && r.reasons.every((x) => !/scored better/.test(x)));
  it("segment-based: every host, with the reserve it would break and the failure set the exact check found", () => {
    const out = admitPowerOn(snapshotFromSpec(cluster("segment", [{ name: "x", vcpus: 8, memoryGiB: 16 }], 5)), "x");
    expect(out.allowed).toBe(false);
    if (out.allowed) return;
    expect(out.rejections.map((r) => r.hostName)).toEqual(["h1", "h2", "h3"]);
    expect(noScoredBetter(out.rejections)).toBe(true);
    expect(out.rejections[0].reasons).toEqual([
      "would break the Guarantee reserve: keeps 12 vCPU and 48 GiB free for the failover of h2 (segment-based); 4 vCPU and 160 GiB would be left",
      "re-planned exactly, it still breaks the Guarantee: if h1 fails, h1v4 (4 vCPU, 16 GiB) cannot be restarted: h2: not enough vCPU: needs 4, 0 free | h3: not enough vCPU: needs 4, 0 free",
    ]);
  });
  it("already short: hosts that fit are refused by the failure the cluster cannot absorb; the others by their own reasons", () => {
    const spec = cluster("segment", [{ name: "x", vcpus: 4, memoryGiB: 16 }], 7);
    spec.hosts[2] = { ...spec.hosts[2], state: "maintenance" };
    const out = admitPowerOn(snapshotFromSpec(spec), "x");
    expect(out.allowed).toBe(false);
    if (out.allowed) return;
    expect(Object.fromEntries(out.rejections.map((r) => [r.hostName, r.reasons]))).toEqual({
      h1: ["fits, but Guarantee mode powers nothing on while the cluster cannot absorb 1 host failure: if h1 fails, h1v1 (4 vCPU, 16 GiB) cannot be restarted, and 1 more failure set"],
      h2: ["fits, but Guarantee mode powers nothing on while the cluster cannot absorb 1 host failure: if h1 fails, h1v1 (4 vCPU, 16 GiB) cannot be restarted, and 1 more failure set"],
      h3: ["host is in maintenance"],
    });
  });
  it("no host fits at all: the plain placement answer, not a Guarantee one", () => {
    const out = admitPowerOn(snapshotFromSpec(cluster("segment", [{ name: "x", vcpus: 64, memoryGiB: 16 }], 1)), "x");
    expect(out.allowed).toBe(false);
    if (!out.allowed) {
      expect(out.reasons[0]).toBe("no host can run VM x (64 vCPU, 16 GiB)");
      expect(out.rejections.map((r) => r.reasons)).toEqual([["not enough vCPU: needs 64, 28 free"], ["not enough vCPU: needs 64, 28 free"], ["not enough vCPU: needs 64, 28 free"]]);
    }
  });
  it("admitted by the exact re-check: the chosen host is not listed, the others say which reserve refused them", () => {
    const out = admitPowerOn(snapshotFromSpec(cluster("segment", [{ name: "x", vcpus: 12, memoryGiB: 16 }])), "x");
    expect(out.allowed).toBe(true);
    if (!out.allowed) return;
    expect(out.placement.reasons.at(-1)).toMatch(/^segment-based reserve re-planned/);
    expect(out.placement.rejections.map((r) => r.hostId)).not.toContain(out.placement.hostId);
    expect(out.placement.rejections.length).toBe(2);
    for (const r of out.placement.rejections) expect(r.reasons.join(" ")).toMatch(/^would break the Guarantee reserve: keeps \d+ vCPU and [\d.]+ GiB free for the failover of h\d \(segment-based\)/);
  });
});
