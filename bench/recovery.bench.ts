// HA recovery at scale on the virtual clock: 20 of 200 simulated hosts lose power at once,
// carrying 1,000 VMs (the 180 others run 900 more), through the real controller, engine, store
// and simulated agents (the scenario runner). Reports how far the slowest VM's time to running
// exceeds the bound detection (missed × heartbeat) + countdown (failureTimeout) + boot (vmStart),
// and the median and max recovery times.
import { runScenario } from "../lib/sim/scenario-runner";
import { silentLogger } from "../lib/server/ha/log";
import type { TScenarioInput } from "../lib/schemas/scenario";
import type { BenchModule } from "./run";

export const HOSTS = 200;
export const FAILED = 20;
export const VMS_ON_FAILED = 1000;
export const VMS_ON_OTHERS = 900;
export const DOWN_AT = 10;

const pad = (n: number) => String(n).padStart(3, "0");

/** The generated scenario: deterministic (no randomness). */
export function recoverySpec(): TScenarioInput {
  const hosts = Array.from({ length: HOSTS }, (_, i) => ({
    name: `h${pad(i + 1)}`,
    zone: i % 2 ? "az-b" : "az-a",
    cpus: 128,
    memoryGiB: 512,
    gpus: [{ id: `h${pad(i + 1)}-gpu0`, model: "NVIDIA L4" }],
    nics: [
      { name: "ens1f0", role: "vm" as const, sriovVfs: 8, tag: "fabric-a" },
      { name: "ens2f0", role: "storage" as const, bond: "stor0" },
      { name: "ens2f1", role: "storage" as const, bond: "stor0" },
    ],
  }));
  const prio = ["high", "medium", "low"] as const;
  const vms: NonNullable<TScenarioInput["vms"]> = [];
  const perFailed = VMS_ON_FAILED / FAILED;
  for (let h = 0; h < FAILED; h++)
    for (let k = 0; k < perFailed; k++) {
      const n = h * perFailed + k;
      vms.push({
        name: `f${pad(h + 1)}-${String(k).padStart(2, "0")}`,
        vcpus: 2,
        memoryGiB: 4,
        host: hosts[h].name,
        haPriority: prio[n % 3],
        devices: k === 0 ? [{ type: "gpu", tag: "NVIDIA L4", count: 1 }] : k % 10 === 1 ? [{ type: "sriov", tag: "fabric-a", count: 1 }] : [],
        disks: [{ sizeGiB: 40 }],
      });
    }
  const perOther = VMS_ON_OTHERS / (HOSTS - FAILED);
  for (let h = FAILED; h < HOSTS; h++)
    for (let k = 0; k < perOther; k++)
      vms.push({ name: `o${pad(h + 1)}-${k}`, vcpus: 4, memoryGiB: 16, host: hosts[h].name, haPriority: prio[(h + k) % 3], devices: k === 0 ? [{ type: "sriov", tag: "fabric-a", count: 1 }] : [] });
  return {
    name: "recovery-20-of-200",
    cluster: { haMode: "default" },
    zones: [
      { name: "az-a", role: "primary" },
      { name: "az-b", role: "secondary" },
    ],
    hosts,
    vms,
    events: hosts.slice(0, FAILED).map((h) => ({ at: DOWN_AT, do: "host-down" as const, host: h.name })),
    runUntil: 75,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

export async function run() {
  const spec = recoverySpec();
  const timing = { heartbeat: 1, missedHeartbeats: 3, failureTimeout: 30, vmStart: 5 };
  const boundS = timing.missedHeartbeats * timing.heartbeat + timing.failureTimeout + timing.vmStart;
  const tickMs = 250;
  const t0 = performance.now();
  const report = await runScenario(spec, { tickMs, log: silentLogger });
  const wallS = (performance.now() - t0) / 1000;
  const failedVm = new Set(spec.vms!.filter((v) => v.name.startsWith("f")).map((v) => v.name));
  const entries = report.recovery.filter((e) => failedVm.has(e.vm));
  const recovered = entries.filter((e) => e.runningAt !== null);
  const times = recovered.map((e) => e.runningAt! - e.downAt);
  const over = times.map((t) => t - boundS);
  const out = {
    recoveryOverBoundS: r3(Math.max(...over)),
    recoveryMedianS: r3(median(times)),
    recoveryMaxS: r3(Math.max(...times)),
    recoveryBoundS: boundS,
    recoveryVmsDown: entries.length,
    recoveryVmsRecovered: recovered.length,
    recoveryOtherVmsDisturbed: report.recovery.filter((e) => !failedVm.has(e.vm)).length,
    recoveryViolations: report.violations.length,
    recoveryHostsFailed: Object.values(report.final.hosts).filter((h) => h.state === "failed").length,
    recoveryTickMs: tickMs,
    recoveryWallS: r3(wallS),
  };
  console.error(
    `recovery: ${recovered.length}/${entries.length} VMs of ${out.recoveryHostsFailed} failed hosts running again; median ${out.recoveryMedianS} s, max ${out.recoveryMaxS} s (bound ${boundS} s, over by ${out.recoveryOverBoundS} s); ${out.recoveryViolations} violations; ${out.recoveryWallS} s wall`,
  );
  if (report.violations.length) console.error(report.violations.slice(0, 5));
  return out;
}

export const goals: BenchModule["goals"] = {
  recoveryOverBoundS: { op: "<=", value: 1 },
  recoveryViolations: { op: "<=", value: 0 },
};
