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
