// The failure detector measures its own lag: time the controller could not observe (no step ran,
// no heartbeat was processed — a blocked event loop, a long step, GC) is never counted against a
// host, while a host that is really silent is still declared unreachable after missed × heartbeat
// of observed silence.
import { afterEach, describe, expect, it } from "vitest";
import type { TClusterSpecInput } from "@/lib/schemas/cluster-spec";
import { createSimCluster, type SimCluster } from "./harness";

let c: SimCluster | null = null;
afterEach(async () => {
  await c?.dispose();
  c = null;
});

const spec: TClusterSpecInput = {
  hosts: [
    { name: "h1", cpus: 32, memoryGiB: 256 },
    { name: "h2", cpus: 32, memoryGiB: 256 },
    { name: "h3", cpus: 32, memoryGiB: 256 },
  ],
  vms: [
    { name: "web1", vcpus: 4, memoryGiB: 16, host: "h1", haPriority: "high" },
    { name: "web2", vcpus: 4, memoryGiB: 16, host: "h2", haPriority: "high" },
  ],
};

const states = async (c: SimCluster) => Object.fromEntries((await c.t.db.host.findMany({ orderBy: { name: "asc" } })).map((h) => [h.name, h.state]));
const allOnline = { h1: "online", h2: "online", h3: "online" };

/** One 0.5 s tick in an order the test picks: the controller steps before or after the heartbeats arrive. */
async function tick(c: SimCluster, order: "heartbeats-first" | "step-first") {
  c.clock.advance(500);
  const now = c.clock.now();
  if (order === "step-first") await c.controller.step();
  await c.fleet.tick(now);
  if (order === "heartbeats-first") await c.controller.step();
  await c.fleet.poll(now);
}

describe("the failure detector's own stalls", () => {
  for (const order of ["step-first", "heartbeats-first"] as const) {
    it(`a 10 s stall (no step, no heartbeat processed) marks no host unreachable (${order})`, async () => {
      c = await createSimCluster(spec);
      await c.run(10);
      expect(c.controller.detectorLag()).toMatchObject({ stalls: 0, lastStall: null });
      expect(c.controller.detectorLag().maxMs).toBeLessThanOrEqual(500);
      // The console is blocked for 10 s: nothing it does runs, and the agents' heartbeats wait in
      // its socket buffers. Then it runs again and reads them.
      c.clock.advance(10_000);
      for (let i = 0; i < 20; i++) await tick(c, order);
      expect(await states(c)).toEqual(allOnline);
      expect(await c.t.db.incident.count()).toBe(0);
      expect(await c.t.db.alert.count({ where: { kind: { in: ["HOST_UNREACHABLE", "HOST_FAILED"] } } })).toBe(0);
      const lag = c.controller.detectorLag();
      expect(lag.stalls).toBe(1);
      expect(lag.lastStall).toEqual({ at: 20_500, ms: 10_500 });
      expect(lag.maxMs).toBe(10_500);
      expect(lag.unobservedMs).toBe(10_500);
      expect(lag.lastMs).toBeLessThanOrEqual(500);
      expect(c.running("web1")).toEqual(["h1"]);
    });
  }

  it("a host silent before the stall is unreachable after missed × heartbeat of observed silence, the others stay online", async () => {
    c = await createSimCluster(spec);
    await c.run(10);
    c.fleet.get("h1").powerLoss(c.clock.now()); // its last heartbeat was at 9.5 s
    c.clock.advance(10_000); // blind from 10 s to 20.5 s (the first observation after the stall)
    for (let i = 0; i < 5; i++) await tick(c, "step-first"); // 20.5 … 22.5 s: 0.5 s + 2 s observed
    expect(await states(c)).toEqual(allOnline);
    await tick(c, "step-first"); // 23 s: 3 s of observed silence
    expect(await states(c)).toEqual({ ...allOnline, h1: "unreachable" });
    const ev = await c.t.db.event.findFirstOrThrow({ where: { kind: "host-unreachable" } });
    expect(ev.message).toMatch(/silent for 13.5s, of which 10.5s the console could not observe/);
    expect(JSON.parse(ev.data!)).toMatchObject({ silentS: 13.5, unobservedS: 10.5 });
  });

  it("a host that goes silent after a stall is unreachable within the usual window", async () => {
    c = await createSimCluster(spec);
    await c.run(10);
    c.clock.advance(10_000);
    for (let i = 0; i < 6; i++) await tick(c, "heartbeats-first"); // 23 s
    c.fleet.get("h1").powerLoss(c.clock.now()); // last heartbeat at 23 s
    for (let i = 0; i < 5; i++) await tick(c, "heartbeats-first"); // 25.5 s
    expect(await states(c)).toEqual(allOnline);
    await tick(c, "heartbeats-first"); // 26 s = 23 s + 3 × 1 s
    expect(await states(c)).toEqual({ ...allOnline, h1: "unreachable" });
    // … and failed failureTimeout later, its VM rebuilt.
    await c.run(30);
    expect(await states(c)).toEqual({ ...allOnline, h1: "failed" });
    await c.run(6);
    expect(c.running("web1")).toHaveLength(1);
    expect(c.running("web1")).not.toContain("h1");
  });

  it("a stall during the countdown is not counted in it", async () => {
    c = await createSimCluster(spec);
    await c.run(10);
    c.fleet.get("h1").powerLoss(c.clock.now());
    await c.run(2.5); // 12.5 s: unreachable (as without a stall)
    expect((await states(c)).h1).toBe("unreachable");
    await c.run(7.5); // 20 s
    c.clock.advance(10_000); // blind from 20 s to 30.5 s
    // Without the stall it would be failed at 42.5 s; the 10.5 s it could not observe move that to 53 s.
    await c.run(22.5); // 52.5 s
    expect((await states(c)).h1).toBe("unreachable");
    await c.run(0.5); // 53 s
    expect((await states(c)).h1).toBe("failed");
  });
});
