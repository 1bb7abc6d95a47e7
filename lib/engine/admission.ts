// Guarantee-mode admission control: how many host failures the cluster absorbs now, what each
// host keeps free for failover, and whether a power-on keeps that reserve intact.
import type { AdmissionOutcome, ClusterSnapshot, DeviceType, GuaranteeAssessment, HostRejection, PlacementOutcome } from "./types";
import { buildCapacity, Capacity, type HostReserve, type Placed } from "./capacity";
import { planFailoverOn } from "./ha";
import { compareStr } from "./tags";
import { fmtMem } from "./format";
import { notProtectedReason, notProtectedVms, protectionOf, type NotProtected } from "./protection";

interface Received {
  cpus: number;
  memoryMiB: number;
  devices: Map<number, number>;
  /** the failure set that needs the most vCPU from this host */
  worst: string[] | null;
}

interface Simulation {
  toleratedFailures: number;
  unabsorbable: { hostIds: string[]; reasons: string[] }[];
  /** per host index: the most it receives over all failure sets of size faultTolerance */
  received: Received[];
  /** per failure-set size: host index → the absorbable failure sets whose plan restarts VMs there */
  users: Map<number, string[][]>[];
}

function* combinations(n: number, k: number): Generator<number[]> {
  if (k === 1) {
    for (let i = 0; i < n; i++) yield [i];
    return;
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) yield [i, j];
}

/** Run the failover plan of every failure set of `size` hosts (the capacity is restored after each). */
function simulateSets(
  cap: Capacity,
  size: number,
  received: Received[] | null,
  users: Map<number, string[][]> | null,
  skip: ReadonlyMap<string, string>,
): { hostIds: string[]; reasons: string[] }[] {
  const online = cap.hosts.filter((hc) => hc.host.state === "online");
  const bad: { hostIds: string[]; reasons: string[] }[] = [];
  if (online.length <= size) {
    if (online.length > 0)
      bad.push({
        hostIds: online.map((h) => h.host.id),
        reasons: [`only ${online.length} online host${online.length === 1 ? "" : "s"}: nothing is left to absorb ${size} failure${size === 1 ? "" : "s"}`],
      });
    return bad;
  }
  for (const combo of combinations(online.length, size)) {
    const hosts = combo.map((i) => online[i]);
    // Fast path: a failure set with no HA VMs needs nothing.
    let any = false;
    for (const hc of hosts) if (hc.vms.size) any = true;
    if (!any) continue;
    const ids = hosts.map((h) => h.host.id);
    const mark = cap.mark();
    const plan = planFailoverOn(cap, ids, { explain: false, quiet: true, skip });
    if (received) {
      const got = new Map<number, Received>();
      for (const p of plan.placements) {
        const idx = cap.hostIdxById.get(p.hostId)!;
        let r = got.get(idx);
        if (!r) got.set(idx, (r = { cpus: 0, memoryMiB: 0, devices: new Map(), worst: ids }));
        const vm = cap.vmById.get(p.vmId)!;
        r.cpus += vm.vcpus;
        r.memoryMiB += vm.memoryMiB;
        for (const a of p.allocations) {
          const pid = cap.poolIdByKey.get(`${a.type}|${a.tag}`)!;
          r.devices.set(pid, (r.devices.get(pid) ?? 0) + 1);
        }
      }
      for (const [idx, r] of got) {
        const R = received[idx];
        if (r.cpus > R.cpus || (r.cpus === R.cpus && r.memoryMiB > R.memoryMiB)) R.worst = ids;
        R.cpus = Math.max(R.cpus, r.cpus);
        R.memoryMiB = Math.max(R.memoryMiB, r.memoryMiB);
        for (const [pid, n] of r.devices) R.devices.set(pid, Math.max(R.devices.get(pid) ?? 0, n));
      }
    }
    cap.rollback(mark);
    for (const id of ids) cap.setUsable(id, true);
    if (users && !plan.unplaceable.length) {
      const seen = new Set<number>();
      for (const p of plan.placements) {
        const idx = cap.hostIdxById.get(p.hostId)!;
        if (seen.has(idx)) continue;
        seen.add(idx);
        let l = users.get(idx);
        if (!l) users.set(idx, (l = []));
        l.push(ids);
      }
    }
    if (plan.unplaceable.length) {
      const names = hosts.map((h) => h.host.name).join(" + ");
      bad.push({
        hostIds: ids,
        reasons: plan.unplaceable.map((u) => {
          const vm = cap.vmById.get(u.vmId)!;
          const why = summarizeRejections(u.rejections);
          return `if ${names} fail${hosts.length === 1 ? "s" : ""}, ${vm.name} (${vm.vcpus} vCPU, ${fmtMem(vm.memoryMiB)}) cannot be restarted: ${why}`;
        }),
      });
    }
  }
  return bad;
}

function summarizeRejections(rejections: { hostName: string; reasons: string[] }[]): string {
  const relevant = rejections.filter((r) => !(r.reasons.length === 1 && r.reasons[0] === "host is excluded for this placement"));
  if (!relevant.length) return "no surviving host";
  const shown = relevant.slice(0, 3).map((r) => `${r.hostName}: ${r.reasons.join("; ")}`);
  if (relevant.length > 3) shown.push(`and ${relevant.length - 3} more host${relevant.length - 3 === 1 ? "" : "s"}`);
  return shown.join(" | ");
}

function simulate(cap: Capacity, wantReceived: boolean, wantUsers: boolean, skip: ReadonlyMap<string, string>): Simulation {
  const ft = cap.snapshot.policy.faultTolerance;
  const received: Received[] = cap.hosts.map(() => ({ cpus: 0, memoryMiB: 0, devices: new Map(), worst: null }));
  const users: Map<number, string[][]>[] = [];
  let tolerated = 0;
  let unabsorbable: Simulation["unabsorbable"] = [];
  for (let size = 1; size <= ft; size++) {
    users[size] = new Map();
    const bad = simulateSets(cap, size, wantReceived && size === ft ? received : null, wantUsers ? users[size] : null, skip);
    if (size === ft) unabsorbable = bad;
    if (bad.length) {
      if (size < ft) unabsorbable = bad;
      break;
    }
    tolerated = size;
  }
  return { toleratedFailures: tolerated, unabsorbable, received, users };
}

/** Host-based reserve: the largest `faultTolerance` hosts' worth, spread evenly over the others. */
function hostBasedReserve(cap: Capacity): HostReserve[] {
  const ft = cap.snapshot.policy.faultTolerance;
  const online = cap.hosts.filter((hc) => hc.host.state === "online");
  const spread = Math.max(1, online.length - ft);
  const topSum = (xs: number[]) => xs.sort((a, b) => b - a).slice(0, ft).reduce((s, x) => s + x, 0);
  const cpuR = topSum(online.map((h) => h.cpuCap));
  const memR = topSum(online.map((h) => h.memCap));
  const perPool = new Map<number, number>();
  for (const pool of cap.pools) {
    const carriers = pool.hostIdxs.map((i) => cap.hosts[i]).filter((hc) => hc.host.state === "online");
    if (!carriers.length) continue;
    const r = topSum(carriers.map((hc) => hc.pools.get(pool.id)!.total));
    perPool.set(pool.id, Math.ceil(r / Math.max(1, carriers.length - ft)));
  }
  const why = `for ${ft} host failure${ft === 1 ? "" : "s"} (host-based: the largest host's worth × ${ft}, spread over the others)`;
  return cap.hosts.map((hc) => {
    const devices = new Map<number, number>();
    for (const [pid, p] of hc.pools) {
      const r = perPool.get(pid);
      if (r) devices.set(pid, Math.min(p.total, r));
    }
    return {
      cpus: Math.min(hc.cpuCap, Math.ceil(cpuR / spread)),
      memoryMiB: Math.min(hc.memCap, Math.ceil(memR / spread)),
      devices,
      why,
    };
  });
}

function segmentReserve(cap: Capacity, sim: Simulation): HostReserve[] {
  return cap.hosts.map((hc, i) => {
    const r = sim.received[i];
    const worst = r.worst ? r.worst.map((id) => cap.hosts[cap.hostIdxById.get(id)!].host.name).join(" + ") : null;
    return {
      cpus: r.cpus,
      memoryMiB: r.memoryMiB,
      devices: new Map(r.devices),
      why: worst ? `for the failover of ${worst} (segment-based)` : "(segment-based: nothing to absorb)",
    };
  });
}

function toPublicReserve(cap: Capacity, reserve: HostReserve[]): GuaranteeAssessment["reservePerHost"] {
  return cap.hosts.map((hc, i) => ({
    hostId: hc.host.id,
    cpus: reserve[i].cpus,
    memoryMiB: reserve[i].memoryMiB,
    devices: [...reserve[i].devices.entries()]
      .filter(([, n]) => n > 0)
      .map(([pid, count]) => ({ type: cap.pools[pid].type as DeviceType, tag: cap.pools[pid].tag, count }))
      .sort((a, b) => compareStr(a.type, b.type) || compareStr(a.tag, b.tag)),
  }));
}

export function assessOn(
  cap: Capacity,
  wantUsers = false,
): { assessment: GuaranteeAssessment; reserve: HostReserve[]; sim: Simulation; skip: Map<string, string> } {
  const policy = cap.snapshot.policy;
  const segment = policy.reservation === "segment";
  const unprotected = notProtectedVms(cap);
  // Only the Guarantee leaves them out: in the other modes the assessment says what would happen.
  const skip = policy.haMode === "guarantee" ? new Map([...unprotected].map(([id, p]) => [id, notProtectedReason(p)])) : new Map<string, string>();
  const sim = simulate(cap, segment, wantUsers, skip);
  const reserve = segment ? segmentReserve(cap, sim) : hostBasedReserve(cap);
  const unabsorbable = [...sim.unabsorbable];
  const assessment: GuaranteeAssessment = {
    haMode: policy.haMode,
    faultTolerance: policy.faultTolerance,
    reservation: policy.reservation,
    toleratedFailures: sim.toleratedFailures,
    reservePerHost: toPublicReserve(cap, reserve),
    unabsorbable,
    notProtected: publicNotProtected(cap, unprotected),
  };
  return { assessment, reserve, sim, skip };
}

function publicNotProtected(cap: Capacity, m: Map<string, NotProtected>): GuaranteeAssessment["notProtected"] {
  return [...m.values()]
    .map((p) => ({ ...p, vmName: cap.vmById.get(p.vmId)?.name ?? p.vmId }))
    .sort((a, b) => compareStr(a.vmName, b.vmName) || compareStr(a.vmId, b.vmId));
}

/** How many host failures the cluster tolerates now, the reserve per host, and the failure sets it cannot absorb. */
export function assessGuarantee(snapshot: ClusterSnapshot): GuaranteeAssessment {
  return assessOn(buildCapacity(snapshot)).assessment;
}

/** The per-host reserve (by capacity host index) that a power-on of `vmId` must keep free. */
export function reserveFor(cap: Capacity, vmId: string): HostReserve[] {
  const mark = cap.mark();
  cap.release(vmId);
  const { reserve } = assessOn(cap);
  cap.rollback(mark);
  return reserve;
}

/** Hosts admission checks exactly per step before it refuses (each check re-plans the failure sets that host touches). */
const EXACT_CHECKS = 3;

/** "if h1 fails, db1 (4 vCPU, 16 GiB) cannot be restarted" without the per-host detail. */
function headline(reason: string): string {
  const tail = " cannot be restarted";
  const k = reason.indexOf(tail);
  return k >= 0 ? reason.slice(0, k + tail.length) : reason;
}

/**
 * Every host of the cluster (name order) with what refused it: `base` (plain fit and the reserve)
 * then `extra` (the exact check); hosts with neither get `fallback` (null: left out).
 */
function everyHost(cap: Capacity, base: HostRejection[], extra: Map<string, string[]>, fallback: string | null, chosenId: string | null = null): HostRejection[] {
  const byId = new Map(base.map((r) => [r.hostId, r.reasons]));
  const out: HostRejection[] = [];
  for (const hc of cap.hosts) {
    const id = hc.host.id;
    if (id === chosenId) continue;
    const reasons = [...(byId.get(id) ?? []), ...(extra.get(id) ?? [])];
    if (!reasons.length && fallback) reasons.push(fallback);
    if (reasons.length) out.push({ hostId: id, hostName: hc.host.name, reasons });
  }
  return out;
}

/**
 * A power-on: in Guarantee mode refused when it breaks the reserve; otherwise plain placement.
 * Host-based: each host keeps its share of the largest host's worth free (a per-host rule).
 * Segment-based: the hosts that keep their computed reserve are tried first; any candidate is
 * accepted only if, with the VM running, every failure set of `faultTolerance` hosts can still be
 * absorbed (re-checked by planning them), so a host whose reserve estimate is conservative can still
 * be used when the exact check allows it. VMs the guarantee cannot protect (assessGuarantee's
 * `notProtected`, the VM itself included) are left out of that check. A refusal names, for every
 * host, what refused it: its own fit, the reserve it would break (and for which failure set), or the
 * failure set the exact check found it would break.
 */
export function admitPowerOn(snapshot: ClusterSnapshot, vmId: string, opts: { excludeHostIds?: string[] } = {}): AdmissionOutcome {
  const avoid = opts.excludeHostIds ?? [];
  const cap = buildCapacity(snapshot);
  const vm = cap.vmById.get(vmId);
  if (!vm) return { allowed: false, reasons: [`VM ${vmId} is not in the cluster`], rejections: [] };
  if (snapshot.policy.haMode !== "guarantee") {
    const out = cap.place(vm, { purpose: "power-on", explain: true, excludeHostIds: avoid });
    return out.kind === "placed" ? { allowed: true, placement: out } : { allowed: false, reasons: out.reasons, rejections: out.rejections };
  }
  const ft = snapshot.policy.faultTolerance;
  const failures = `${ft} host failure${ft === 1 ? "" : "s"}`;
  const segment = snapshot.policy.reservation === "segment";
  const mark = cap.mark();
  cap.release(vm.id);
  const before = assessOn(cap, true);
  const own = vm.haPriority === "off" ? null : protectionOf(cap, vm);
  const skip = new Map(before.skip);
  if (own) skip.set(vm.id, notProtectedReason(own));
  const ownNote = own ? `${vm.name} is not protected by the Guarantee (${own.reasons.join("; ")}): its own restart is not promised; every other VM's still is` : null;
  const names = (ids: string[]) => ids.map((id) => cap.hosts[cap.hostIdxById.get(id)!].host.name).join(" + ");
  if (before.assessment.toleratedFailures < ft) {
    // Strict: while the cluster cannot absorb `faultTolerance` failures, nothing more is powered on.
    const plain = cap.place(vm, { purpose: "power-on", explain: true, excludeHostIds: avoid, ignoreReserve: true });
    cap.rollback(mark);
    const bad = before.assessment.unabsorbable;
    const first = bad[0] ? (bad[0].reasons[0] ? headline(bad[0].reasons[0]) : `${names(bad[0].hostIds)} failing`) : "";
    const more = bad.length > 1 ? `, and ${bad.length - 1} more failure set${bad.length === 2 ? "" : "s"}` : "";
    return {
      allowed: false,
      reasons: [
        `Guarantee mode: the cluster already cannot absorb ${failures}, so ${vm.name} is not powered on until capacity is added or other VMs are stopped`,
        ...bad.slice(0, 3).flatMap((u) => u.reasons.slice(0, 1)),
        ...(ownNote ? [ownNote] : []),
      ],
      rejections: everyHost(cap, plain.rejections, new Map(), `fits, but Guarantee mode powers nothing on while the cluster cannot absorb ${failures}: ${first}${more}`),
    };
  }
  const tried: string[] = [...avoid];
  const triedWhy = new Map<string, string[]>();
  const refused: string[] = [];
  // With the VM on host h, only two kinds of failure set can change: those containing h (they
  // now lose the VM too) and those whose plan restarted VMs on h (h now has less room). Every other
  // set keeps its plan, so only these are planned again.
  const online = cap.hosts.filter((hc) => hc.host.state === "online");
  const check = (out: Placed, keptReserve: boolean): boolean => {
    const h = cap.hostIdxById.get(out.hostId)!;
    const sets = new Map<string, string[]>();
    const add = (ids: string[]) => sets.set([...ids].sort(compareStr).join("|"), ids);
    for (let size = 1; size <= ft; size++) {
      for (const ids of before.sim.users[size]?.get(h) ?? []) add(ids);
      if (size === 1) add([out.hostId]);
      else for (const other of online) if (other.idx !== h) add([out.hostId, other.host.id]);
    }
    const inner = cap.mark();
    cap.commit(out);
    let why: string | null = null;
    for (const ids of [...sets.values()].sort((a, b) => a.length - b.length || compareStr(a.join("|"), b.join("|")))) {
      const mark2 = cap.mark();
      const plan = planFailoverOn(cap, ids, { explain: false, quiet: true, skip });
      cap.rollback(mark2);
      for (const id of ids) cap.setUsable(id, true);
      if (plan.unplaceable.length) {
        const u = plan.unplaceable[0];
        const v = cap.vmById.get(u.vmId)!;
        why = `if ${names(ids)} fail${ids.length === 1 ? "s" : ""}, ${v.name} (${v.vcpus} vCPU, ${fmtMem(v.memoryMiB)}) cannot be restarted: ${summarizeRejections(u.rejections)}`;
        break;
      }
    }
    cap.rollback(inner);
    if (why) {
      refused.push(`${out.hostName}: ${why}`);
      triedWhy.set(out.hostId, [
        keptReserve
          ? `fits and keeps its Guarantee reserve, but the exact check finds a failure it would leave unabsorbed: ${why}`
          : `re-planned exactly, it still breaks the Guarantee: ${why}`,
      ]);
    }
    return why === null;
  };
  let first: PlacementOutcome | null = null;
  const accept = (out: Placed, note: string): AdmissionOutcome => {
    cap.rollback(mark);
    const rejections = everyHost(cap, first?.rejections ?? [], triedWhy, null, out.hostId);
    return { allowed: true, placement: { ...out, rejections, reasons: [...out.reasons, note, ...(ownNote ? [ownNote] : [])] } };
  };
  // 1) hosts that keep their reserve
  cap.setReserve(before.reserve);
  for (let attempt = 0; attempt < EXACT_CHECKS; attempt++) {
    const out = cap.place(vm, { purpose: "power-on", explain: true, excludeHostIds: tried });
    first ??= out;
    if (out.kind !== "placed") break;
    if (check(out, true)) return accept(out, `Guarantee reserve kept: ${failures} still absorbed`);
    tried.push(out.hostId);
  }
  // 2) segment-based: hosts whose reserve estimate is exceeded may still pass the exact check
  if (segment) {
    cap.setReserve(null);
    for (let attempt = 0; attempt < EXACT_CHECKS; attempt++) {
      const out = cap.place(vm, { purpose: "power-on", explain: false, excludeHostIds: tried });
      if (out.kind !== "placed") break;
      if (check(out, false)) return accept(out, `segment-based reserve re-planned: every failure of ${ft} host${ft === 1 ? "" : "s"} is still absorbed with ${vm.name} on ${out.hostName}`);
      tried.push(out.hostId);
    }
  }
  cap.rollback(mark);
  const base = first?.rejections ?? [];
  const guaranteeRefused = triedWhy.size > 0 || base.some((r) => r.reasons.some((x) => x.startsWith("would break the Guarantee reserve")));
  if (!guaranteeRefused && first && first.kind === "unplaceable") {
    // Nothing to do with the Guarantee: no host can run the VM at all.
    return { allowed: false, reasons: [...first.reasons, ...(ownNote ? [ownNote] : [])], rejections: first.rejections };
  }
  return {
    allowed: false,
    reasons: [`powering on ${vm.name} would break the Guarantee reserve (${failures} must stay absorbable)`, ...refused, ...(ownNote ? [ownNote] : [])],
    rejections: everyHost(
      cap,
      base,
      triedWhy,
      `fits and keeps its Guarantee reserve, but was not checked exactly: admission stops after ${EXACT_CHECKS} hosts failed the exact check`,
    ),
  };
}
