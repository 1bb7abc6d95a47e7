"use server";
// Host maintenance from the host page: preview the engine's evacuation plan, enter (optionally
// rebuilding device VMs elsewhere), exit. Enter/exit go through the role-checked, audited
// operations in lib/server/ops.ts (operator or above).
import type { ActionResult } from "@/lib/schemas/action-result";
import { runServiceAction } from "@/lib/server/auth/action";
import { enterMaintenanceAs, exitMaintenanceAs } from "@/lib/server/ops";
import { previewEvacuation, type EvacuationPreview } from "@/lib/server/placement-explain";
import { AppError } from "@/lib/server/errors";

export async function previewEvacuationAction(hostId: string, rebuildDeviceVms: boolean): Promise<ActionResult<EvacuationPreview>> {
  return runServiceAction({ hostId }, async () => {
    const p = await previewEvacuation(String(hostId), { rebuildDeviceVms: Boolean(rebuildDeviceVms) });
    if (!p) throw new AppError("NOT_FOUND", "This host no longer exists");
    return p;
  });
}

export async function enterMaintenanceAction(hostId: string, rebuildDeviceVms: boolean) {
  return runServiceAction({ hostId, rebuildDeviceVms: Boolean(rebuildDeviceVms) }, (raw, ctx) => enterMaintenanceAs(raw, ctx));
}

export async function exitMaintenanceAction(hostId: string) {
  return runServiceAction({ hostId }, (raw, ctx) => exitMaintenanceAs(raw, ctx));
}
