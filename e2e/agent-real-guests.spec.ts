// Story: three real hosts. The production console (its own store, imported from a cluster spec —
// not the demo — on its own port) and three `haven-agent run` processes as three hosts, each with
// its own fake sysfs root, all sharing this machine's real libvirtd: the VMs are real diskless QEMU
// guests (KVM, or TCG without /dev/kvm). An admin issues the agent tokens with HAVEN_ADMIN_TOKEN.
//   1. the agents register with their discovered devices and report no guests: the console
//      records each host's GPU and NIC as found (the spec gave the hosts none) and starts every
//      VM in place;
//   2. kill -9 of a guest's QEMU: it is restarted on the same host;
//   3. power loss of a host (agent killed, guests destroyed): its VMs are rebuilt on the others;
//   4. isolation of a host (it cannot reach the console): it powers its guests off itself, and the
//      console rebuilds them on the remaining host;
// and at every sample (`virsh list`, every 250 ms, not the store) no VM runs on two hosts.
// Short HA timings: heartbeat 1 s × 3, failure timeout 8 s, isolation 6 s.
// Needs root and the Debian packages of scripts/lib/system-packages.ts (npm test installs them).
import path from "node:path";
import { expect, test } from "@playwright/test";
import { AgentStory } from "../tests/support/agent-story";

const VMS = ["g1", "g2", "g3", "g4", "g5", "g6"];
const running = (p: Map<string, string[]>, vm: string) => p.get(vm) ?? [];

test.describe("haven-agent with real guests", () => {
  test("three hosts on one libvirtd: guests start, a killed guest restarts in place, a lost host's and an isolated host's guests are rebuilt elsewhere, never twice", async () => {
    test.setTimeout(600_000);
    const lines: string[] = [];
    const story = new AgentStory({
      hosts: ["a", "b", "c"],
      vms: [
        { name: "g1", host: "a" },
        { name: "g2", host: "a", haPriority: "medium" },
        { name: "g3", host: "b" },
        { name: "g4", host: "b", haPriority: "low" },
        { name: "g5", host: "c" },
        { name: "g6", host: "c", haPriority: "medium" },
      ],
      // Short timings that still leave a loaded 2-core machine room (isolation 6 s < 3 × 1 s + 8 s).
      timing: { heartbeat: 1, missedHeartbeats: 3, failureTimeout: 8, isolationTimeout: 6, vmStart: 5 },
      console: { kind: "production", distDir: process.env.E2E_DIST_DIR || ".next-test" },
      log: (l) => lines.push(`${new Date().toISOString().slice(11, 23)} ${l}`),
    });
    try {
      await test.step("console, store, tokens and three agents", () => story.setup());
      const [A, B, C] = story.hosts;

      await test.step("every VM runs once, as a real guest on its host", async () => {
        await story.until((p) => VMS.every((v) => running(p, v).length === 1), 90_000, "all six guests running");
        const p = story.placement;
        expect(running(p, "g1")).toEqual([A]);
        expect(running(p, "g3")).toEqual([B]);
        expect(running(p, "g5")).toEqual([C]);
        await expect.poll(() => [...story.storeVms().values()].filter((v) => v.power === "running").length, { timeout: 20_000 }).toBe(6);
      });

      await test.step("registration reconciled each host's devices: its GPU and NIC are found, not in the inventory, nothing missing", async () => {
        const d = story.devices();
        for (const h of [A, B, C]) expect(d.get(h)).toEqual({ discovered: [`gpu:${h}-gpu0`, "nic:eth0"], missing: [] });
      });

      await test.step("kill -9 of a guest: restarted in place", async () => {
        const before = story.storeVms().get("g1")!.generation;
        const k = await story.killGuest("g1");
        expect(k.host).toBe(A);
        await story.until((p) => running(p, "g1").length === 0, 10_000, "g1's QEMU gone");
        await story.until((p) => running(p, "g1").join() === A, 45_000, "g1 running again on its host");
        await expect.poll(() => story.storeVms().get("g1"), { timeout: 20_000 }).toMatchObject({ host: A, power: "running", generation: before + 1 });
      });

      await test.step("power loss of a host: its VMs are rebuilt on the other agents", async () => {
        const at = await story.powerLoss(B);
        const done = await story.until((p) => ["g3", "g4"].every((v) => running(p, v).length === 1 && !running(p, v).includes(B)), 60_000, "B's guests elsewhere");
        lines.push(`B's guests rebuilt in ${((done - at) / 1000).toFixed(1)} s`);
        // Detection (3 × 1 s) + countdown (8 s), less the heartbeat in flight: nothing started early.
        expect(done - at).toBeGreaterThanOrEqual(10_000);
        for (const v of ["g3", "g4"]) expect([A, C]).toContain(running(story.placement, v)[0]);
        await expect.poll(() => ["g3", "g4"].map((v) => story.storeVms().get(v)!.host), { timeout: 20_000 }).not.toContain(B);
      });

      await test.step("isolation: the cut-off host powers its guests off, the console rebuilds them on the host left", async () => {
        const victims = VMS.filter((v) => running(story.placement, v).includes(C));
        expect(victims.length).toBeGreaterThan(0);
        const at = story.isolate(C);
        const off = await story.until((p) => victims.every((v) => !running(p, v).includes(C)), 30_000, "C's guests powered off by its agent");
        lines.push(`C powered ${victims.join(", ")} off after ${((off - at) / 1000).toFixed(1)} s`);
        expect(off - at).toBeGreaterThanOrEqual(4000); // not before the isolation timeout (6 s after its last answered call)
        await story.until((p) => victims.every((v) => running(p, v).join() === A), 60_000, "C's VMs running on A");
        story.isolate(C, false);
        // Back in touch, C reports nothing that runs elsewhere; every VM still runs exactly once.
        await new Promise((r) => setTimeout(r, 3000));
        const p = await story.sample();
        for (const v of VMS) expect(running(p, v), v).toEqual([A]);
      });

      await test.step("no VM ever ran on two hosts (virsh list, every sample)", async () => {
        expect(story.samples).toBeGreaterThan(100);
        expect(story.violations).toEqual([]);
      });
    } catch (e) {
      const logs = [story.tail("console.log", 4000), ...story.hosts.map((h) => `--- agent ${h}\n${story.agentLog(h)}`)].join("\n");
      throw new Error(`${(e as Error).message}\n--- story\n${lines.join("\n")}\n--- console (${path.join(story.dir, "console.log")})\n${logs}`);
    } finally {
      test.info().annotations.push({ type: "story", description: lines.join("\n") });
      await story.teardown();
    }
  });
});
