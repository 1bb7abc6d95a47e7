import "server-only";
// "If this host failed now": the engine's failover plan for one host, shaped for a panel —
// where each VM would restart, which could not and why (rejections grouped by reason, not one
// line per host), which are not protected, and the expected recovery time.
import { planFailover, type FailoverPlan, type HostRejection } from "@/lib/engine";
import { recoveryEstimate, type EngineView } from "./engine-view";

export interface WhatIfRestart {
  vmId: string;
  vmName: string;
  priority: string;
  toHostId: string;
  toHostName: string;
  /** "1 × GPU NVIDIA Tesla M60", "2 × VF trading-a" */
  devices: string[];
}

export interface WhatIfReasonGroup {
  /** One host's wording of the reason (the first host that gave it). */
  example: string;
  /** The reason without host-specific details in parentheses (for a group of hosts). */
  text: string;
  exampleHost: string;
  /** How many hosts rejected the VM for this reason. */
  hosts: number;
}

export interface WhatIfUnplaceable {
  vmId: string;
  vmName: string;
  priority: string;
  /** Reasons that are not about one host (e.g. left out so that higher-priority VMs restart). */
  notes: string[];
  /** Host rejections grouped by reason, most common first. */
  why: WhatIfReasonGroup[];
}

export interface WhatIfResult {
  host: { id: string; name: string; state: string; zone: string | null };
  /** VMs holding resources on the host now. */
  vmCount: number;
  restarts: WhatIfRestart[];
  unplaceable: WhatIfUnplaceable[];
  skipped: { vmId: string; vmName: string; reason: string }[];
  recovery: ReturnType<typeof recoveryEstimate>;
  /** Hosts that would receive VMs. */
  targetHosts: number;
  /** The host is not online: its failure is not hypothetical. */
  note: string | null;
  computedAt: number;
}

const UNIT: Record<string, string> = { gpu: "GPU", vgpu: "vGPU slot", sriov: "VF" };
const MAX_GROUPS = 5;

function deviceSummary(allocs: { type: string; tag: string }[]): string[] {
  const by = new Map<string, number>();
  for (const a of allocs) by.set(`${a.type}\u0000${a.tag}`, (by.get(`${a.type}\u0000${a.tag}`) ?? 0) + 1);
  return [...by.entries()].map(([k, n]) => {
    const [type, tag] = k.split("\u0000");
    return `${n} × ${UNIT[type] ?? type} ${tag}`;
  });
}

/** Host rejection reasons grouped by their wording with numbers and host details taken out. */
export function groupRejections(rejections: HostRejection[], excludeHostId?: string): WhatIfReasonGroup[] {
  const groups = new Map<string, WhatIfReasonGroup>();
  for (const r of rejections) {
    if (r.hostId === excludeHostId) continue;
    for (const reason of r.reasons) {
      if (reason === "host is excluded for this placement") continue;
      const text = reason.replace(/\s*\([^)]*\)/g, "").trim();
      const key = text.replace(/\d+(\.\d+)?/g, "#");
      const g = groups.get(key);
      if (g) g.hosts += 1;
      else groups.set(key, { example: reason, text, exampleHost: r.hostName, hosts: 1 });
    }
  }
  return [...groups.values()].sort((a, b) => b.hosts - a.hosts || a.example.localeCompare(b.example)).slice(0, MAX_GROUPS);
}

/** The what-if of one host from an engine view (memoised in the view). Null for an unknown host. */
export function whatIfHost(view: EngineView, hostId: string): WhatIfResult | null {
  const key = `whatif:${hostId}`;
  const hit = view.memo.get(key) as WhatIfResult | undefined;
  if (hit) return hit;
  const host = view.hostById.get(hostId);
  if (!host) return null;
  const plan: FailoverPlan = planFailover(view.snapshot, [hostId]);
  const name = (id: string) => view.vmById.get(id)?.name ?? id;
  const prio = (id: string) => view.vmById.get(id)?.haPriority ?? "medium";
  const hostNames = new Set(host ? [host.name] : []);
  const result: WhatIfResult = {
    host: { id: host.id, name: host.name, state: host.state, zone: host.zone ?? null },
    vmCount: view.vmsByHost.get(hostId)?.length ?? 0,
    restarts: plan.placements.map((p) => ({
      vmId: p.vmId,
      vmName: name(p.vmId),
      priority: prio(p.vmId),
      toHostId: p.hostId,
      toHostName: p.hostName,
      devices: deviceSummary(p.allocations),
    })),
    unplaceable: plan.unplaceable.map((u) => {
      const perHost = new Set(u.rejections.map((r) => `${r.hostName}:`));
      return {
        vmId: u.vmId,
        vmName: name(u.vmId),
        priority: prio(u.vmId),
        notes: u.reasons.slice(1).filter((r) => ![...perHost].some((h) => r.startsWith(h)) && ![...hostNames].some((h) => r.startsWith(`${h}:`))),
        why: groupRejections(u.rejections, hostId),
      };
    }),
    skipped: plan.skipped.map((s) => ({ vmId: s.vmId, vmName: name(s.vmId), reason: s.reason })),
    recovery: recoveryEstimate(view.timings),
    targetHosts: new Set(plan.placements.map((p) => p.hostId)).size,
    note:
      host.state === "online"
        ? null
        : host.state === "maintenance"
          ? `${host.name} is in maintenance: its VMs were moved or powered off when it entered it`
          : `${host.name} is ${host.state} now: this is what the HA controller plans for it`,
    computedAt: view.computedAt,
  };
  if (view.memo.size > 500) view.memo.clear();
  view.memo.set(key, result);
  return result;
}
