import "server-only";
// Explanations the operations screens show, computed by the engine on the live snapshot:
//   explainVmPlacement — where a VM would be powered on now, else every host with its reasons
//   vmOperationLimits  — what a device VM cannot do (live-migrate, pause, hot-add) and why
//   previewEvacuation  — a host's maintenance plan before it is entered
// Read-only: nothing is written.
import { admitPowerOn, placeVm, planEvacuation, vmOperationAllowed, hasDevices, type ClusterSnapshot, type HostRejection, type VmOperation } from "@/lib/engine";
import { getDb, type Db } from "@/lib/server/db";
import { loadSnapshot } from "@/lib/server/snapshot";
import { getController } from "@/lib/server/ha/controller";
import { controlWithin } from "@/lib/server/control/client";

/** Hosts the controller keeps out of placements now (network-fault HA); none for an explicit store. */
async function unavailableNow(db?: Db): Promise<string[]> {
  if (db) return [];
  const ctl = getController();
  if (ctl) return ctl.unavailableHostIds();
  return controlWithin("unavailableHostIds", 1000).catch(() => []);
}

async function snapshotNow(db?: Db): Promise<ClusterSnapshot> {
  const ctl = getController();
  if (!db && ctl) return ctl.snapshot();
  return loadSnapshot(db ?? getDb(), { unavailableHostIds: await unavailableNow(db) });
}

export interface HostVerdict {
  hostId: string;
  hostName: string;
  state: string;
  zone: string | null;
  /** True for the host the engine would choose. */
  chosen: boolean;
  reasons: string[];
}

export interface PlacementExplanation {
  vmId: string;
  vmName: string;
  power: string;
  haMode: string;
  placeable: boolean;
  /** The chosen host (when placeable) and why. */
  target: { hostId: string; hostName: string; reasons: string[] } | null;
  /** Cluster-level reasons (Guarantee admission, no host at all…). */
  reasons: string[];
  /** Every host of the cluster, the chosen one first, then rejected ones by name. */
  hosts: HostVerdict[];
}

/** Turns an engine refusal (reasons + rejections) into the per-host table: every host, with its reasons. */
export function verdicts(snap: ClusterSnapshot, rejections: HostRejection[], chosenId: string | null, chosenReasons: string[] = []): HostVerdict[] {
  const byId = new Map(rejections.map((r) => [r.hostId, r.reasons]));
  const rows = snap.hosts.map((h): HostVerdict => {
    const chosen = h.id === chosenId;
    const reasons = chosen ? chosenReasons : (byId.get(h.id) ?? (h.state !== "online" ? [`host is ${h.state}`] : ["fits, but another host scored better"]));
    return { hostId: h.id, hostName: h.name, state: h.state, zone: h.zone ?? null, chosen, reasons };
  });
  return rows.sort((a, b) => Number(b.chosen) - Number(a.chosen) || a.hostName.localeCompare(b.hostName, "en", { numeric: true }));
}

/**
 * Where the VM would go if powered on now (Guarantee mode: admission with the reserve), or why it
 * cannot — every host with its rejection reasons. Null when the VM is unknown.
 */
export async function explainVmPlacement(vmId: string, db?: Db, snapshot?: ClusterSnapshot): Promise<PlacementExplanation | null> {
  const snap = snapshot ?? (await snapshotNow(db));
  const vm = snap.vms.find((v) => v.id === vmId);
  if (!vm) return null;
  // The engine's reasons repeat each host's line ("kvm-a01: …"); the table shows those per host.
  const general = (rs: string[]) => rs.filter((r) => !snap.hosts.some((h) => r.startsWith(`${h.name}:`)));
  const exclude = await unavailableNow(db);
  const base = { vmId, vmName: vm.name, power: vm.power, haMode: snap.policy.haMode };
  if (snap.policy.haMode === "guarantee") {
    const adm = admitPowerOn(snap, vmId, { excludeHostIds: exclude });
    if (adm.allowed)
      return { ...base, placeable: true, target: { hostId: adm.placement.hostId, hostName: adm.placement.hostName, reasons: adm.placement.reasons }, reasons: [], hosts: verdicts(snap, adm.placement.rejections, adm.placement.hostId, adm.placement.reasons) };
    return { ...base, placeable: false, target: null, reasons: general(adm.reasons), hosts: verdicts(snap, adm.rejections, null) };
  }
  const out = placeVm(snap, vmId, { purpose: "power-on", excludeHostIds: exclude });
  if (out.kind === "placed") return { ...base, placeable: true, target: { hostId: out.hostId, hostName: out.hostName, reasons: out.reasons }, reasons: [], hosts: verdicts(snap, out.rejections, out.hostId, out.reasons) };
  return { ...base, placeable: false, target: null, reasons: general(out.reasons), hosts: verdicts(snap, out.rejections, null) };
}

export interface OperationLimit {
  operation: VmOperation;
  label: string;
  allowed: boolean;
  reason: string | null;
}

const OPS: { op: VmOperation; label: string }[] = [
  { op: "live-migrate", label: "Live migration" },
  { op: "pause", label: "Pause / resume" },
  { op: "memory-hot-add", label: "Memory hot-add" },
  { op: "gpu-hot-add", label: "GPU hot-add" },
  { op: "gpu-config-change", label: "GPU configuration change" },
];

/** The engine's verdict on each operation for the VM (device VMs: what bites and why). */
export async function vmOperationLimits(vmId: string, db?: Db, snapshot?: ClusterSnapshot): Promise<{ hasDevices: boolean; limits: OperationLimit[] } | null> {
  const snap = snapshot ?? (await snapshotNow(db));
  const vm = snap.vms.find((v) => v.id === vmId);
  if (!vm) return null;
  return {
    hasDevices: hasDevices(vm),
    limits: OPS.map(({ op, label }) => {
      const r = vmOperationAllowed(vm, op);
      return { operation: op, label, allowed: r.allowed, reason: r.reason ?? null };
    }),
  };
}

export interface EvacuationPreview {
  hostId: string;
  hostName: string;
  state: string;
  migrations: { vmId: string; vmName: string; to: string; reasons: string[] }[];
  powerOffs: { vmId: string; vmName: string; reason: string }[];
  rebuilds: { vmId: string; vmName: string; to: string; reasons: string[] }[];
  blocked: { vmId: string; vmName: string; reasons: string[] }[];
}

/** The engine's evacuation plan for a host, before it enters maintenance. */
export async function previewEvacuation(hostId: string, opts: { rebuildDeviceVms?: boolean } = {}, db?: Db): Promise<EvacuationPreview | null> {
  const snap = await snapshotNow(db);
  const host = snap.hosts.find((h) => h.id === hostId);
  if (!host) return null;
  const plan = planEvacuation(snap, hostId, opts);
  const name = (id: string) => snap.vms.find((v) => v.id === id)?.name ?? id;
  const hostName = (id: string) => snap.hosts.find((h) => h.id === id)?.name ?? id;
  return {
    hostId,
    hostName: host.name,
    state: host.state,
    migrations: plan.migrations.map((m) => ({ vmId: m.vmId, vmName: name(m.vmId), to: hostName(m.toHostId), reasons: m.reasons })),
    powerOffs: plan.powerOffs.map((p) => ({ vmId: p.vmId, vmName: name(p.vmId), reason: p.reason })),
    rebuilds: plan.rebuilds.map((r) => ({ vmId: r.vmId, vmName: name(r.vmId), to: r.hostName, reasons: r.reasons })),
    blocked: plan.blocked.map((b) => ({ vmId: b.vmId, vmName: name(b.vmId), reasons: b.reasons })),
  };
}

/**
 * What the VM page's operations section needs, from one snapshot: the VM's name and power, its
 * operation limits, and the placement explanation only while it is pending (placement is not free
 * on a large cluster).
 */
export async function vmOperationsView(vmId: string, db?: Db) {
  const snap = await snapshotNow(db);
  const vm = snap.vms.find((v) => v.id === vmId);
  if (!vm) return null;
  const limits = (await vmOperationLimits(vmId, db, snap))!;
  const explanation = vm.power === "pending" ? await explainVmPlacement(vmId, db, snap) : null;
  return { vmName: vm.name, power: vm.power as string, ...limits, explanation };
}
