import "server-only";
// The GPU dashboard: every GPU grouped by model, mode and profile, each GPU's slots with the VM
// in each, passthrough assignments, and the GPU mode switch plan (engine planGpuModeSwitch).
import { getDb, type Db } from "@/lib/server/db";
import { gpuDeviceTag, planGpuModeSwitch, type GpuMode } from "@/lib/engine";
import { getEngineView } from "@/lib/server/dashboard/engine-view";

export interface GpuSlotView {
  slot: number;
  vm: { id: string; name: string; power: string } | null;
}

export interface GpuTile {
  id: string;
  name: string;
  pciAddress: string;
  host: { id: string; name: string; state: string };
  tag: string;
  tagType: "gpu" | "vgpu";
  /** One entry for a passthrough GPU, one per slot for a vGPU-partitioned one. */
  slots: GpuSlotView[];
  used: number;
}

export interface GpuGroup {
  key: string;
  model: string;
  mode: string;
  /** vGPU profile; null for passthrough (whole GPUs). */
  profile: string | null;
  tag: string;
  tagType: "gpu" | "vgpu";
  gpus: GpuTile[];
  units: number;
  used: number;
  vms: number;
}

export interface PassthroughAssignment {
  gpu: { id: string; name: string; model: string; mode: string };
  host: { id: string; name: string; state: string };
  vm: { id: string; name: string; power: string; byName: boolean };
}

export interface GpuDashboard {
  totals: { gpus: number; passthrough: number; passthroughUsed: number; partitioned: number; slots: number; slotsUsed: number; compute: number };
  groups: GpuGroup[];
  passthrough: PassthroughAssignment[];
  /** Every GPU for the mode-switch picker (by host then name). */
  choices: { id: string; name: string; host: string; hostState: string; mode: string; model: string; profile: string | null; used: number }[];
}

export async function getGpuDashboard(db: Db = getDb()): Promise<GpuDashboard> {
  const gpus = await db.gpu.findMany({
    select: {
      id: true,
      name: true,
      model: true,
      mode: true,
      pciAddress: true,
      vgpuProfile: true,
      vgpuSlots: true,
      host: { select: { id: true, name: true, state: true } },
      allocations: { select: { slot: true, vm: { select: { id: true, name: true, power: true } } } },
      requests: { select: { vmId: true } },
    },
    orderBy: [{ model: "asc" }, { mode: "asc" }, { vgpuProfile: "asc" }, { host: { name: "asc" } }, { name: "asc" }],
  });

  const groups = new Map<string, GpuGroup>();
  const passthrough: PassthroughAssignment[] = [];
  const totals = { gpus: gpus.length, passthrough: 0, passthroughUsed: 0, partitioned: 0, slots: 0, slotsUsed: 0, compute: 0 };
  for (const g of gpus) {
    const vgpu = g.vgpuProfile ? { profile: g.vgpuProfile, slots: g.vgpuSlots ?? 0 } : null;
    const t = gpuDeviceTag({ model: g.model, mode: g.mode as GpuMode, vgpu });
    const n = vgpu ? Math.max(0, vgpu.slots) : 1;
    const bySlot = new Map<number, GpuSlotView["vm"]>();
    for (const a of g.allocations) bySlot.set(vgpu ? (a.slot ?? 0) : 0, { id: a.vm.id, name: a.vm.name, power: a.vm.power });
    const slots: GpuSlotView[] = Array.from({ length: n }, (_, i) => ({ slot: i, vm: bySlot.get(i) ?? null }));
    const used = g.allocations.length;
    const tile: GpuTile = { id: g.id, name: g.name, pciAddress: g.pciAddress, host: g.host, tag: t.tag, tagType: t.type, slots, used };
    const key = `${g.model}|${g.mode}|${g.vgpuProfile ?? ""}`;
    let grp = groups.get(key);
    if (!grp) groups.set(key, (grp = { key, model: g.model, mode: g.mode, profile: g.vgpuProfile, tag: t.tag, tagType: t.type, gpus: [], units: 0, used: 0, vms: 0 }));
    grp.gpus.push(tile);
    grp.units += n;
    grp.used += used;
    grp.vms += new Set(g.allocations.map((a) => a.vm.id)).size;
    if (g.mode === "compute") totals.compute += 1;
    if (vgpu) {
      totals.partitioned += 1;
      totals.slots += n;
      totals.slotsUsed += used;
    } else {
      totals.passthrough += 1;
      totals.passthroughUsed += used > 0 ? 1 : 0;
      const named = new Set(g.requests.map((r) => r.vmId));
      for (const a of g.allocations) {
        passthrough.push({
          gpu: { id: g.id, name: g.name, model: g.model, mode: g.mode },
          host: g.host,
          vm: { id: a.vm.id, name: a.vm.name, power: a.vm.power, byName: named.has(a.vm.id) },
        });
      }
    }
  }
  passthrough.sort((a, b) => a.host.name.localeCompare(b.host.name) || a.gpu.name.localeCompare(b.gpu.name));
  const choices = gpus
    .map((g) => ({ id: g.id, name: g.name, host: g.host.name, hostState: g.host.state, mode: g.mode, model: g.model, profile: g.vgpuProfile, used: g.allocations.length }))
    .sort((a, b) => a.host.localeCompare(b.host) || a.name.localeCompare(b.name));
  return { totals, groups: [...groups.values()], passthrough, choices };
}

export interface GpuModeSwitchView {
  gpu: { id: string; name: string; model: string; mode: string; profile: string | null; pciAddress: string; vendor: string; slots: number | null };
  host: { id: string; name: string; state: string };
  newMode: GpuMode;
  /** The engine's plan: allowed, reasons, old tag → new tag, VMs whose requests no longer match. */
  plan: ReturnType<typeof planGpuModeSwitch>;
  stale: boolean;
}

/** The mode switch of one GPU (to the other mode), planned by the engine; null for an unknown GPU. */
export async function getGpuModeSwitch(gpuId: string, db: Db = getDb()): Promise<GpuModeSwitchView | null> {
  const g = await db.gpu.findUnique({
    where: { id: gpuId },
    select: { id: true, name: true, model: true, mode: true, vgpuProfile: true, vgpuSlots: true, pciAddress: true, vendor: true, host: { select: { id: true, name: true, state: true } } },
  });
  if (!g) return null;
  const newMode: GpuMode = g.mode === "compute" ? "graphics" : "compute";
  let { view, stale } = await getEngineView(db);
  // The plan depends on the host's state and the GPU's holders: never plan on a view that is behind them.
  const snapHost = view.hostById.get(g.host.id);
  if (stale || !snapHost || snapHost.state !== g.host.state || !snapHost.gpus.some((x) => x.id === g.id && x.mode === g.mode)) {
    ({ view, stale } = await getEngineView(db, { fresh: true }));
  }
  return {
    gpu: { id: g.id, name: g.name, model: g.model, mode: g.mode, profile: g.vgpuProfile, pciAddress: g.pciAddress, vendor: g.vendor, slots: g.vgpuSlots },
    host: g.host,
    newMode,
    plan: planGpuModeSwitch(view.snapshot, g.id, newMode),
    stale,
  };
}
