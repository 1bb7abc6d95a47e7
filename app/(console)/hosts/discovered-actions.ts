"use server";
// The host page's discovered/missing devices card (components/hosts/discovered-devices.tsx): add a
// device the host's agent found, make it replace a missing device, ignore it. Admins; the services
// (lib/server/agent/reconcile.ts) check the role again and audit.
import type { ActionResult } from "@/lib/schemas/action-result";
import { runServiceAction } from "@/lib/server/auth/action";
import { addDiscoveredDevice, replaceWithDiscovered, setDiscoveredIgnored } from "@/lib/server/agent/reconcile";
import { control } from "@/lib/server/control/client";

/** The HA controller re-reads capacity and eligibility (the inventory changed under it). */
async function inventoryChanged(): Promise<void> {
  await control("notifyChanged", { capacity: true, inventory: true }).catch(() => undefined);
}

export async function addDiscoveredDeviceAction(id: string): Promise<ActionResult<{ name: string }>> {
  return runServiceAction({ id }, async (raw, ctx) => {
    const r = await addDiscoveredDevice(raw, ctx);
    await inventoryChanged();
    return { name: r.name };
  });
}

export async function replaceWithDiscoveredAction(id: string, replaces: string): Promise<ActionResult<{ name: string }>> {
  return runServiceAction({ id, replaces }, async (raw, ctx) => {
    const r = await replaceWithDiscovered(raw, ctx);
    await inventoryChanged();
    return { name: r.name };
  });
}

export async function ignoreDiscoveredDeviceAction(id: string, ignored: boolean): Promise<ActionResult<{ status: string }>> {
  return runServiceAction({ id, ignored }, async (raw, ctx) => setDiscoveredIgnored(raw, ctx));
}
