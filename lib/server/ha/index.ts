import "server-only";
// The HA module's public face for the console (pages, server actions, routes, instrumentation).
//
//   (the controller itself is started by lib/server/runtime.ts from instrumentation.ts)
//   powerOnVm / powerOffVm      — power services (AppError CONFLICT with every host's reasons).
//   enterMaintenance / exitMaintenance
//   acknowledgeAlert / resolveAlert
//   loadSnapshot                — store rows → engine snapshot (for explanations, what-ifs).
import { getDb } from "@/lib/server/db";
import { acknowledgeAlert as ackRow, resolveAlert as resolveRow, alertKey, type AlertKind } from "./alerts";
import { getController } from "./controller";
import { control } from "@/lib/server/control/client";

export { HaController, startController, getController, stopController, type HaDeps, type Timing } from "./controller";
export { powerOnVm, powerOffVm, type PowerOnResult } from "./vm-power";
export { enterMaintenance, exitMaintenance, type EnterMaintenanceResult } from "./maintenance";
export { ALERT_KINDS, ALERT_SEVERITY, type AlertKind } from "./alerts";
export { systemClock, VirtualClock, type Clock } from "./clock";
export { loadSnapshot } from "@/lib/server/snapshot";

/** An operator acknowledges an alert (it stays deduplicated until its condition clears). */
export async function acknowledgeAlert(id: string, by: string, note?: string | null) {
  const ctl = getController();
  const db = ctl?.db ?? getDb();
  return ackRow(db, id, by, note, new Date(ctl?.clock.now() ?? Date.now()));
}

/** An operator resolves an alert; if its condition persists the controller raises a new one. */
export async function resolveAlert(id: string, by: string) {
  const ctl = getController();
  const db = ctl?.db ?? getDb();
  const row = await resolveRow(db, id, by, new Date(ctl?.clock.now() ?? Date.now()));
  // The controller (here or in its own process) may raise it again if its condition persists.
  await control("alertResolved", alertKey(row.kind as AlertKind, { type: row.entityType as "host" | "vm" | "cluster", id: row.entityId })).catch(() => undefined);
  return row;
}
