import "server-only";
// The GPU mode switch (graphics ⇄ compute) as one admin operation: the inventory GPU service does
// the change (host in maintenance, GPU unused, derived tags, audit row) and reports the VMs whose
// requests named the old tag; the running HA controller is told the device pools changed.
import { z } from "zod";
import { authorize } from "@/lib/server/auth/principal";
import { control } from "@/lib/server/control/client";
import { conflict, ctxDb, notFound, parseInput, type ServiceCtx } from "@/lib/server/inventory/common";
import { updateGpu } from "@/lib/server/inventory/gpus";

export const ZSwitchGpuModeInput = z.object({
  gpuId: z.string({ error: "Choose a GPU" }).trim().min(1, "Choose a GPU").max(200),
  mode: z.enum(["graphics", "compute"], { error: "Choose graphics or compute mode" }),
});

export interface GpuModeSwitchResult {
  gpuId: string;
  gpuName: string;
  hostId: string;
  mode: string;
  previousTag: string;
  tag: string;
  /** VMs whose device requests named the old tag: reconfigure them. */
  reconfigure: { id: string; name: string }[];
}

/** Admins: switch a GPU's mode (its host must be in maintenance and the GPU unused). */
export async function switchGpuMode(input: unknown, ctx?: ServiceCtx): Promise<GpuModeSwitchResult> {
  authorize(ctx, "admin");
  const { gpuId, mode } = parseInput(ZSwitchGpuModeInput, input);
  const g = await ctxDb(ctx).gpu.findUnique({
    where: { id: gpuId },
    select: { id: true, name: true, vendor: true, model: true, pciAddress: true, mode: true, vgpuProfile: true, vgpuSlots: true, hostId: true },
  });
  if (!g) throw notFound("GPU", gpuId);
  if (g.mode === mode) throw conflict(`${g.name} is already in ${mode} mode`, { mode: [`${g.name} is already in ${mode} mode`] });
  const r = await updateGpu(
    {
      id: g.id,
      name: g.name,
      vendor: g.vendor,
      model: g.model,
      pciAddress: g.pciAddress,
      mode,
      vgpuProfile: g.vgpuProfile ?? undefined,
      vgpuSlots: g.vgpuProfile ? (g.vgpuSlots ?? undefined) : undefined,
    },
    ctx,
  );
  await control("notifyChanged", { capacity: true, inventory: true }).catch(() => undefined);
  return { gpuId: g.id, gpuName: g.name, hostId: g.hostId, mode, previousTag: r.previousTag, tag: r.tag, reconfigure: r.reconfigure };
}
