// Property: whatever faults hit a small cluster (fast-check picks them), the invariants of
// DESIGN.md hold at every step of the run, and once every fault is repaired each HA VM is
// running or has an open alert saying why it cannot.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runScenario } from "@/lib/sim/scenario-runner";
import { silentLogger } from "@/lib/server/ha/log";
import type { TScenarioEvent } from "@/lib/schemas/scenario";

const HOSTS = ["h1", "h2", "h3", "h4"];
const VMS = ["a", "b", "c", "d", "e", "f"];

const fault = fc.oneof(
  fc.record({ kind: fc.constant("down" as const), host: fc.constantFrom(...HOSTS), at: fc.integer({ min: 5, max: 200 }), len: fc.integer({ min: 5, max: 120 }) }),
  fc.record({ kind: fc.constant("isolate" as const), host: fc.constantFrom(...HOSTS), at: fc.integer({ min: 5, max: 200 }), len: fc.integer({ min: 5, max: 120 }) }),
  fc.record({ kind: fc.constant("bond" as const), host: fc.constantFrom(...HOSTS), at: fc.integer({ min: 5, max: 200 }), len: fc.integer({ min: 5, max: 90 }) }),
  fc.record({ kind: fc.constant("storage" as const), host: fc.constantFrom(...HOSTS), at: fc.integer({ min: 5, max: 200 }), len: fc.integer({ min: 5, max: 90 }) }),
  fc.record({ kind: fc.constant("crash" as const), vm: fc.constantFrom(...VMS), at: fc.integer({ min: 5, max: 200 }), fails: fc.boolean() }),
  fc.record({ kind: fc.constant("startfail" as const), host: fc.constantFrom(...HOSTS), at: fc.integer({ min: 5, max: 200 }), times: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ kind: fc.constant("power" as const), vm: fc.constantFrom(...VMS), at: fc.integer({ min: 5, max: 200 }), len: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ kind: fc.constant("maint" as const), host: fc.constantFrom(...HOSTS), at: fc.integer({ min: 5, max: 200 }), len: fc.integer({ min: 1, max: 60 }) }),
);

type Fault = typeof fault extends fc.Arbitrary<infer T> ? T : never;

function timeline(faults: Fault[]): TScenarioEvent[] {
  const ev: TScenarioEvent[] = [];
  for (const f of faults) {
    if (f.kind === "down") ev.push({ at: f.at, do: "host-down", host: f.host }, { at: f.at + f.len, do: "host-up", host: f.host });
    if (f.kind === "isolate") ev.push({ at: f.at, do: "host-isolate", host: f.host }, { at: f.at + f.len, do: "host-rejoin", host: f.host });
    if (f.kind === "bond")
      ev.push(
        { at: f.at, do: "nic-down", host: f.host, nic: "s0" },
        { at: f.at, do: "nic-down", host: f.host, nic: "s1" },
        { at: f.at + f.len, do: "nic-up", host: f.host, nic: "s0" },
        { at: f.at + f.len, do: "nic-up", host: f.host, nic: "s1" },
      );
    if (f.kind === "storage") ev.push({ at: f.at, do: "storage-down", host: f.host }, { at: f.at + f.len, do: "storage-up", host: f.host });
    if (f.kind === "crash") ev.push({ at: f.at, do: "vm-crash", vm: f.vm, localRestartFails: f.fails });
    if (f.kind === "startfail") ev.push({ at: f.at, do: "start-fails", host: f.host, times: f.times });
    if (f.kind === "power") ev.push({ at: f.at, do: "vm-power-off", vm: f.vm }, { at: f.at + f.len, do: "vm-power-on", vm: f.vm });
    if (f.kind === "maint") ev.push({ at: f.at, do: "maintenance-enter", host: f.host }, { at: f.at + f.len, do: "maintenance-exit", host: f.host });
  }
  return ev;
}

describe("invariants under random faults (property)", () => {
  it("hold at every step; after the repairs every HA VM runs or an alert says why", { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fault, { minLength: 1, maxLength: 10 }), async (faults) => {
        const report = await runScenario(
          {
            name: "property",
            hosts: HOSTS.map((name, i) => ({
              name,
              cpus: 16,
              memoryGiB: 64,
              gpus: i < 2 ? [{ id: `${name}-gpu0`, model: "NVIDIA L4" }] : [],
              nics: [
                { name: "vf0", role: "vm" as const, sriovVfs: 2, tag: "fab" },
                { name: "s0", role: "storage" as const, bond: "b0" },
                { name: "s1", role: "storage" as const, bond: "b0" },
              ],
            })),
            networks: [{ name: "prod", managed: true, cidr: "10.9.0.0/28", gateway: "10.9.0.1" }],
            vms: VMS.map((name, i) => ({
              name,
              vcpus: 4,
              memoryGiB: 8,
              host: HOSTS[i % HOSTS.length],
              haPriority: (["high", "medium", "low"] as const)[i % 3],
              devices: i === 0 ? [{ type: "gpu" as const, tag: "NVIDIA L4", count: 1 }] : i === 1 ? [{ type: "sriov" as const, tag: "fab", count: 1 }] : [],
              nics: [{ network: "prod" }],
              disks: [{ sizeGiB: 10 }],
            })),
            events: timeline(faults),
            runUntil: 420,
          },
          { log: silentLogger },
        );
        expect(report.violations).toEqual([]);
        // VMs an admin last asked to be off (or whose power-on was refused) may rightly be off.
        const lastAsk = new Map<string, string>();
        for (const e of timeline(faults).sort((x, y) => x.at - y.at)) if (e.do === "vm-power-on" || e.do === "vm-power-off") lastAsk.set(e.vm, e.do);
        const refused = new Set(report.events.filter((e) => e.kind === "scenario-action-refused" && e.vm).map((e) => e.vm!));
        for (const [name, vm] of Object.entries(report.final.vms)) {
          if (vm.power === "running" || lastAsk.get(name) === "vm-power-off" || refused.has(name)) continue;
          const why = report.alerts.find((a) => a.vm === name && a.kind === "HA_REBUILD_FAILED" && a.status !== "resolved");
          expect(why, `${name} is ${vm.power} with no open HA_REBUILD_FAILED`).toBeDefined();
        }
        const ips = Object.values(report.final.vms).flatMap((v) => v.ips);
        expect(new Set(ips).size).toBe(ips.length);
      }),
      { numRuns: 15, seed: 4242, endOnFailure: true },
    );
  });
});

// Issue 10: silent hosts with non-HA VMs, HA disabled, opted-out VMs, isolation, admins'
// confirm-off and power-ons of VMs whose host is silent. Invariants 1–3 and 6 are checked by the
// runner for every VM at every step; at the end (every host back) no VM is left unknown.
const silentFault = fc.oneof(
  fc.record({ kind: fc.constant("down" as const), host: fc.constantFrom(...HOSTS), at: fc.integer({ min: 5, max: 150 }), len: fc.integer({ min: 5, max: 100 }) }),
  fc.record({ kind: fc.constant("isolate" as const), host: fc.constantFrom(...HOSTS), at: fc.integer({ min: 5, max: 150 }), len: fc.integer({ min: 5, max: 100 }) }),
  fc.record({ kind: fc.constant("confirm" as const), host: fc.constantFrom(...HOSTS), at: fc.integer({ min: 5, max: 150 }), after: fc.integer({ min: 1, max: 40 }), len: fc.integer({ min: 5, max: 100 }) }),
  fc.record({ kind: fc.constant("on" as const), vm: fc.constantFrom(...VMS), at: fc.integer({ min: 5, max: 200 }) }),
  fc.record({ kind: fc.constant("crash" as const), vm: fc.constantFrom(...VMS), at: fc.integer({ min: 5, max: 200 }), fails: fc.boolean() }),
);
type SilentFault = typeof silentFault extends fc.Arbitrary<infer T> ? T : never;

function silentTimeline(faults: SilentFault[]): TScenarioEvent[] {
  const ev: TScenarioEvent[] = [];
  for (const f of faults) {
    if (f.kind === "down") ev.push({ at: f.at, do: "host-down", host: f.host }, { at: f.at + f.len, do: "host-up", host: f.host });
    if (f.kind === "isolate") {
      ev.push({ at: f.at, do: "host-isolate", host: f.host }, { at: f.at + f.len, do: "host-rejoin", host: f.host });
      // Once the isolated host is failed, an admin powers on every VM (those of the silent host too).
      if (f.len > 50) for (const vm of VMS) ev.push({ at: f.at + 45, do: "vm-power-on", vm });
    }
    if (f.kind === "confirm")
      ev.push(
        { at: f.at, do: "host-isolate", host: f.host },
        { at: f.at + f.after, do: "host-confirm-off", host: f.host },
        { at: f.at + f.after + f.len, do: "host-rejoin", host: f.host },
        { at: f.at + f.after + f.len, do: "host-up", host: f.host },
      );
    if (f.kind === "on") ev.push({ at: f.at, do: "vm-power-on", vm: f.vm });
    if (f.kind === "crash") ev.push({ at: f.at, do: "vm-crash", vm: f.vm, localRestartFails: f.fails });
  }
  return ev;
}

describe("invariants with silent hosts (property, issue 10)", () => {
  it("non-HA and opted-out VMs, HA default or disabled: never two copies, never an unknown VM started elsewhere", { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(silentFault, { minLength: 1, maxLength: 8 }),
        fc.constantFrom("default" as const, "disabled" as const),
        fc.array(fc.boolean(), { minLength: VMS.length, maxLength: VMS.length }),
        async (faults, haMode, optOut) => {
          const report = await runScenario(
            {
              name: "property-silent",
              cluster: { haMode },
              hosts: HOSTS.map((name) => ({ name, cpus: 16, memoryGiB: 64 })),
              vms: VMS.map((name, i) => ({
                name,
                vcpus: 4,
                memoryGiB: 8,
                host: HOSTS[i % HOSTS.length],
                haPriority: (["high", "off", "low"] as const)[i % 3],
                keepRunningWhenIsolated: optOut[i],
              })),
              events: silentTimeline(faults),
              runUntil: 360,
            },
            { log: silentLogger },
          );
          expect(report.violations).toEqual([]);
          for (const [name, vm] of Object.entries(report.final.vms)) expect(vm.power, name).not.toBe("unknown");
        },
      ),
      {
        numRuns: 12,
        seed: 1010,
        endOnFailure: true,
        // Always tried: the defect of issue 10 (a priority-off VM left running on an isolated host, then powered on elsewhere).
        examples: [
          [[{ kind: "isolate", host: "h2", at: 10, len: 90 }], "default", [false, false, false, false, false, false]],
          [[{ kind: "isolate", host: "h2", at: 10, len: 90 }], "disabled", [false, false, false, false, false, false]],
        ],
      },
    );
  });
});
