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

// Issue 10: non-HA VMs, HA disabled, opted-out VMs, isolation, power-ons of VMs on silent hosts and
// admins' host-confirm-off. The runner checks invariants 1–3 and 6 (an unknown VM never runs
// elsewhere) for every VM, HA or not, at every step.
describe("chaos with silent hosts (issue 10)", () => {
  const bad = (report: Awaited<ReturnType<typeof runScenario>>) => report.violations;

  it("HA default: opted-out VMs, power-ons on silent hosts, confirm-off: zero violations; every VM runs at the end", { timeout: 180_000 }, async () => {
    const spec = chaosScenario(7101, 12, 60, 4000, { optOut: 0.2, powerOns: true, confirmOff: true });
    const report = await runScenario(spec, { tickMs: 1000, log: silentLogger });
    expect(bad(report)).toEqual([]);
    const notRunning = Object.entries(report.final.vms).filter(([, v]) => v.power !== "running");
    expect(notRunning).toEqual([]);
    expect(report.events.some((e) => e.kind === "vm-state-unknown")).toBe(true);
  });

  it("HA disabled: isolation still fences, power-ons of VMs of silent hosts never make a second copy", { timeout: 180_000 }, async () => {
    const spec = chaosScenario(7102, 12, 60, 4000, { haMode: "disabled", optOut: 0.2, powerOns: true, confirmOff: true });
    const report = await runScenario(spec, { tickMs: 1000, log: silentLogger });
    expect(bad(report)).toEqual([]);
    expect(report.events.some((e) => e.kind === "scenario-action-refused")).toBe(true);
    const notRunning = Object.entries(report.final.vms).filter(([, v]) => v.power !== "running");
    expect(notRunning).toEqual([]);
  });
});
