// A host deleted in the console leaves the controller's memory on its next step.
import { afterEach, describe, expect, it } from "vitest";
import { createSimCluster, type SimCluster } from "./harness";

let c: SimCluster | null = null;
afterEach(async () => {
  await c?.dispose();
  c = null;
});

describe("a host deleted from the store", () => {
  it("is dropped with its liveness: no step fails on its missing row, nothing is raised for it", async () => {
    c = await createSimCluster({
      hosts: [
        { name: "h1", cpus: 32, memoryGiB: 256 },
        { name: "h2", cpus: 32, memoryGiB: 256 },
        { name: "h3", cpus: 32, memoryGiB: 256 },
      ],
      vms: [{ name: "web1", vcpus: 4, memoryGiB: 16, host: "h1" }],
    });
    await c.run(5);
    const id = c.hostIds.h3;
    await c.t.db.host.delete({ where: { id } });
    c.fleet.get("h3").powerLoss(c.clock.now()); // its agent goes away with it
    await c.run(45); // well past unreachable (3 s) and failed (30 s); run() throws on a failed step
    expect(c.controller.hostName(id)).toBeNull();
    expect(await c.t.db.alert.count({ where: { hostId: id } })).toBe(0);
    expect(await c.t.db.incident.count({ where: { hostId: id } })).toBe(0);
    expect(c.running("web1")).toHaveLength(1);
    // The others are still watched.
    c.fleet.get("h2").powerLoss(c.clock.now());
    await c.run(5);
    expect((await c.t.db.host.findUniqueOrThrow({ where: { name: "h2" } })).state).toBe("unreachable");
  });
});
