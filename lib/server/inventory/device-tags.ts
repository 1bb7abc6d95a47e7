// Keeps DeviceTag rows in step with the inventory: a NIC's SR-IOV tag (origin user) and
// each GPU's derived gpu/vgpu tag (origin auto) exist as rows the /tags page can list.
import "server-only";
import { gpuTag, vgpuTag } from "@/lib/engine/tags";
import type { GpuMode } from "@/lib/engine/types";
import type { Tx } from "./common";

export type DeviceTagType = "gpu" | "vgpu" | "sriov";

/** Creates the tag row when missing; an existing row (whatever its origin) is left alone. */
export async function ensureDeviceTag(tx: Tx, type: DeviceTagType, name: string, origin: "user" | "auto"): Promise<void> {
  await tx.deviceTag.upsert({
    where: { type_name: { type, name } },
    create: { type, name, origin },
    update: {},
  });
}

/** The device type and tag a GPU's units carry. */
export function gpuUnitTag(gpu: { model: string; mode: string; vgpuProfile: string | null | undefined }): {
  type: "gpu" | "vgpu";
  tag: string;
} {
  const mode = (gpu.mode === "compute" ? "compute" : "graphics") as GpuMode;
  return gpu.vgpuProfile
    ? { type: "vgpu", tag: vgpuTag(gpu.model, mode, gpu.vgpuProfile) }
    : { type: "gpu", tag: gpuTag(gpu.model, mode) };
}
