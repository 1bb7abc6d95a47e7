// Engine-level tests for the situations of the public scenarios (../shared/scenarios).
import { describe, expect, it } from "vitest";
import { snapshotFromSpec, type ClusterSpec } from "./testkit";
import { haEligibility, planFailover } from "./ha";
import { planStorageSessions } from "./storage-path";
import type { ClusterSnapshot } from "./types";

const std = (name: string, extra: Partial<ClusterSpec["hosts"][number]> = {}) => ({ name, cpus: 32, memoryGiB: 256, ...extra });

function hostOf(plan: ReturnType<typeof planFailover>, vm: string) {
  return plan.placements.find((p) => p.vmId === vm)?.hostId;
}

describe("basic-host-failure", () => {
  const s = snapshotFromSpec({
    hosts: [std("h1"), std("h2"), std("h3")],
    vms: [
      { name: "web1", vcpus: 4, memoryGiB: 16, haPriority: "high", host: "h1" },
      { name: "web2", vcpus: 4, memoryGiB: 16, haPriority: "medium", host: "h1" },
      { name: "batch1", vcpus: 4, memoryGiB: 16, haPriority: "low", host: "h1" },
      { name: "scratch", vcpus: 4, memoryGiB: 16, haPriority: "off", host: "h1" },
      { name: "app1", vcpus: 4, memoryGiB: 16, haPriority: "medium", host: "h2" },
      { name: "app2", vcpus: 4, memoryGiB: 16, haPriority: "medium", host: "h3" },
    ],
  });
  const plan = planFailover(s, ["h1"]);
  it("restarts the HA VMs high → medium → low on the survivors", () => {
    expect(plan.placements.map((p) => p.vmId)).toEqual(["web1", "web2", "batch1"]);
    for (const p of plan.placements) expect(["h2", "h3"]).toContain(p.hostId);
    expect(plan.unplaceable).toEqual([]);
  });
  it("skips the priority-off VM with the reason", () => {
    expect(plan.skipped).toEqual([{ vmId: "scratch", reason: "HA priority is off" }]);
  });
  it("moves no VM of a healthy host", () => {
    const moved = new Set(plan.placements.map((p) => p.vmId));
    expect(moved.has("app1") || moved.has("app2")).toBe(false);
  });
  it("balances load: web1 and web2 go to different hosts", () => {
    expect(hostOf(plan, "web1")).not.toBe(hostOf(plan, "web2"));
  });
});

describe("passthrough-no-spare", () => {
  const s = snapshotFromSpec({
    hosts: [std("h1", { gpus: [{ id: "h1-gpu0", model: "NVIDIA Tesla M60" }] }), std("h2"), std("h3")],
    vms: [
      { name: "g1", vcpus: 4, memoryGiB: 16, haPriority: "high", host: "h1", devices: [{ type: "gpu", tag: "NVIDIA Tesla M60" }] },
      { name: "w1", vcpus: 4, memoryGiB: 16, haPriority: "low", host: "h1" },
    ],
  });
  it("flags g1 not HA-eligible, naming the request with no spare", () => {
    const e = haEligibility(s);
    expect(e.map((x) => x.vmId)).toEqual(["g1", "w1"]);
    expect(e[0]).toMatchObject({ vmId: "g1", eligible: false, reasons: ['no other host has 1 free GPU tagged "NVIDIA Tesla M60"'], host: { id: "h1", name: "h1" } });
    expect(e[1]).toMatchObject({ vmId: "w1", eligible: true, reasons: [], host: { id: "h1", name: "h1" } });
  });
  it("cannot rebuild g1 (every host says why) but rebuilds w1", () => {
    const plan = planFailover(s, ["h1"]);
    expect(plan.placements.map((p) => p.vmId)).toEqual(["w1"]);
    expect(plan.unplaceable).toHaveLength(1);
    const u = plan.unplaceable[0];
    expect(u.vmId).toBe("g1");
    const byHost = Object.fromEntries(u.rejections.map((r) => [r.hostName, r.reasons]));
    expect(byHost.h1).toEqual(["host is excluded for this placement"]);
    expect(byHost.h2).toEqual(['needs 1 free GPU tagged "NVIDIA Tesla M60", has 0 (no gpu devices here)']);
  });
});

describe("sriov-tag-rebuild", () => {
  const s = snapshotFromSpec({
    hosts: [
      std("h1", { nics: [{ name: "ens1f0", sriovVfs: 8, tag: "trading-a" }] }),
      { name: "h2", cpus: 96, memoryGiB: 1024, nics: [{ name: "ens1f0", sriovVfs: 64, tag: "trading-b" }] },
      std("h3", { nics: [{ name: "ens1f0", sriovVfs: 4, tag: "trading-a" }] }),
    ],
    vms: [{ name: "t1", vcpus: 4, memoryGiB: 16, haPriority: "high", host: "h1", devices: [{ type: "sriov", tag: "trading-a" }] }],
  });
  it("rebuilds t1 only on the host whose NIC carries trading-a, on VF 0", () => {
    const plan = planFailover(s, ["h1"]);
    expect(plan.placements).toHaveLength(1);
    expect(plan.placements[0].hostId).toBe("h3");
    expect(plan.placements[0].allocations).toEqual([
      { key: "vf:h3/ens1f0:0", type: "sriov", tag: "trading-a", hostId: "h3", gpuId: null, slot: null, nicId: "h3/ens1f0", vf: 0 },
    ]);
  });
  it("explains why the bigger h2 is rejected", () => {
    const s2: ClusterSnapshot = { ...s, hosts: s.hosts.map((h) => (h.id === "h3" ? { ...h, state: "failed" as const } : h)) };
    const plan = planFailover(s2, ["h1"]);
    const rej = plan.unplaceable[0].rejections.find((r) => r.hostId === "h2")!;
    expect(rej.reasons).toEqual(['needs 1 free sriov VF tagged "trading-a", has 0 (NIC tags here: trading-b)']);
    expect(plan.unplaceable[0].reasons).toContain("h3: host is failed");
  });
});

describe("vgpu-profile-rebuild", () => {
  const a100 = (id: string, profile: string, slots: number) => ({ id, model: "NVIDIA A100-PCIE-40GB", mode: "compute" as const, vgpu: { profile, slots } });
  const tag = "NVIDIA A100-PCIE-40GB.compute/A100-4C";
  const s = snapshotFromSpec({
    hosts: [
      std("h1", { gpus: [a100("h1-gpu0", "A100-4C", 10)] }),
      { name: "h2", cpus: 96, memoryGiB: 1024, gpus: [a100("h2-gpu0", "A100-8C", 5)] },
      std("h3", { gpus: [a100("h3-gpu0", "A100-4C", 10)] }),
    ],
    vms: [
      { name: "infer1", vcpus: 4, memoryGiB: 16, haPriority: "high", host: "h1", devices: [{ type: "vgpu", tag }] },
      { name: "infer2", vcpus: 4, memoryGiB: 16, haPriority: "medium", host: "h1", devices: [{ type: "vgpu", tag }] },
    ],
  });
  it("rebuilds both on h3 (same model, mode and profile), slots 0 and 1 of the same GPU", () => {
    const plan = planFailover(s, ["h1"]);
    expect(plan.placements.map((p) => [p.vmId, p.hostId, p.allocations.map((a) => a.key)])).toEqual([
      ["infer1", "h3", ["vgpu:h3-gpu0:0"]],
      ["infer2", "h3", ["vgpu:h3-gpu0:1"]],
    ]);
  });
  it("does not take the A100-8C profile as a match", () => {
    const plan = planFailover({ ...s, hosts: s.hosts.map((h) => (h.id === "h3" ? { ...h, state: "failed" as const } : h)) }, ["h1"]);
    expect(plan.placements).toEqual([]);
    const r = plan.unplaceable[0].rejections.find((x) => x.hostId === "h2")!;
    expect(r.reasons).toEqual([`needs 1 free vGPU slot tagged "${tag}", has 0 (vGPU tags here: NVIDIA A100-PCIE-40GB.compute/A100-8C)`]);
  });
});

describe("storage-path-failover", () => {
  const spec: ClusterSpec = {
    hosts: [std("h1"), std("h2"), std("h3")],
    vms: [
      { name: "one", vcpus: 1, memoryGiB: 16, host: "h1", disks: [40, 100] },
      { name: "four", vcpus: 4, memoryGiB: 16, host: "h1", disks: [40] },
    ],
  };
  it("uses the local controller when healthy: one session per disk at 1 vCPU, two at ≥ 2", () => {
    const plan = planStorageSessions(snapshotFromSpec(spec));
    expect(plan.map((p) => [p.vmId, p.diskIndex, p.session, p.controllerHostId, p.redirected])).toEqual([
      ["four", 0, 0, "h1", false],
      ["four", 0, 1, "h1", false],
      ["one", 0, 0, "h1", false],
      ["one", 1, 0, "h1", false],
    ]);
  });
  it("redirects to healthy remotes (fewest sessions, then name) when the local one is down, and fails back", () => {
    const down = snapshotFromSpec({ ...spec, hosts: [std("h1", { storageHealthy: false }), std("h2"), std("h3")] });
    const plan = planStorageSessions(down);
    expect(plan.map((p) => [p.vmId, p.diskIndex, p.session, p.controllerHostId, p.redirected])).toEqual([
      ["four", 0, 0, "h2", true],
      ["four", 0, 1, "h3", true],
      ["one", 0, 0, "h2", true],
      ["one", 1, 0, "h3", true],
    ]);
    const back = planStorageSessions(snapshotFromSpec(spec));
    expect(back.every((p) => p.controllerHostId === "h1" && !p.redirected)).toBe(true);
  });
});

describe("network-fault-ha", () => {
  // h3's agent still heartbeats (host online) but its storage bond is down: HA treats it as failed.
  const s = snapshotFromSpec({
    hosts: [std("h1"), std("h2"), std("h3")],
    vms: [
      { name: "s1", vcpus: 4, memoryGiB: 16, haPriority: "high", host: "h3" },
      { name: "s2", vcpus: 4, memoryGiB: 16, haPriority: "medium", host: "h3" },
      { name: "a1", vcpus: 4, memoryGiB: 16, haPriority: "medium", host: "h1" },
    ],
  });
  it("rebuilds the host's VMs elsewhere although the host is still online, and never on it", () => {
    const plan = planFailover(s, ["h3"]);
    expect(plan.placements.map((p) => p.vmId)).toEqual(["s1", "s2"]);
    for (const p of plan.placements) expect(["h1", "h2"]).toContain(p.hostId);
    expect(plan.placements.some((p) => p.vmId === "a1")).toBe(false);
  });
});

describe("isolation-no-split-brain", () => {
  const spec: ClusterSpec = {
    hosts: [std("h1"), std("h2", { state: "isolated" }), std("h3")],
    vms: [
      { name: "db1", vcpus: 4, memoryGiB: 16, haPriority: "high", host: "h2" },
      { name: "db2", vcpus: 4, memoryGiB: 16, haPriority: "low", host: "h2" },
      { name: "app1", vcpus: 4, memoryGiB: 16, haPriority: "medium", host: "h1" },
    ],
  };
  it("an isolated host is never a target; its HA VMs are rebuilt on the others once it is failed", () => {
    const s = snapshotFromSpec(spec);
    const plan = planFailover(s, ["h2"]);
    expect(plan.placements.map((p) => p.vmId)).toEqual(["db1", "db2"]);
    for (const p of plan.placements) expect(p.hostId).not.toBe("h2");
    const failed = snapshotFromSpec({ ...spec, hosts: [std("h1"), std("h2", { state: "failed" }), std("h3")] });
    expect(planFailover(failed, ["h2"]).placements.map((p) => [p.vmId, p.hostId])).toEqual(plan.placements.map((p) => [p.vmId, p.hostId]));
  });
});
