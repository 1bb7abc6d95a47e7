// The VM power transitions (lib/engine/vm-state.ts): the table every writer is checked against.
import { describe, expect, it } from "vitest";
import { VM_POWER_STATES, VM_POWER_TRANSITIONS, vmPowerTransitionAllowed } from "@/lib/engine/vm-state";

describe("VM power transitions", () => {
  it.each([
    ["stopped", "starting", true, "power-on"],
    ["pending", "starting", true, "a pending VM placed when capacity changed"],
    ["error", "pending", true, "an admin retries a VM whose restart policy is spent"],
    ["starting", "running", true, "start confirmed"],
    ["running", "starting", true, "local restart after a crash"],
    ["running", "migrating", true, "maintenance, failback, admin migration"],
    ["migrating", "running", true, "migration done (or failed: back on its source)"],
    ["migrating", "pending", true, "a migration lost with its source"],
    ["running", "unknown", true, "opted out of the isolation response, host silent"],
    ["unknown", "running", true, "its host reports again or is confirmed off"],
    ["stopping", "stopped", true, "stop acknowledged"],
    ["starting", "error", true, "restart policy spent"],
    ["unknown", "starting", false, "a VM of unknown state is never started elsewhere"],
    ["unknown", "stopped", false, "nor stopped"],
    ["unknown", "pending", false, "nor rebuilt"],
    ["stopped", "running", false, "nothing runs without a start"],
    ["stopped", "migrating", false, "only a running VM live-migrates"],
    ["pending", "running", false, "a pending VM has no host to run on"],
    ["error", "running", false, "nor one in error"],
    ["running", "bogus", false, "an unrecognised state"],
  ])("%s → %s: %s (%s)", (from, to, want) => {
    expect(vmPowerTransitionAllowed(from, to)).toBe(want);
  });

  it("lists every state, and only known states as targets", () => {
    expect(Object.keys(VM_POWER_TRANSITIONS).sort()).toEqual([...VM_POWER_STATES].sort());
    for (const targets of Object.values(VM_POWER_TRANSITIONS)) for (const t of targets) expect(VM_POWER_STATES).toContain(t);
  });

  it("every state but unknown can be placed anew or put back to pending; unknown only comes back as running", () => {
    for (const s of VM_POWER_STATES.filter((x) => x !== "unknown")) expect(VM_POWER_TRANSITIONS[s]).toContain("pending");
    expect(VM_POWER_TRANSITIONS.unknown).toEqual(["running"]);
  });
});
