// Chaos: random host, NIC, storage and VM faults on 50 simulated hosts for 10,000 virtual
// seconds (seeded, so a failure replays). Invariants hold at every step, and once every fault is
// repaired every HA VM runs again (the cluster has room for all of them).
import { describe, expect, it } from "vitest";
import { runScenario } from "@/lib/sim/scenario-runner";
import { silentLogger } from "@/lib/server/ha/log";
import { chaosScenario } from "@/lib/sim/chaos";

describe("chaos", () => {
  it("50 hosts, 10,000 virtual seconds of random faults: invariants hold; every HA VM runs at the end", { timeout: 180_000 }, async () => {
    const spec = chaosScenario(20261123);
    const started = Date.now();
    const report = await runScenario(spec, { tickMs: 1000, log: silentLogger });
    const tookS = (Date.now() - started) / 1000;
    expect(report.violations).toEqual([]);
    const notRunning = Object.entries(report.final.vms).filter(
      ([name, v]) => v.power !== "running" && spec.vms!.find((x) => x.name === name)!.haPriority !== "off",
    );
    expect(notRunning).toEqual([]);
    for (const h of Object.values(report.final.hosts)) expect(h.state).toBe("online");
    const ips = Object.values(report.final.vms).flatMap((v) => v.ips);
    expect(new Set(ips).size).toBe(ips.length);
    const devices = Object.values(report.final.vms).flatMap((v) => v.devices.map((d) => d.device));
    expect(new Set(devices).size).toBe(devices.length);
    expect(report.recovery.length).toBeGreaterThan(10);
    console.error(`chaos: ${spec.events!.length} events, ${report.recovery.length} recoveries, ${report.alerts.length} alerts, ${tookS}s`);
  });
});
