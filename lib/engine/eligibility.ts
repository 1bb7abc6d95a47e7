// HA eligibility: a host to run on and another to rebuild on, per VM, with the reasons when not.
import type { ClusterSnapshot, HaEligibility, SnapshotVm } from "./types";
import { buildCapacity, type Capacity, type HostCap } from "./capacity";
import { compareStr } from "./tags";
import { fmtDevices, fmtMem } from "./format";

/** Whether a VM qualifies for HA, and why not. One entry per VM, sorted by VM name. */
export function haEligibility(snapshot: ClusterSnapshot): HaEligibility[] {
  const cap = buildCapacity(snapshot);
  const sizes = hostSizes(cap);
  const vms = [...snapshot.vms].sort((a, b) => compareStr(a.name, b.name) || compareStr(a.id, b.id));
  return vms.map((vm) => eligibilityOf(cap, vm, sizes));
}

/** Online host sizes, grouped: each distinct (vCPU, memory) with how many hosts and one of them. */
type HostSizes = { cpus: number; memoryMiB: number; count: number; hostId: string }[];

function hostSizes(cap: Capacity): HostSizes {
  const by = new Map<string, HostSizes[number]>();
  for (const hc of cap.hosts) {
    if (hc.host.state !== "online") continue;
    const k = `${hc.cpuCap}/${hc.memCap}`;
    const e = by.get(k);
    if (e) e.count++;
    else by.set(k, { cpus: hc.cpuCap, memoryMiB: hc.memCap, count: 1, hostId: hc.host.id });
  }
  return [...by.values()];
}

/**
 * HA eligibility means a host to run on and another to rebuild on. A VM holding a host: another
 * online host is large enough and can supply every device it asks for. A VM that is not running
 * (stopped, pending, error): two online hosts could each run it (size, and its devices free), so
 * the one it would be powered on and another could take it over; the answer says which host it
 * would run on now (`host`) and, in `summary`, which one could take it over. `host` of a running VM
 * is its own.
 */
export function eligibilityOf(cap: Capacity, vm: SnapshotVm, sizes: HostSizes = hostSizes(cap)): HaEligibility {
  const snapshot = cap.snapshot;
  if (snapshot.policy.haMode === "disabled") return { vmId: vm.id, eligible: false, reasons: ["HA is disabled for the cluster"] };
  if (vm.haPriority === "off") return { vmId: vm.id, eligible: false, reasons: ["HA priority is off: the VM is not restarted when its host fails"] };
  if (!vm.hostId) return notRunningEligibility(cap, vm);
  const isOther = (hostId: string) => hostId !== vm.hostId;
  const ownIdx = vm.hostId ? cap.hostIdxById.get(vm.hostId) : undefined;
  const ownOnline = ownIdx !== undefined && cap.hosts[ownIdx].host.state === "online";
  const onlineOthers = sizes.reduce((n, s) => n + s.count, 0) - (ownOnline ? 1 : 0);
  const own = ownIdx !== undefined ? cap.hosts[ownIdx].host : null;
  const host = own ? { id: own.id, name: own.name } : null;
  if (onlineOthers <= 0) return { vmId: vm.id, eligible: false, reasons: ["no other online host in the cluster"], host };
  const reasons: string[] = [];
  // vCPU and memory are checked generously (against host size, not free capacity): eligibility is about devices.
  const big = sizes.some((s) => s.cpus >= vm.vcpus && s.memoryMiB >= vm.memoryMiB && (s.count > 1 || isOther(s.hostId)));
  if (!big) reasons.push(`no other host is large enough for ${vm.vcpus} vCPU and ${fmtMem(vm.memoryMiB)}`);
  const needs = cap.needsOf(vm);
  for (const nm of needs.named) {
    const gs = cap.gpuById.get(nm.gpuId);
    const where = gs ? cap.hosts[gs.hostIdx].host : null;
    if (!where || where.id === vm.hostId || where.state !== "online") {
      reasons.push(`it asks for GPU ${gs ? gs.gpu.name : nm.gpuId} by name, which no other host can supply`);
    }
  }
  for (const u of needs.unknown) reasons.push(`no other host has ${fmtDevices(u.type, u.tag, u.count)} (no host carries this tag)`);
  const spare = (hc: Capacity["hosts"][number], poolId: number, count: number) =>
    hc.host.state === "online" && isOther(hc.host.id) && (hc.pools.get(poolId)?.free ?? 0) >= count;
  for (const nd of needs.pools) {
    if (!cap.pools[nd.poolId].hostIdxs.some((i) => spare(cap.hosts[i], nd.poolId, nd.count))) {
      reasons.push(`no other host has ${fmtDevices(nd.type, nd.tag, nd.count)}`);
    }
  }
  if (reasons.length === 0 && needs.pools.length > 1) {
    const together = cap.pools[needs.pools[0].poolId].hostIdxs.some((i) => needs.pools.every((nd) => spare(cap.hosts[i], nd.poolId, nd.count)));
    if (!together) {
      reasons.push(
        `no single other host has all of its devices free together (${needs.pools.map((nd) => fmtDevices(nd.type, nd.tag, nd.count, "")).join(", ")})`,
      );
    }
  }
  return { vmId: vm.id, eligible: reasons.length === 0, reasons, host };
}

/** A VM holding no host: which host it would be powered on now, and whether another could take it over. */
function notRunningEligibility(cap: Capacity, vm: SnapshotVm): HaEligibility {
  const needs = cap.needsOf(vm);
  const bigEnough = (hc: HostCap) => hc.cpuCap >= vm.vcpus && hc.memCap >= vm.memoryMiB;
  const poolFree = (hc: HostCap, poolId: number, count: number) => (hc.pools.get(poolId)?.free ?? 0) >= count;
  const namedFree = (hc: HostCap, gpuId: string) => {
    const gs = cap.gpuById.get(gpuId);
    return !!gs && gs.hostIdx === hc.idx && !gs.vgpu && gs.used === 0;
  };
  // Could run it (generously, like a running VM's check: size rather than free vCPU and memory).
  const able = (hc: HostCap) =>
    hc.host.state === "online" && bigEnough(hc) && needs.pools.every((nd) => poolFree(hc, nd.poolId, nd.count)) && needs.named.every((nm) => namedFree(hc, nm.gpuId));
  let shortlist: number[] | null = null;
  if (needs.unknown.length) shortlist = [];
  else if (needs.named.length) {
    const gs = cap.gpuById.get(needs.named[0].gpuId);
    shortlist = gs ? [gs.hostIdx] : [];
  } else if (needs.pools.length) {
    for (const nd of needs.pools) if (!shortlist || cap.pools[nd.poolId].hostIdxs.length < shortlist.length) shortlist = cap.pools[nd.poolId].hostIdxs;
  }
  const found: HostCap[] = [];
  const n = shortlist ? shortlist.length : cap.hosts.length;
  for (let k = 0; k < n && found.length < 2; k++) {
    const hc = cap.hosts[shortlist ? shortlist[k] : k];
    if (able(hc)) found.push(hc);
  }
  const placed = found.length ? cap.place(vm, { purpose: "power-on", ignoreReserve: true, explain: false, quiet: true }) : null;
  const runOn = placed && placed.kind === "placed" ? cap.hosts[cap.hostIdxById.get(placed.hostId)!] : null;
  const host = runOn ? { id: runOn.host.id, name: runOn.host.name } : null;
  if (found.length >= 2) {
    const other = found.find((hc) => hc !== runOn)!;
    const summary = runOn
      ? `not running: would run on ${runOn.host.name} if powered on now; ${other.host.name} could take it over`
      : `not running: no host has room for it now; ${found.map((hc) => hc.host.name).join(" and ")} could run it, each taking it over from the other`;
    return { vmId: vm.id, eligible: true, reasons: [], host, summary };
  }
  const reasons: string[] = [];
  for (const u of needs.unknown) reasons.push(`no host has ${fmtDevices(u.type, u.tag, u.count)} (no host carries this tag)`);
  if (!needs.unknown.length) {
    const online = cap.hosts.filter((hc) => hc.host.state === "online");
    if (online.length <= 1) reasons.push(online.length ? `${online[0].host.name} is the only online host` : "no host is online");
    const only = (ok: (hc: HostCap) => boolean, what: string) => {
      if (online.length <= 1) return;
      const hs = online.filter(ok);
      if (hs.length === 0) reasons.push(`no online host ${what}`);
      else if (hs.length === 1) reasons.push(`only ${hs[0].host.name} ${what}`);
    };
    only(bigEnough, `is large enough for ${vm.vcpus} vCPU and ${fmtMem(vm.memoryMiB)}`);
    for (const nd of needs.pools) only((hc) => poolFree(hc, nd.poolId, nd.count), `has ${fmtDevices(nd.type, nd.tag, nd.count)}`);
    for (const nm of needs.named) {
      const gs = cap.gpuById.get(nm.gpuId);
      if (!gs) {
        reasons.push(`it asks for GPU ${nm.gpuId} by name, which no host has`);
        continue;
      }
      const where = cap.hosts[gs.hostIdx].host;
      const state = where.state !== "online" ? `, which is ${where.state}` : "";
      const busy = gs.vgpu ? " (partitioned for vGPU)" : gs.used > 0 ? ` (in use by another VM)` : "";
      reasons.push(`it asks for GPU ${gs.gpu.name} by name, which is on ${where.name}${state}${busy}`);
    }
    if (!reasons.length) {
      const all = needs.pools.map((nd) => fmtDevices(nd.type, nd.tag, nd.count, "")).join(", ");
      reasons.push(found.length ? `only ${found[0].host.name} has all of its devices free together (${all})` : `no online host has all of its devices free together (${all})`);
    }
  }
  let consequence: string;
  if (runOn) consequence = `it would run on ${runOn.host.name} and no other host could take it over`;
  else if (found.length) consequence = `only ${found[0].host.name} could run it (no room there now) and no other host could take it over`;
  else consequence = "no online host could run it now";
  reasons.push(consequence);
  return { vmId: vm.id, eligible: false, reasons, host, summary: `not running: ${consequence}` };
}
