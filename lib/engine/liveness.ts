// The host state machine of the failure detector, as a pure function: a host's liveness facts,
// the cluster's timing and the detector's view of its own observation (stalls, grace) in, the
// transition due now out. The HA controller (lib/server/ha/liveness.ts, host-states.ts) keeps
// the facts and acts on the answer; nothing here reads a clock or a store.
//
//   online      → unreachable  after missed × heartbeat of observed silence (+ the loop's lag)
//   unreachable → online       on any heartbeat heard after it became unreachable ("back")
//   unreachable → failed       after failureTimeout of observed time unreachable
//   failed      → online       on any heartbeat heard after it failed ("back")
//   network fault (every link of a storage bond down): HA is triggered after failureTimeout of
//   observed time, whatever the host state, once per fault.
// "Observed" time leaves out the detector's own stalls, and nothing is declared unreachable or
// failed (nor a network fault triggered) before `graceUntil`.
import type { HostState } from "./types";

export interface LivenessHost {
  state: HostState;
  /** When the host entered its state (ms). */
  since: number;
  /** Its last heartbeat, or when the detector started for a host not heard from yet (the grace). */
  lastHb: number;
  /** The last heartbeat this detector actually received (0: none yet). */
  heard: number;
  /** The storage network fault under way, if any: since when, and whether HA was triggered. */
  netFault: { since: number; triggered: boolean } | null;
}

export interface LivenessTiming {
  heartbeatMs: number;
  missed: number;
  failureTimeoutMs: number;
}

/** What the detector knows of its own observation. */
export interface DetectorView {
  /** When this detector started: a host is not declared unreachable within one window of it. */
  startedAt: number;
  /** Nothing is declared unreachable or failed before this (one heartbeat interval after a stall). */
  graceUntil: number;
  /** Gaps the detector could not observe (its own stalls): never counted against a host. */
  stalls: readonly { from: number; to: number }[];
  /** Added to the silence window: the event loop's recent delay (0 on a virtual clock). */
  extraWindowMs: number;
}

export const NO_STALLS: DetectorView = { startedAt: Number.NEGATIVE_INFINITY, graceUntil: Number.NEGATIVE_INFINITY, stalls: [], extraWindowMs: 0 };

export type HostTransition = "unreachable" | "failed" | "back";

export interface LivenessDecision {
  /** The host state change due now, or null. */
  state: HostTransition | null;
  /** The network-fault countdown ran out: its VMs are to be failed over (stop first). */
  networkFault: boolean;
}

/** Of the time from `from` to `to`, what the detector observed (its stalls taken out). */
export function observedBetween(stalls: readonly { from: number; to: number }[], from: number, to: number): number {
  let blind = 0;
  for (const st of stalls) {
    const a = Math.max(from, st.from);
    const b = Math.min(to, st.to);
    if (b > a) blind += b - a;
  }
  return Math.max(0, to - from - blind);
}

/** The transition due now for one host (both answers are independent: the caller acts on each when it checks it). */
export function nextHostState(host: LivenessHost, timing: LivenessTiming, now: number, detector: DetectorView = NO_STALLS): LivenessDecision {
  const window = timing.missed * timing.heartbeatMs + detector.extraWindowMs;
  const graceOver = now >= detector.graceUntil;
  const observed = (from: number) => observedBetween(detector.stalls, from, now);
  let state: HostTransition | null = null;
  if (host.state === "online") {
    if (graceOver && observed(host.lastHb) >= window && now - detector.startedAt >= window) state = "unreachable";
  } else if (host.state === "unreachable") {
    if (host.heard > host.since) state = "back";
    else if (graceOver && observed(host.since) >= timing.failureTimeoutMs) state = "failed";
  } else if (host.state === "failed" && host.heard > host.since) state = "back";
  const nf = host.netFault;
  const networkFault = !!nf && !nf.triggered && graceOver && observed(nf.since) >= timing.failureTimeoutMs;
  return { state, networkFault };
}
