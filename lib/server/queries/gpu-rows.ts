import "server-only";
import type { Prisma } from "@prisma/client";
import { gpuDeviceTag } from "@/lib/engine/tags";
import type { GpuMode } from "@/lib/engine/types";

/** The GPU columns (and allocations, by slot) that `gpuRow` maps; shared by the GPU list and host detail. */
export const GPU_ROW_SELECT = {
  id: true,
  name: true,
  vendor: true,
  model: true,
  pciAddress: true,
  mode: true,
  vgpuProfile: true,
  vgpuSlots: true,
  allocations: { orderBy: { slot: "asc" }, select: { slot: true, vm: { select: { id: true, name: true } } } },
} satisfies Prisma.GpuSelect;

/** A GPU with its usage: the row both the GPU list and the host detail show. */
export interface GpuUnitRow {
  id: string;
  name: string;
  vendor: string;
  model: string;
  pciAddress: string;
  mode: string;
  kind: "passthrough" | "vgpu";
  vgpuProfile: string | null;
  /** Units: 1 for a passthrough GPU, the slot count for a vGPU-partitioned one. */
  slots: number;
  used: number;
  free: number;
  /** Derived device tag (type gpu or vgpu). */
  tag: string;
  tagType: "gpu" | "vgpu";
  vms: { id: string; name: string; slot: number | null }[];
}

type GpuRowSource = Prisma.GpuGetPayload<{ select: typeof GPU_ROW_SELECT }>;

/** A GPU as a table row: its derived device tag, units (slots), used and free units, and the VMs holding it. */
export function gpuRow(g: GpuRowSource): GpuUnitRow {
  const d = gpuDeviceTag({
    model: g.model,
    mode: g.mode as GpuMode,
    vgpu: g.vgpuProfile ? { profile: g.vgpuProfile, slots: g.vgpuSlots ?? 0 } : null,
  });
  const used = g.allocations.length;
  return {
    id: g.id,
    name: g.name,
    vendor: g.vendor,
    model: g.model,
    pciAddress: g.pciAddress,
    mode: g.mode,
    kind: g.vgpuProfile ? "vgpu" : "passthrough",
    vgpuProfile: g.vgpuProfile,
    slots: d.units,
    used,
    free: Math.max(0, d.units - used),
    tag: d.tag,
    tagType: d.type,
    vms: g.allocations.map((a) => ({ id: a.vm.id, name: a.vm.name, slot: a.slot })),
  };
}
