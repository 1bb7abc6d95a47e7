// What the Guarantee can promise: a VM that only one host in the inventory could ever run (a GPU
// named exactly, a device tag or size only one host has, a must rule naming one host) cannot be
// restarted elsewhere whatever capacity is added, so it is "not protected" and left out of the
// absorbability check. Structural: host states, free capacity and other VMs do not matter.
import type { SnapshotVm } from "./types";
import type { Capacity, HostCap } from "./capacity";
import { compareStr } from "./tags";
import { fmtDevices, fmtMem } from "./format";

export interface NotProtected {
  vmId: string;
  /** The host(s) that could run it at all (one, or none). */
  hostIds: string[];
  /** Why no other host ever could, worded for an admin. */
  reasons: string[];
}

type Check = { why: (only: string) => string; ok: (hc: HostCap) => boolean };

/** The requirements of a VM that are fixed by the inventory and its rules, each with its wording. */
function checksOf(cap: Capacity, vm: SnapshotVm): { checks: Check[]; shortlist: number[] | null; impossible: string[] } {
  const needs = cap.needsOf(vm);
  const checks: Check[] = [];
  const impossible: string[] = [];
  let shortlist: number[] | null = null;
  const narrow = (idxs: number[]) => {
    if (!shortlist || idxs.length < shortlist.length) shortlist = idxs;
  };
  checks.push({
    why: (h) => `only ${h} is large enough for ${vm.vcpus} vCPU and ${fmtMem(vm.memoryMiB)}`,
    ok: (hc) => hc.cpuCap >= vm.vcpus && hc.memCap >= vm.memoryMiB,
  });
  for (const u of needs.unknown) impossible.push(`no host has ${fmtDevices(u.type, u.tag, u.count, "")} (no host carries this tag)`);
  for (const nd of needs.pools) {
    narrow(cap.pools[nd.poolId].hostIdxs);
    checks.push({ why: (h) => `only ${h} has ${fmtDevices(nd.type, nd.tag, nd.count, "")}`, ok: (hc) => (hc.pools.get(nd.poolId)?.total ?? 0) >= nd.count });
  }
  for (const nm of needs.named) {
    const gs = cap.gpuById.get(nm.gpuId);
    if (!gs || gs.vgpu) {
      impossible.push(gs ? `it asks for GPU ${gs.gpu.name} by name, which is partitioned for vGPU` : `it asks for GPU ${nm.gpuId} by name, which no host has`);
      continue;
    }
    narrow([gs.hostIdx]);
    checks.push({ why: (h) => `it asks for GPU ${gs.gpu.name} by name, which is on ${h}`, ok: (hc) => hc.idx === gs.hostIdx });
  }
  if (vm.hostAffinity.length) {
    const allowed = new Set(vm.hostAffinity);
    narrow(vm.hostAffinity.map((id) => cap.hostIdxById.get(id)).filter((i): i is number => i !== undefined));
    checks.push({ why: (h) => `its host affinity allows only ${h}`, ok: (hc) => allowed.has(hc.host.id) });
  }
  for (const g of cap.groupsOf(vm.id)) {
    if (g.enforcement !== "must") continue;
    if (g.type === "vm-host") {
      const allowed = new Set(g.hostIds);
      narrow(g.hostIds.map((id) => cap.hostIdxById.get(id)).filter((i): i is number => i !== undefined));
      checks.push({ why: (h) => `placement group "${g.name}" (must) allows only ${h}`, ok: (hc) => allowed.has(hc.host.id) });
    } else if (g.type === "zone") {
      checks.push({ why: (h) => `zone policy "${g.name}" (must) keeps it in zone ${g.zone ?? "(none)"}, where only ${h} is`, ok: (hc) => (hc.host.zone ?? null) === (g.zone ?? null) });
    }
  }
  return { checks, shortlist, impossible };
}

/** Null when at least two hosts of the inventory could run the VM; otherwise which one (if any) and why. */
export function protectionOf(cap: Capacity, vm: SnapshotVm): NotProtected | null {
  const { checks, shortlist, impossible } = checksOf(cap, vm);
  const hosts: HostCap[] = shortlist ? (shortlist as number[]).map((i) => cap.hosts[i]) : cap.hosts;
  const able: HostCap[] = [];
  if (!impossible.length) {
    for (const hc of hosts) {
      if (checks.every((c) => c.ok(hc))) able.push(hc);
      if (able.length >= 2) return null;
    }
  }
  const names = able.map((hc) => hc.host.name).sort(compareStr);
  const where = names.length ? names.join(", ") : "no host";
  const reasons = [...impossible];
  if (!impossible.length) {
    // Name each requirement that alone leaves at most one host; else the combination does.
    for (const c of checks) {
      const fit = cap.hosts.filter((hc) => c.ok(hc));
      if (fit.length <= 1) reasons.push(c.why(fit.length ? fit[0].host.name : "no host"));
    }
    if (!reasons.length) reasons.push(`only ${where} meets all of its requirements together (size, devices and must rules)`);
  }
  return { vmId: vm.id, hostIds: able.map((hc) => hc.host.id).sort(compareStr), reasons };
}

/** The VMs holding a host that HA would restart (priority not off) but the Guarantee cannot protect, by VM id. */
export function notProtectedVms(cap: Capacity): Map<string, NotProtected> {
  const out = new Map<string, NotProtected>();
  if (cap.snapshot.policy.haMode === "disabled") return out;
  // A VM with no devices, no host affinity and no must rule only needs two hosts of its size.
  const sizes = new Map<string, { cpus: number; mem: number; count: number }>();
  for (const hc of cap.hosts) {
    const k = `${hc.cpuCap}/${hc.memCap}`;
    const e = sizes.get(k);
    if (e) e.count++;
    else sizes.set(k, { cpus: hc.cpuCap, mem: hc.memCap, count: 1 });
  }
  const bySize = [...sizes.values()];
  const plainFits = (vm: SnapshotVm) => {
    let n = 0;
    for (const s of bySize) if (s.cpus >= vm.vcpus && s.mem >= vm.memoryMiB && (n += s.count) >= 2) return true;
    return false;
  };
  // A VM asking only for tagged devices: two hosts of its rarest pool with its size and every pool's units.
  const devicesFit = (vm: SnapshotVm) => {
    const needs = cap.needsOf(vm);
    if (needs.named.length || needs.unknown.length) return false;
    if (!needs.pools.length) return plainFits(vm);
    let rarest = needs.pools[0];
    for (const nd of needs.pools) if (cap.pools[nd.poolId].hostIdxs.length < cap.pools[rarest.poolId].hostIdxs.length) rarest = nd;
    let n = 0;
    for (const i of cap.pools[rarest.poolId].hostIdxs) {
      const hc = cap.hosts[i];
      if (hc.cpuCap < vm.vcpus || hc.memCap < vm.memoryMiB) continue;
      let ok = true;
      for (const nd of needs.pools) if ((hc.pools.get(nd.poolId)?.total ?? 0) < nd.count) ok = false;
      if (ok && ++n >= 2) return true;
    }
    return false;
  };
  for (const hc of cap.hosts) {
    for (const vm of hc.vms) {
      if (vm.haPriority === "off") continue;
      if (!vm.hostAffinity.length && !cap.groupsOf(vm.id).some((g) => g.enforcement === "must") && (vm.devices.length ? devicesFit(vm) : plainFits(vm))) continue;
      const p = protectionOf(cap, vm);
      if (p) out.set(vm.id, p);
    }
  }
  return out;
}

export function notProtectedReason(p: NotProtected): string {
  return `not protected by the Guarantee: ${p.reasons.join("; ")}`;
}
