import { describe, expect, it } from "vitest";
import { whatIfAll } from "./whatif";
import { planFailover } from "./ha";
import { snapshotFromSpec } from "./testkit";
import { planStorageSessions, sessionsPerDisk } from "./storage-path";

describe("whatIfAll", () => {
  const s = snapshotFromSpec({
    hosts: [
      { name: "h1", cpus: 16, memoryGiB: 64, nics: [{ name: "n", sriovVfs: 2, tag: "t" }] },
      { name: "h2", cpus: 16, memoryGiB: 64 },
      { name: "h3", cpus: 16, memoryGiB: 64, nics: [{ name: "n", sriovVfs: 2, tag: "t" }] },
    ],
    vms: [
      { name: "a", vcpus: 8, memoryGiB: 16, host: "h1", devices: [{ type: "sriov", tag: "t" }] },
      { name: "b", vcpus: 8, memoryGiB: 16, host: "h1" },
      { name: "c", vcpus: 8, memoryGiB: 16, host: "h2" },
      { name: "d", vcpus: 8, memoryGiB: 16, host: "h3", haPriority: "high" },
    ],
  });
  it("gives, for every host, the same plan as planFailover for that host alone", () => {
    const all = whatIfAll(s);
    expect(all.map((x) => x.hostId)).toEqual(["h1", "h2", "h3"]);
    for (const { hostId, plan } of all) expect(plan).toEqual(planFailover(s, [hostId]));
  });
  it("leaves no trace between hosts (each plan sees the full cluster)", () => {
    const all = whatIfAll(s);
    expect(all[0].plan.placements.map((p) => [p.vmId, p.hostId])).toEqual([
      ["a", "h3"],
      ["b", "h2"],
    ]);
    expect(all[2].plan.placements.map((p) => [p.vmId, p.hostId])).toEqual([["d", "h2"]]);
    expect(whatIfAll(s)).toEqual(all);
  });
  it("without reasons: the same restarts, no score wording", () => {
    const all = whatIfAll(s);
    const bare = whatIfAll(s, { reasons: false });
    expect(bare.map((x) => x.plan.placements.map((p) => [p.vmId, p.hostId, p.allocations]))).toEqual(all.map((x) => x.plan.placements.map((p) => [p.vmId, p.hostId, p.allocations])));
    expect(bare.every((x) => x.plan.placements.every((p) => p.reasons.length === 0))).toBe(true);
  });
});

describe("storage path extras", () => {
  it.each([
    [1, 1],
    [2, 2],
    [16, 2],
  ] as const)("sessionsPerDisk(%d) = %d", (v, n) => {
    expect(sessionsPerDisk(v)).toBe(n);
  });
  it("spreads redirected sessions by load (fewest sessions first, then name)", () => {
    const s = snapshotFromSpec({
      hosts: [
        { name: "h1", cpus: 32, memoryGiB: 256, storageHealthy: false },
        { name: "h2", cpus: 32, memoryGiB: 256 },
        { name: "h3", cpus: 32, memoryGiB: 256 },
      ],
      vms: [
        { name: "busy", vcpus: 4, memoryGiB: 8, host: "h2", disks: [10, 10] },
        { name: "x", vcpus: 4, memoryGiB: 8, host: "h1", disks: [10] },
      ],
    });
    const plan = planStorageSessions(s).filter((p) => p.vmId === "x");
    expect(plan.map((p) => [p.controllerHostId, p.redirected])).toEqual([
      ["h3", true],
      ["h3", true],
    ]);
    expect(plan[0].reason).toBe("the storage controller on h1 is down; redirected to h3");
  });
  it("a host without a controller redirects; a failed host's controller is not used; none left → unavailable", () => {
    const s = snapshotFromSpec({
      hosts: [
        { name: "h1", cpus: 32, memoryGiB: 256, storageController: false },
        { name: "h2", cpus: 32, memoryGiB: 256, state: "failed" },
      ],
      vms: [{ name: "x", vcpus: 1, memoryGiB: 8, host: "h1", disks: [10] }],
    });
    expect(planStorageSessions(s)).toEqual([
      { vmId: "x", diskIndex: 0, session: 0, controllerHostId: "h1", redirected: false, unavailable: true, reason: "h1 has no storage controller and no healthy storage controller is left" },
    ]);
  });
  it("VMs without a host have no sessions", () => {
    const s = snapshotFromSpec({ hosts: [{ name: "h1", cpus: 32, memoryGiB: 256 }], vms: [{ name: "x", vcpus: 1, memoryGiB: 8 }] });
    expect(planStorageSessions(s)).toEqual([]);
  });
});
