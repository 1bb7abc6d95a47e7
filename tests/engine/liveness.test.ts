// The failure detector's host state machine (lib/engine/liveness.ts), table-driven: one row per
// (state, facts, detector view) with the transition due.
import { describe, expect, it } from "vitest";
import { nextHostState, observedBetween, NO_STALLS, type DetectorView, type LivenessHost, type HostTransition } from "@/lib/engine/liveness";

const timing = { heartbeatMs: 1000, missed: 3, failureTimeoutMs: 30_000 };
const host = (h: Partial<LivenessHost>): LivenessHost => ({ state: "online", since: 0, lastHb: 0, heard: 0, netFault: null, ...h });
const view = (v: Partial<DetectorView>): DetectorView => ({ ...NO_STALLS, ...v });

describe("nextHostState: the host state machine", () => {
  const rows: { name: string; host: LivenessHost; now: number; detector?: DetectorView; state: HostTransition | null; networkFault?: boolean }[] = [
    { name: "online, heard within the window: stays", host: host({ lastHb: 10_000, heard: 10_000 }), now: 12_999, state: null },
    { name: "online, missed × heartbeat of silence: unreachable", host: host({ lastHb: 10_000, heard: 10_000 }), now: 13_000, state: "unreachable" },
    { name: "online, silent but the window grows by the loop's lag", host: host({ lastHb: 10_000 }), now: 13_000, detector: view({ extraWindowMs: 500 }), state: null },
    { name: "online, silent past the widened window", host: host({ lastHb: 10_000 }), now: 13_500, detector: view({ extraWindowMs: 500 }), state: "unreachable" },
    { name: "online, silent, but part of it a detector stall: not yet", host: host({ lastHb: 10_000 }), now: 13_000, detector: view({ stalls: [{ from: 11_000, to: 12_000 }] }), state: null },
    { name: "online, observed silence reaches the window after a stall", host: host({ lastHb: 10_000 }), now: 14_000, detector: view({ stalls: [{ from: 11_000, to: 12_000 }] }), state: "unreachable" },
    { name: "online, silent, within the grace after a stall", host: host({ lastHb: 0 }), now: 20_000, detector: view({ graceUntil: 20_001 }), state: null },
    { name: "online, silent, grace just over", host: host({ lastHb: 0 }), now: 20_001, detector: view({ graceUntil: 20_001 }), state: "unreachable" },
    { name: "online, a detector started less than a window ago gives grace", host: host({ lastHb: 0 }), now: 52_000, detector: view({ startedAt: 50_000 }), state: null },
    { name: "online, a window after the detector started", host: host({ lastHb: 0 }), now: 53_000, detector: view({ startedAt: 50_000 }), state: "unreachable" },
    { name: "unreachable, heartbeat heard since: back", host: host({ state: "unreachable", since: 13_000, heard: 13_001 }), now: 14_000, state: "back" },
    { name: "unreachable, heard exactly when it became unreachable: not back", host: host({ state: "unreachable", since: 13_000, heard: 13_000 }), now: 14_000, state: null },
    { name: "unreachable, countdown not over", host: host({ state: "unreachable", since: 13_000 }), now: 42_999, state: null },
    { name: "unreachable, failureTimeout of observed time: failed", host: host({ state: "unreachable", since: 13_000 }), now: 43_000, state: "failed" },
    { name: "unreachable, a stall pushes the deadline", host: host({ state: "unreachable", since: 13_000 }), now: 43_000, detector: view({ stalls: [{ from: 20_000, to: 25_000 }] }), state: null },
    { name: "unreachable, failed after the stall is made up", host: host({ state: "unreachable", since: 13_000 }), now: 48_000, detector: view({ stalls: [{ from: 20_000, to: 25_000 }] }), state: "failed" },
    { name: "unreachable, countdown over but within grace", host: host({ state: "unreachable", since: 13_000 }), now: 43_000, detector: view({ graceUntil: 44_000 }), state: null },
    { name: "unreachable, back wins over failed", host: host({ state: "unreachable", since: 13_000, heard: 50_000 }), now: 60_000, state: "back" },
    { name: "failed, heartbeat heard since: back", host: host({ state: "failed", since: 43_000, heard: 43_500 }), now: 44_000, state: "back" },
    { name: "failed, silent: stays failed", host: host({ state: "failed", since: 43_000, heard: 10_000 }), now: 900_000, state: null },
    { name: "maintenance, silent: the detector leaves it alone", host: host({ state: "maintenance", lastHb: 0 }), now: 900_000, state: null },
    { name: "isolated, silent: no transition", host: host({ state: "isolated", lastHb: 0 }), now: 900_000, state: null },
    { name: "network fault, countdown running", host: host({ lastHb: 59_000, netFault: { since: 30_000, triggered: false } }), now: 59_999, state: null, networkFault: false },
    { name: "network fault, countdown over: HA", host: host({ lastHb: 59_000, netFault: { since: 30_000, triggered: false } }), now: 60_000, state: null, networkFault: true },
    { name: "network fault already triggered: not again", host: host({ lastHb: 89_000, netFault: { since: 30_000, triggered: true } }), now: 90_000, state: null, networkFault: false },
    { name: "network fault, a stall delays it", host: host({ lastHb: 59_000, netFault: { since: 30_000, triggered: false } }), now: 60_000, detector: view({ stalls: [{ from: 40_000, to: 41_000 }] }), state: null, networkFault: false },
    { name: "network fault, within grace", host: host({ lastHb: 59_000, netFault: { since: 30_000, triggered: false } }), now: 60_000, detector: view({ graceUntil: 60_500 }), state: null, networkFault: false },
    { name: "network fault on a host now unreachable: both answers", host: host({ state: "unreachable", since: 30_000, netFault: { since: 30_000, triggered: false } }), now: 60_000, state: "failed", networkFault: true },
  ];
  for (const r of rows)
    it(r.name, () => {
      expect(nextHostState(r.host, timing, r.now, r.detector)).toEqual({ state: r.state, networkFault: r.networkFault ?? false });
    });
});

describe("observedBetween", () => {
  it.each([
    { stalls: [], from: 0, to: 10, want: 10 },
    { stalls: [{ from: 2, to: 4 }], from: 0, to: 10, want: 8 },
    { stalls: [{ from: -5, to: 4 }, { from: 8, to: 20 }], from: 0, to: 10, want: 4 },
    { stalls: [{ from: 20, to: 30 }], from: 0, to: 10, want: 10 },
    { stalls: [{ from: 0, to: 10 }], from: 0, to: 10, want: 0 },
    { stalls: [], from: 10, to: 5, want: 0 },
  ])("$from..$to with $stalls.length stalls: $want", ({ stalls, from, to, want }) => {
    expect(observedBetween(stalls, from, to)).toBe(want);
  });
});
