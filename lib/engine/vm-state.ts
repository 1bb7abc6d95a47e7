// The VM power states and the transitions the HA controller and the power/maintenance services
// may write, as data. Every writer of Vm.power goes through the controller's executor
// (lib/server/ha/executor.ts), which checks its transition against this table.
export type VmPowerState = "stopped" | "starting" | "running" | "stopping" | "migrating" | "pending" | "error" | "unknown";

export const VM_POWER_STATES: readonly VmPowerState[] = ["stopped", "starting", "running", "stopping", "migrating", "pending", "error", "unknown"];

/**
 * from → the states it may go to, and who moves it there:
 * - → starting: a placement (power-on, failover, relocation, local restart, maintenance rebuild or
 *   return, retry of a pending VM): from any state but `unknown` (a VM of unknown state is never
 *   started elsewhere).
 * - → running: a start confirmed (ack or report), a live migration done or failed (back on its
 *   source), a host that reports again or is confirmed off (`unknown` → running, then reconciled).
 * - → stopping: an admin's power-off, maintenance powering device VMs off.
 * - → migrating: maintenance, failback and an admin's live migration.
 * - → pending: no host fits now (failover, relocation, a lost migration, retry of `error`).
 * - → stopped: a stop acknowledged, an admin's power-off of a VM without a host, a VM not restarted.
 * - → error: its restart policy is spent.
 * - → unknown: it opted out of the isolation response and its host went silent.
 */
export const VM_POWER_TRANSITIONS: Readonly<Record<VmPowerState, readonly VmPowerState[]>> = {
  stopped: ["starting", "pending", "stopped"],
  starting: ["starting", "running", "stopping", "migrating", "pending", "stopped", "error", "unknown"],
  running: ["starting", "running", "stopping", "migrating", "pending", "stopped", "error", "unknown"],
  stopping: ["starting", "stopping", "pending", "stopped", "error"],
  migrating: ["starting", "running", "pending", "stopped", "error"],
  pending: ["starting", "pending", "stopped", "error"],
  error: ["starting", "pending", "stopped", "error"],
  unknown: ["running"],
};

export function isVmPowerState(s: string): s is VmPowerState {
  return (VM_POWER_STATES as readonly string[]).includes(s);
}

/** Whether a writer may move a VM from `from` to `to` (an unrecognised state is never allowed). */
export function vmPowerTransitionAllowed(from: string, to: string): boolean {
  if (!isVmPowerState(from) || !isVmPowerState(to)) return false;
  return VM_POWER_TRANSITIONS[from].includes(to);
}
