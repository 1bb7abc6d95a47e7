import "server-only";
// What re-tagging an SR-IOV NIC changes, before it is saved: the VFs that leave the old tag and
// join the new one (cluster totals), the VMs holding its VFs now, and the VMs whose HA
// eligibility flips (the engine's eligibility on the snapshot as it is and as it would be).
import { getDb, type Db } from "@/lib/server/db";
import { loadSnapshot } from "@/lib/server/snapshot";
import { haEligibility } from "@/lib/engine";
import type { ClusterSnapshot } from "@/lib/engine/types";

export interface NicRetagPreview {
  nic: { id: string; name: string; hostName: string; vfs: number };
  from: string | null;
  to: string | null;
  /** Cluster-wide VF totals of the tags involved, before and after. */
  tags: { tag: string; before: number; after: number }[];
  /** VMs holding one of its VFs now (they keep them; new placements follow the new tag). */
  holders: { id: string; name: string }[];
  /** VMs whose HA eligibility changes, with the reasons they would not qualify after. */
  flips: { id: string; name: string; before: boolean; after: boolean; reasons: string[] }[];
}

const norm = (t: string | null | undefined) => (t && t.trim() ? t.trim() : null);

function vfTotals(snap: ClusterSnapshot, tags: string[]): Map<string, number> {
  const out = new Map(tags.map((t) => [t, 0]));
  for (const h of snap.hosts) for (const n of h.nics) if (n.tag && out.has(n.tag)) out.set(n.tag, out.get(n.tag)! + n.sriovVfs);
  return out;
}

/** null when the NIC does not exist. */
export async function previewNicRetag(nicId: string, newTag: string | null, db: Db = getDb()): Promise<NicRetagPreview | null> {
  const nic = await db.nic.findUnique({
    where: { id: nicId },
    select: { id: true, name: true, tag: true, sriovVfs: true, host: { select: { name: true } }, allocations: { select: { vm: { select: { id: true, name: true } } } } },
  });
  if (!nic) return null;
  const from = norm(nic.tag);
  const to = norm(newTag);
  const snap = await loadSnapshot(db);
  const after: ClusterSnapshot = { ...snap, hosts: snap.hosts.map((h) => ({ ...h, nics: h.nics.map((n) => (n.id === nic.id ? { ...n, tag: to } : n)) })) };
  const tags = [...new Set([from, to].filter((t): t is string => !!t))];
  const [tb, ta] = [vfTotals(snap, tags), vfTotals(after, tags)];
  const names = new Map(snap.vms.map((v) => [v.id, v.name]));
  const e0 = new Map(haEligibility(snap).map((e) => [e.vmId, e]));
  const flips: NicRetagPreview["flips"] = [];
  if (from !== to) {
    for (const e1 of haEligibility(after)) {
      const b = e0.get(e1.vmId);
      if (b && b.eligible !== e1.eligible) flips.push({ id: e1.vmId, name: names.get(e1.vmId) ?? e1.vmId, before: b.eligible, after: e1.eligible, reasons: e1.reasons });
    }
  }
  const holders = new Map(nic.allocations.map((a) => [a.vm.id, a.vm]));
  return {
    nic: { id: nic.id, name: nic.name, hostName: nic.host.name, vfs: nic.sriovVfs },
    from,
    to,
    tags: tags.map((t) => ({ tag: t, before: tb.get(t) ?? 0, after: ta.get(t) ?? 0 })),
    holders: [...holders.values()].sort((a, b) => a.name.localeCompare(b.name)),
    flips: flips.sort((a, b) => a.name.localeCompare(b.name)),
  };
}
