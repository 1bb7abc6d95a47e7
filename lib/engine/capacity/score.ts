// The placement score, one arithmetic for every loop: the load after placement (the dominant
// share: max of vCPU and memory share), the other share as the tie-break, the penalties (soft
// rules, a vGPU opening an empty GPU, free devices the VM does not use), packing's inversion, the
// best/runner-up choice, and the wording of all of it. (search.ts's fast scans write shareUsed /
// dominant / other out inline, for speed; a property test holds them to score() and secondary().)
import type { SnapshotVm } from "../types";
import { pct } from "../format";
import type { Capacity, HostCap, HostPool } from "./index";
import { groupViolation, type RuleCtx, type VmNeeds } from "./rules";

export const PRIORITY_SCORE_SOFT = 10;
export const VGPU_EMPTY_PENALTY = 1;
export const SCARCE_PENALTY = 0.3;

/**
 * Resource shares are rounded to 1e-9 so that equal shares computed on hosts of different sizes
 * (3/4 of 32 vCPU, 3/4 of 48 vCPU) tie exactly: ties go to the other resource's share, then the
 * host name, never to floating-point noise.
 */
export function q(x: number): number {
  return Math.round(x * 1e9) * 1e-9;
}

/** The share of a resource in use when `freeAfter` is left of a capacity whose inverse is `inv` (rounded: q). */
export function shareUsed(freeAfter: number, inv: number): number {
  return q(1 - freeAfter * inv);
}

/** The load: the dominant one of the vCPU and memory shares. */
export function dominant(cpuF: number, memF: number): number {
  return cpuF > memF ? cpuF : memF;
}

/** The tie-break: the share that is not the dominant one. */
export function other(cpuF: number, memF: number): number {
  return cpuF > memF ? memF : cpuF;
}

/** Host i's load now (Infinity for a host without vCPU or memory): the lower bound of any score there. */
export function hostLoad(cap: Capacity, i: number): number {
  const hc = cap.hosts[i];
  if (hc.cpuCap <= 0 || hc.memCap <= 0) return Infinity;
  return dominant(shareUsed(cap.cpuFreeA[i], cap.invCpuA[i]), shareUsed(cap.memFreeA[i], cap.invMemA[i]));
}

/** Lower is better: soft-rule penalties, vGPU on an empty GPU, scarce devices, load after placement. */
export function score(cap: Capacity, hc: HostCap, vm: SnapshotVm, needs: VmNeeds, ctx: RuleCtx): number {
  // Same arithmetic as the hot loops in search.ts (identical choices with or without explain).
  const i = hc.idx;
  const cpuF = shareUsed(cap.cpuFreeA[i] - vm.vcpus, cap.invCpuA[i]);
  const memF = shareUsed(cap.memFreeA[i] - vm.memoryMiB, cap.invMemA[i]);
  let s = dominant(cpuF, memF);
  if (cap.packing) s = 1 - s;
  let requestedFree = 0;
  for (const nd of needs.pools) {
    const p = hc.pools.get(nd.poolId)!;
    requestedFree += p.free;
    if (nd.type === "vgpu" && unitsOnEmptyGpus(p, nd.count) > 0) s += VGPU_EMPTY_PENALTY;
  }
  if (cap.freeUnitsA[i] > requestedFree) s += SCARCE_PENALTY;
  for (const g of ctx.soft) if (groupViolation(cap, g, hc, ctx)) s += PRIORITY_SCORE_SOFT;
  return s;
}

/** The tie-break after the score: the other resource's share after placement (lower wins; packing: higher). */
export function secondary(cap: Capacity, hc: HostCap, vm: SnapshotVm): number {
  const i = hc.idx;
  const cpuF = shareUsed(cap.cpuFreeA[i] - vm.vcpus, cap.invCpuA[i]);
  const memF = shareUsed(cap.memFreeA[i] - vm.memoryMiB, cap.invMemA[i]);
  const sec = other(cpuF, memF);
  return cap.packing ? 1 - sec : sec;
}

export function unitsOnEmptyGpus(p: HostPool, count: number): number {
  let partial = 0;
  for (const g of p.gpus) if (g.used > 0 && g.used < g.holders.length) partial += g.holders.length - g.used;
  return Math.max(0, count - partial);
}

/** "memory 40%": the share that is not the dominant one, after placement. */
export function describeOther(hc: HostCap, vm: SnapshotVm): string {
  const cpuF = hc.cpuCap > 0 ? (hc.cpuUsed + vm.vcpus) / hc.cpuCap : 1;
  const memF = hc.memCap > 0 ? (hc.memUsed + vm.memoryMiB) / hc.memCap : 1;
  return cpuF > memF ? `${hc.host.name} memory ${pct(memF)}` : `${hc.host.name} vCPU ${pct(cpuF)}`;
}

/** "preferred host #1 of \"g\"" per ranking group (empty when no group ranks hosts). */
function describeRank(hc: HostCap, ctx: RuleCtx): string[] {
  const out: string[] = [];
  for (const g of ctx.ranked) {
    const k = g.hostOrder!.indexOf(hc.host.id);
    out.push(
      k >= 0
        ? `preferred host #${k + 1} of "${g.name}"`
        : g.hostIds.includes(hc.host.id)
          ? `in "${g.name}" but not in its host order`
          : `outside the hosts of "${g.name}"`,
    );
  }
  return out;
}

export function describeScore(cap: Capacity, hc: HostCap, vm: SnapshotVm, needs: VmNeeds, ctx: RuleCtx, score: number): string {
  const parts: string[] = describeRank(hc, ctx);
  const cpuF = hc.cpuCap > 0 ? (hc.cpuUsed + vm.vcpus) / hc.cpuCap : 1;
  const memF = hc.memCap > 0 ? (hc.memUsed + vm.memoryMiB) / hc.memCap : 1;
  parts.push(`${cap.packing ? "packing: " : ""}load after placement ${pct(Math.max(cpuF, memF))} (vCPU ${pct(cpuF)}, memory ${pct(memF)})`);
  let requestedFree = 0;
  for (const nd of needs.pools) {
    const p = hc.pools.get(nd.poolId)!;
    requestedFree += p.free;
    if (nd.type === "vgpu") {
      parts.push(
        unitsOnEmptyGpus(p, nd.count) > 0
          ? `vGPU "${nd.tag}" would open an empty GPU`
          : `vGPU "${nd.tag}" fits on a partly used GPU`,
      );
    }
  }
  if (hc.freeUnits - requestedFree > 0) parts.push("keeps devices here free for VMs that need them (penalty)");
  for (const g of ctx.soft) {
    const v = groupViolation(cap, g, hc, ctx);
    if (v) parts.push(`soft rule not met: ${v}`);
  }
  return `score ${score.toFixed(3)}: ${parts.join("; ")}`;
}

/** The best host and the runner-up so far, by (preference rank, score, other share, host index). */
export class Choice {
  bestIdx = -1;
  bestScore = Infinity;
  bestSec = Infinity;
  bestRank = Infinity;
  secondIdx = -1;
  secondScore = Infinity;
  secondSec = Infinity;
  secondRank = Infinity;

  offer(i: number, r: number, score: number, sec: number): void {
    if (r < this.bestRank || (r === this.bestRank && (score < this.bestScore || (score === this.bestScore && (sec < this.bestSec || (sec === this.bestSec && i < this.bestIdx)))))) {
      this.secondIdx = this.bestIdx;
      this.secondScore = this.bestScore;
      this.secondSec = this.bestSec;
      this.secondRank = this.bestRank;
      this.bestIdx = i;
      this.bestScore = score;
      this.bestSec = sec;
      this.bestRank = r;
    } else if (r < this.secondRank || (r === this.secondRank && (score < this.secondScore || (score === this.secondScore && (sec < this.secondSec || (sec === this.secondSec && i < this.secondIdx)))))) {
      this.secondIdx = i;
      this.secondScore = score;
      this.secondSec = sec;
      this.secondRank = r;
    }
  }

  reset(): void {
    this.set(-1, Infinity, Infinity, -1, Infinity, Infinity);
  }

  /** From the load-ordered scan (rank 0 everywhere). */
  set(bestIdx: number, bestScore: number, bestSec: number, secondIdx: number, secondScore: number, secondSec: number): void {
    this.bestIdx = bestIdx;
    this.bestScore = bestScore;
    this.bestSec = bestSec;
    this.bestRank = bestIdx >= 0 ? 0 : Infinity;
    this.secondIdx = secondIdx;
    this.secondScore = secondScore;
    this.secondSec = secondSec;
    this.secondRank = secondIdx >= 0 ? 0 : Infinity;
  }
}
