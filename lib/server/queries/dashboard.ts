import "server-only";
// The cluster dashboard's engine-backed reads: the HA card, device-tag coverage and the hosts a
// what-if can be asked for. All come from one cached engine view (lib/server/dashboard/engine-view.ts)
// and are cut to what a page shows: never one row per VM of a 20,000-VM cluster.
import { getDb, type Db } from "@/lib/server/db";
import { getEngineView, recoveryEstimate, type EngineView, type HaTimings } from "@/lib/server/dashboard/engine-view";
import { whatIfHost, type WhatIfResult } from "@/lib/server/dashboard/what-if";
import type { DeviceType } from "@/lib/engine";

export type { WhatIfResult } from "@/lib/server/dashboard/what-if";

const MAX_SETS = 25;
const MAX_RESERVE_GROUPS = 8;
const MAX_GROUP_HOSTS = 6;
const MAX_TAG_VMS = 8;

export interface UnabsorbableItem {
  /** The VM named in the reason, when the engine's wording names one. */
  vmName: string | null;
  vmId: string | null;
  /** "if kvm-a01 fails, render-02 (8 vCPU, 64 GiB) cannot be restarted" */
  headline: string;
  /** One line per host (or host group) that could not take it. */
  details: string[];
}

export interface UnabsorbableSet {
  hosts: { id: string; name: string }[];
  items: UnabsorbableItem[];
}

export interface ReserveGroup {
  cpus: number;
  memoryMiB: number;
  devices: { type: DeviceType; tag: string; count: number }[];
  hostCount: number;
  hosts: { id: string; name: string }[];
}

export interface HaCardData {
  clusterName: string | null;
  stale: boolean;
  asOf: string;
  policy: { haMode: string; faultTolerance: number; reservation: string };
  toleratedFailures: number;
  /** Set size evaluated (1 when pairs were too many); see pairsSkipped. */
  assessedUpTo: number;
  pairsSkipped: number;
  onlineHosts: number;
  hosts: number;
  reserve: { totalCpus: number; totalMemoryMiB: number; groups: ReserveGroup[]; groupCount: number };
  unabsorbable: { total: number; sets: UnabsorbableSet[] };
  protection: { running: number; protectedRunning: number; notEligibleRunning: number; priorityOff: number };
  /**
   * VMs only one host of the inventory could ever run (a named GPU, a tag or size on one host,
   * rules naming one host): outside what the Guarantee can promise, with the engine's reason.
   * In Guarantee mode they are not counted against it; in the other modes they are listed too.
   */
  notProtected: { total: number; vms: NotProtectedVm[] };
  timings: HaTimings;
  recovery: ReturnType<typeof recoveryEstimate>;
}

export interface NotProtectedVm {
  vmId: string;
  vmName: string;
  hosts: { id: string; name: string }[];
  reasons: string[];
}

const MAX_NOT_PROTECTED = 25;

const REASON = /^(if (.+?) fails?, (.+?) \(\d+ vCPU[^)]*\) cannot be restarted): (.*)$/s;

/** Splits the engine's failure-set reason into a headline and per-host details (its wording: "host: why | host: why | and N more hosts"). */
export function splitUnabsorbableReason(reason: string, vmIdByName: Map<string, string>): UnabsorbableItem {
  const m = REASON.exec(reason);
  if (!m) return { vmName: null, vmId: null, headline: reason, details: [] };
  const vmName = m[3];
  return { vmName, vmId: vmIdByName.get(vmName) ?? null, headline: m[1], details: m[4].split(" | ").map((s) => s.trim()).filter(Boolean) };
}

function vmIdsByName(view: EngineView): Map<string, string> {
  const key = "vmIdByName";
  let m = view.memo.get(key) as Map<string, string> | undefined;
  if (!m) {
    m = new Map();
    for (const v of view.snapshot.vms) if (!m.has(v.name)) m.set(v.name, v.id);
    view.memo.set(key, m);
  }
  return m;
}

export function haCardFromView(view: EngineView, stale = false): HaCardData {
  const a = view.assessment;
  const hostName = (id: string) => view.hostById.get(id)?.name ?? id;
  const byName = vmIdsByName(view);

  // Reserve: hosts with the same reserve grouped (host-based reserves are mostly identical).
  const groups = new Map<string, ReserveGroup>();
  let totalCpus = 0;
  let totalMemoryMiB = 0;
  for (const r of a.reservePerHost) {
    const h = view.hostById.get(r.hostId);
    if (!h || h.state !== "online") continue;
    totalCpus += r.cpus;
    totalMemoryMiB += r.memoryMiB;
    if (r.cpus === 0 && r.memoryMiB === 0 && r.devices.length === 0) continue;
    const key = `${r.cpus}/${r.memoryMiB}/${r.devices.map((d) => `${d.type}:${d.tag}:${d.count}`).join(",")}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { cpus: r.cpus, memoryMiB: r.memoryMiB, devices: r.devices, hostCount: 0, hosts: [] }));
    g.hostCount += 1;
    if (g.hosts.length < MAX_GROUP_HOSTS) g.hosts.push({ id: h.id, name: h.name });
  }
  const reserveGroups = [...groups.values()].sort((x, y) => y.hostCount - x.hostCount || y.cpus - x.cpus);

  let running = 0;
  let protectedRunning = 0;
  let notEligibleRunning = 0;
  let priorityOff = 0;
  for (const vm of view.snapshot.vms) {
    if (vm.haPriority === "off") priorityOff += 1;
    if (!vm.hostId || vm.power !== "running") continue;
    running += 1;
    if (view.eligibility.get(vm.id)?.eligible) protectedRunning += 1;
    else notEligibleRunning += 1;
  }

  return {
    clusterName: view.clusterName,
    stale,
    asOf: new Date(view.computedAt).toISOString(),
    policy: { haMode: a.haMode, faultTolerance: a.faultTolerance, reservation: a.reservation },
    toleratedFailures: a.toleratedFailures,
    assessedUpTo: view.assessedUpTo,
    pairsSkipped: view.pairsSkipped,
    onlineHosts: view.snapshot.hosts.filter((h) => h.state === "online").length,
    hosts: view.snapshot.hosts.length,
    reserve: { totalCpus, totalMemoryMiB, groups: reserveGroups.slice(0, MAX_RESERVE_GROUPS), groupCount: reserveGroups.length },
    unabsorbable: {
      total: a.unabsorbable.length,
      sets: a.unabsorbable.slice(0, MAX_SETS).map((u) => ({
        hosts: u.hostIds.map((id) => ({ id, name: hostName(id) })),
        items: u.reasons.map((r) => splitUnabsorbableReason(r, byName)),
      })),
    },
    protection: { running, protectedRunning, notEligibleRunning, priorityOff },
    notProtected: {
      total: (a.notProtected ?? []).length,
      vms: [...(a.notProtected ?? [])]
        .sort((x, y) => x.vmName.localeCompare(y.vmName))
        .slice(0, MAX_NOT_PROTECTED)
        .map((n) => ({ vmId: n.vmId, vmName: n.vmName, hosts: n.hostIds.map((id) => ({ id, name: hostName(id) })), reasons: n.reasons })),
    },
    timings: view.timings,
    recovery: recoveryEstimate(view.timings),
  };
}

/** The HA card: tolerated failures, the reserve, the failure sets that cannot be absorbed. */
export async function getHaCard(db: Db = getDb(), opts: { fresh?: boolean } = {}): Promise<HaCardData> {
  const { view, stale } = await getEngineView(db, opts);
  return haCardFromView(view, stale);
}

export interface TagCoverageRow {
  type: DeviceType;
  tag: string;
  devices: number;
  free: number;
  freeOnline: number;
  hosts: number;
  vms: number;
  rebuildable: number;
  /** VMs using the tag that could not be rebuilt elsewhere (first MAX_TAG_VMS), with the engine's reason. */
  notRebuildable: { vmId: string; vmName: string; reason: string }[];
  notRebuildableCount: number;
}

export function tagCoverageFromView(view: EngineView): TagCoverageRow[] {
  return view.tags.map((t) => {
    const bad: TagCoverageRow["notRebuildable"] = [];
    let notRebuildableCount = 0;
    let rebuildable = 0;
    for (const id of t.vmIds) {
      const e = view.eligibility.get(id);
      if (!e) continue;
      if (e.eligible) {
        rebuildable += 1;
        continue;
      }
      notRebuildableCount += 1;
      if (bad.length < MAX_TAG_VMS) {
        const vm = view.vmById.get(id);
        const reason = e.reasons.find((r) => r.includes(`"${t.tag}"`)) ?? e.reasons[0] ?? "not HA-eligible";
        bad.push({ vmId: id, vmName: vm?.name ?? id, reason });
      }
    }
    return {
      type: t.type,
      tag: t.tag,
      devices: t.total,
      free: t.free,
      freeOnline: t.freeOnline,
      hosts: t.hosts.length,
      vms: t.vmIds.length,
      rebuildable,
      notRebuildable: bad.sort((x, y) => x.vmName.localeCompare(y.vmName)),
      notRebuildableCount,
    };
  });
}

/** Per device tag: devices, free, VMs using it, and whether each of them could be rebuilt on another host. */
export async function getTagCoverage(db: Db = getDb(), opts: { fresh?: boolean } = {}): Promise<{ rows: TagCoverageRow[]; stale: boolean }> {
  const { view, stale } = await getEngineView(db, opts);
  return { rows: tagCoverageFromView(view), stale };
}

export interface WhatIfHostOption {
  id: string;
  name: string;
  zone: string | null;
  state: string;
  vms: number;
}

/** The hosts a what-if can be asked for (every host, by zone then name), with their VM counts. */
export async function listWhatIfHosts(db: Db = getDb()): Promise<WhatIfHostOption[]> {
  const { view } = await getEngineView(db);
  const key = "whatIfHosts";
  const hit = view.memo.get(key) as WhatIfHostOption[] | undefined;
  if (hit) return hit;
  const out = view.snapshot.hosts
    .map((h) => ({ id: h.id, name: h.name, zone: h.zone ?? null, state: h.state, vms: view.vmsByHost.get(h.id)?.length ?? 0 }))
    .sort((a, b) => (a.zone ?? "\uffff").localeCompare(b.zone ?? "\uffff") || a.name.localeCompare(b.name));
  view.memo.set(key, out);
  return out;
}

/** "If this host failed now" for one host; null when the host is not in the cluster. */
export async function getWhatIf(hostId: string, db: Db = getDb(), opts: { fresh?: boolean } = {}): Promise<WhatIfResult | null> {
  const { view } = await getEngineView(db, opts);
  return whatIfHost(view, hostId);
}
