// The host search: place() releases what the VM holds, scans the candidate hosts and keeps the
// best and the runner-up (score.ts's Choice), then allocates concrete units on the best one.
// Three specialised scans when no reasons are wanted (explain: false) — hosts in load order for
// the common case (no devices, no rules, balancing), every host for packing, the rule-checking
// scan for the rest — all with score.ts's arithmetic (shareUsed, dominant, other), written out
// inline in these loops because a call per host costs the placement bench ~30 %; they choose
// exactly what the explaining scan (score(), secondary()) chooses, which a property test checks
// ("the fast path chooses exactly what the explaining path chooses"). An unplaceable VM is
// explained in full.
import type { HostRejection, PlaceOptions, PlacementOutcome, PlacementPurpose, SnapshotVm } from "../types";
import { fmtMem } from "../format";
import type { Capacity } from "./index";
import { hold, releaseRaw } from "./ledger";
import { describeNeeds, fits, groupViolation, needsOf, ruleContext, type RuleCtx, type VmNeeds } from "./rules";
import { describeOther, describeScore, PRIORITY_SCORE_SOFT, SCARCE_PENALTY, score, secondary, unitsOnEmptyGpus, VGPU_EMPTY_PENALTY } from "./score";
import { allocate } from "./allocate";

export type Placed = Extract<PlacementOutcome, { kind: "placed" }>;
export type Unplaceable = Extract<PlacementOutcome, { kind: "unplaceable" }>;

export interface CapacityPlaceOptions extends PlaceOptions {
  /** Build every rejected host's reasons even when the VM is placed (explanation view). Default true. */
  explain?: boolean;
  /** Skip the score wording of a placed VM (simulations that only count what fits). */
  quiet?: boolean;
}

export function place(cap: Capacity, vmOrId: SnapshotVm | string, opts: CapacityPlaceOptions = {}): PlacementOutcome {
  const vm = typeof vmOrId === "string" ? cap.vmById.get(vmOrId) : vmOrId;
  if (!vm) {
    const id = typeof vmOrId === "string" ? vmOrId : "";
    return { kind: "unplaceable", vmId: id, reasons: [`VM ${id} is not in the cluster`], rejections: [] };
  }
  cap.lastPlaced = vm;
  const prev = cap.heldOfVm(vm);
  if (prev) releaseRaw(cap, vm.id, prev);
  try {
    return placeReleased(cap, vm, opts);
  } finally {
    if (prev) hold(cap, prev);
  }
}

function placeReleased(cap: Capacity, vm: SnapshotVm, opts: CapacityPlaceOptions): PlacementOutcome {
  const explain = opts.explain ?? true;
  const purpose: PlacementPurpose = opts.purpose ?? "power-on";
  const needs = needsOf(cap, vm);
  const exclude = opts.excludeHostIds && opts.excludeHostIds.length ? new Set(opts.excludeHostIds) : null;
  const only = opts.onlyHostIds ? new Set(opts.onlyHostIds) : null;
  const useReserve = !!cap.reserve && purpose === "power-on" && !opts.ignoreReserve && cap.snapshot.policy.haMode === "guarantee";
  const ctx = ruleContext(cap, vm);

  // Candidate set: with device requests, only hosts carrying the rarest requested pool.
  let candidates: number[] | null = null;
  if (!explain && needs.unknown.length === 0 && needs.pools.length > 0) {
    let best = needs.pools[0];
    for (const n of needs.pools) if (cap.pools[n.poolId].hostIdxs.length < cap.pools[best.poolId].hostIdxs.length) best = n;
    candidates = cap.pools[best.poolId].hostIdxs;
  }

  // The choice is the lowest (preference rank, score, other share, host index); the runner-up is kept for the reasons.
  const choice = cap.choice;
  choice.reset();
  const rejections: HostRejection[] = [];
  if (!explain) {
    // No reasons wanted: typed arrays first, the full rule check only for hosts that pass them.
    const quiet = !!opts.quiet;
    const mask = cap.maskA;
    const useMask = !!only || !!exclude;
    if (useMask) {
      mask.fill(only ? 0 : 1);
      if (only) for (const id of only) { const i = cap.hostIdxById.get(id); if (i !== undefined) mask[i] = 1; }
      if (exclude) for (const id of exclude) { const i = cap.hostIdxById.get(id); if (i !== undefined) mask[i] = 0; }
    }
    const np = needs.pools.length;
    const needRules = ctx.affinity !== null || ctx.hard.length > 0 || useReserve || needs.named.length > 0 || needs.unknown.length > 0;
    const soft = ctx.soft.length > 0;
    if (np === 0 && !needRules && !soft && !candidates && !cap.packing) {
      // The common case (no devices, no rules, balancing): hosts in load order, stopping at the
      // first whose current load already exceeds the best score (or the runner-up's, when the
      // reasons name it). Same choice as a scan in name order: full ties go to the lower index.
      const cpuFree = cap.cpuFreeA, memFree = cap.memFreeA, usable = cap.usableA, invCpu = cap.invCpuA, invMem = cap.invMemA, freeUnits = cap.freeUnitsA;
      const vc = vm.vcpus, mem = vm.memoryMiB;
      const n = cap.hosts.length;
      const order = cap.orderA;
      const load = cap.loadA;
      let bestIdx = -1;
      let bestScore = Infinity;
      let bestSec = Infinity;
      let secondIdx = -1;
      let secondScore = Infinity;
      let secondSec = Infinity;
      for (let k = 0; k < n; k++) {
        const i = order[k];
        if (load[i] > (quiet ? bestScore : secondScore)) break;
        if (usable[i] === 0) continue;
        const cf = cpuFree[i] - vc;
        const mf = memFree[i] - mem;
        if (cf < 0 || mf < 0 || (useMask && mask[i] === 0)) continue;
        const cpuF = Math.round((1 - cf * invCpu[i]) * 1e9) * 1e-9;
        const memF = Math.round((1 - mf * invMem[i]) * 1e9) * 1e-9;
        let score: number;
        let sec: number;
        if (cpuF > memF) {
          score = cpuF;
          sec = memF;
        } else {
          score = memF;
          sec = cpuF;
        }
        if (freeUnits[i] > 0) score += SCARCE_PENALTY;
        if (score < bestScore || (score === bestScore && (sec < bestSec || (sec === bestSec && i < bestIdx)))) {
          secondIdx = bestIdx;
          secondScore = bestScore;
          secondSec = bestSec;
          bestIdx = i;
          bestScore = score;
          bestSec = sec;
        } else if (score < secondScore || (score === secondScore && (sec < secondSec || (sec === secondSec && i < secondIdx)))) {
          secondIdx = i;
          secondScore = score;
          secondSec = sec;
        }
      }
      cap.choice.set(bestIdx, bestScore, bestSec, secondIdx, secondScore, secondSec);
    } else if (np === 0 && !needRules && !soft && !candidates) scanPacking(cap, vm, useMask);
    else scanWithRules(cap, vm, needs, ctx, candidates, exclude, useReserve, useMask, needRules, soft);
  } else scanExplaining(cap, vm, needs, ctx, candidates, only, exclude, useReserve, rejections);

  const { bestIdx, bestScore, bestSec, bestRank, secondIdx, secondScore, secondSec, secondRank } = choice;
  if (bestIdx < 0) {
    if (!explain) return placeReleased(cap, vm, { ...opts, explain: true });
    const out: string[] = [];
    if (only && rejections.length === 0) out.push(`no candidate host for VM ${vm.name}`);
    else out.push(`no host can run VM ${vm.name} (${vm.vcpus} vCPU, ${fmtMem(vm.memoryMiB)}${describeNeeds(vm)})`);
    for (const r of rejections) out.push(`${r.hostName}: ${r.reasons.join("; ")}`);
    return { kind: "unplaceable", vmId: vm.id, reasons: out, rejections };
  }

  const hc = cap.hosts[bestIdx];
  const allocations = allocate(cap, hc, vm, needs);
  const why: string[] = [];
  if (opts.quiet && !explain) return { kind: "placed", vmId: vm.id, hostId: hc.host.id, hostName: hc.host.name, allocations, reasons: why, rejections };
  why.push(`${hc.host.name}: ${describeScore(cap, hc, vm, needs, ctx, bestScore)}`);
  if (secondIdx >= 0) {
    const s = cap.hosts[secondIdx];
    let line: string;
    if (secondRank !== bestRank) line = `runner-up ${s.host.name} is lower in the host preference order: ${describeScore(cap, s, vm, needs, ctx, secondScore)}`;
    else if (secondScore !== bestScore) line = `runner-up ${s.host.name}: ${describeScore(cap, s, vm, needs, ctx, secondScore)}`;
    else if (secondSec !== bestSec)
      line = `runner-up ${s.host.name} scored the same; ${hc.host.name} wins on the other resource's share after placement (${describeOther(hc, vm)} against ${describeOther(s, vm)}${cap.packing ? ", packing: the fuller wins" : ""})`;
    else line = `runner-up ${s.host.name} scored the same; ${hc.host.name} wins the tie-break by name`;
    why.push(line);
  }
  if (purpose !== "power-on" && cap.reserve && cap.snapshot.policy.haMode === "guarantee") why.push(`${purpose} may use the Guarantee reserve`);
  return { kind: "placed", vmId: vm.id, hostId: hc.host.id, hostName: hc.host.name, allocations, reasons: why, rejections };
}

/** The common case with packing (best fit): every host is scanned. */
function scanPacking(cap: Capacity, vm: SnapshotVm, useMask: boolean): void {
  const mask = cap.maskA;
  const cpuFree = cap.cpuFreeA, memFree = cap.memFreeA, usable = cap.usableA, invCpu = cap.invCpuA, invMem = cap.invMemA, freeUnits = cap.freeUnitsA;
  const vc = vm.vcpus, mem = vm.memoryMiB;
  const n = cap.hosts.length;
  const choice = cap.choice;
  for (let i = 0; i < n; i++) {
    if (usable[i] === 0) continue;
    const cf = cpuFree[i] - vc;
    const mf = memFree[i] - mem;
    if (cf < 0 || mf < 0 || (useMask && mask[i] === 0)) continue;
    const cpuF = Math.round((1 - cf * invCpu[i]) * 1e9) * 1e-9;
    const memF = Math.round((1 - mf * invMem[i]) * 1e9) * 1e-9;
    let score = 1 - (cpuF > memF ? cpuF : memF);
    const sec = 1 - (cpuF > memF ? memF : cpuF);
    if (freeUnits[i] > 0) score += SCARCE_PENALTY;
    choice.offer(i, 0, score, sec);
  }
}

/** Devices, rules or soft rules: pools and room from the typed arrays, then fits() and the full score. */
function scanWithRules(
  cap: Capacity,
  vm: SnapshotVm,
  needs: VmNeeds,
  ctx: RuleCtx,
  candidates: number[] | null,
  exclude: Set<string> | null,
  useReserve: boolean,
  useMask: boolean,
  needRules: boolean,
  soft: boolean,
): void {
  const mask = cap.maskA;
  const cpuFree = cap.cpuFreeA, memFree = cap.memFreeA, usable = cap.usableA, invCpu = cap.invCpuA, invMem = cap.invMemA, freeUnits = cap.freeUnitsA;
  const vc = vm.vcpus, mem = vm.memoryMiB;
  const pack = cap.packing;
  const pools = needs.pools;
  const np = pools.length;
  const rank = ctx.rank;
  const choice = cap.choice;
  let hasVgpu = false;
  for (const nd of pools) if (nd.type === "vgpu") hasVgpu = true;
  const n = candidates ? candidates.length : cap.hosts.length;
  for (let k = 0; k < n; k++) {
    const i = candidates ? candidates[k] : k;
    if (usable[i] === 0 || cpuFree[i] < vc || memFree[i] < mem) continue;
    if (useMask && mask[i] === 0) continue;
    const hc = cap.hosts[i];
    let requestedFree = 0;
    if (np) {
      let ok = true;
      for (let t = 0; t < np; t++) {
        const p = hc.pools.get(pools[t].poolId);
        if (!p || p.free < pools[t].count) { ok = false; break; }
        requestedFree += p.free;
      }
      if (!ok) continue;
    }
    if (needRules && !fits(cap, hc, vm, needs, ctx, exclude, useReserve, null)) continue;
    const cpuF = Math.round((1 - (cpuFree[i] - vc) * invCpu[i]) * 1e9) * 1e-9;
    const memF = Math.round((1 - (memFree[i] - mem) * invMem[i]) * 1e9) * 1e-9;
    let score = cpuF > memF ? cpuF : memF;
    let sec = cpuF > memF ? memF : cpuF;
    if (pack) {
      score = 1 - score;
      sec = 1 - sec;
    }
    if (freeUnits[i] > requestedFree) score += SCARCE_PENALTY;
    if (hasVgpu) {
      for (const nd of pools) if (nd.type === "vgpu" && unitsOnEmptyGpus(hc.pools.get(nd.poolId)!, nd.count) > 0) score += VGPU_EMPTY_PENALTY;
    }
    if (soft) for (const g of ctx.soft) if (groupViolation(cap, g, hc, ctx)) score += PRIORITY_SCORE_SOFT;
    choice.offer(i, rank ? rank[i] : 0, score, sec);
  }
}

/** Reasons wanted: every candidate host is checked in full, the rejected ones say why. */
function scanExplaining(
  cap: Capacity,
  vm: SnapshotVm,
  needs: VmNeeds,
  ctx: RuleCtx,
  candidates: number[] | null,
  only: Set<string> | null,
  exclude: Set<string> | null,
  useReserve: boolean,
  rejections: HostRejection[],
): void {
  const rank = ctx.rank;
  const choice = cap.choice;
  const reasons: string[] = [];
  const n = candidates ? candidates.length : cap.hosts.length;
  for (let k = 0; k < n; k++) {
    const hc = cap.hosts[candidates ? candidates[k] : k];
    if (only && !only.has(hc.host.id)) continue;
    reasons.length = 0;
    const ok = fits(cap, hc, vm, needs, ctx, exclude, useReserve, reasons);
    if (!ok) {
      rejections.push({ hostId: hc.host.id, hostName: hc.host.name, reasons: reasons.slice() });
      continue;
    }
    const s = score(cap, hc, vm, needs, ctx);
    choice.offer(hc.idx, rank ? rank[hc.idx] : 0, s, secondary(cap, hc, vm));
  }
}
