// What the VM page's power panel may still say after an action: "Starting on host-02" while the
// VM is pending or starting, never once it runs (its power badge says that).

export const TRANSIENT_POWER = ["starting", "stopping", "migrating"] as const;

/** Whether an action's message still describes the VM now in `power`; a failure stays until the next action. */
export function messageStillTrue(msg: { ok: boolean; powerBefore: string }, power: string): boolean {
  return !msg.ok || power === msg.powerBefore || power === "pending" || (TRANSIENT_POWER as readonly string[]).includes(power);
}
