// What the console may claim about a host's VMs, storage path and NICs, given the host's state.
// A host that is unreachable or failed reports nothing: its VMs' power, its storage controller and
// its NIC links are what it last reported, not what is true now. Pure: tested alone.

export type HostState = "online" | "unreachable" | "failed" | "maintenance" | "isolated" | (string & {});

/** The host no longer reports: every state it reported is unknown now. */
export function hostSilent(state: HostState): boolean {
  return state === "unreachable" || state === "failed";
}

/** VM power states that a silent host's report would have to confirm. */
const NEEDS_REPORT = new Set(["running", "starting", "stopping", "migrating"]);

/**
 * The power shown for a VM placed on a host in `hostState`: a VM last reported running (or in a
 * transition) on a silent host is "unknown", with the last reported state in `lastReported`.
 */
export function vmPowerOnHost(power: string, hostState: HostState): { power: string; lastReported: string | null } {
  if (hostSilent(hostState) && NEEDS_REPORT.has(power)) return { power: "unknown", lastReported: power };
  return { power, lastReported: null };
}

export type Health = "healthy" | "degraded" | "down" | "none" | "unknown";

/** The storage path's health as shown: unknown on a silent host (its controller cannot be observed). */
export function storageHealthOnHost(
  hostState: HostState,
  s: { present: boolean; healthy: boolean; nics: number; nicsDown: number },
): { health: Health; label: string; detail: string | null } {
  if (!s.present) return { health: "none", label: "No controller", detail: null };
  if (hostSilent(hostState)) return { health: "unknown", label: "Unknown", detail: `host is ${hostState}: last reported ${storageHealthOnHost("online", s).label.toLowerCase()}` };
  if (!s.healthy) return { health: "down", label: "Controller down", detail: null };
  if (s.nics > 0 && s.nicsDown >= s.nics) return { health: "down", label: "Storage network down", detail: null };
  if (s.nicsDown > 0) return { health: "degraded", label: "Bond degraded", detail: `${s.nicsDown} of ${s.nics} storage NICs down` };
  return { health: "healthy", label: "Healthy", detail: null };
}

/** A NIC's link as shown: "unknown" on a silent host. */
export function nicLinkOnHost(hostState: HostState, linkUp: boolean): "up" | "down" | "unknown" {
  if (hostSilent(hostState)) return "unknown";
  return linkUp ? "up" : "down";
}

export interface HeartbeatTiming {
  /** Expected interval between heartbeats, seconds. */
  heartbeatS: number;
  /** Heartbeats missed before the host is unreachable. */
  missed: number;
  /** How often the console records the last heartbeat in the store, seconds (it keeps the exact time in memory). */
  recordedEveryS: number;
}

/**
 * The heartbeat line of a host: for a host that heartbeats on time the recorded time may lag by up
 * to `recordedEveryS`, so the line says "on time" against the expected interval instead of an age
 * that looks late ("9 s ago" for a 1 s heartbeat); for a silent host, how long it has been silent
 * against the expected interval.
 */
export function heartbeatLine(
  state: HostState,
  lastHeartbeatAt: string | null,
  now: number,
  t: HeartbeatTiming,
): { tone: "ok" | "late" | "none"; text: string; short: string; ageS: number | null } {
  const every = `expected every ${fmtS(t.heartbeatS)}`;
  if (!lastHeartbeatAt) return { tone: "none", text: `no heartbeat yet (${every})`, short: "never", ageS: null };
  const ageS = Math.max(0, Math.round((now - new Date(lastHeartbeatAt).getTime()) / 1000));
  // The stored time lags the real last heartbeat by at most the recording period (plus one beat).
  const slack = t.recordedEveryS + t.heartbeatS;
  if (state === "online" || state === "maintenance" || state === "isolated") {
    if (ageS <= slack) return { tone: "ok", text: `on time (${every}; recorded every ${fmtS(t.recordedEveryS)})`, short: "on time", ageS };
    return { tone: "late", text: `last recorded ${fmtS(ageS)} ago (${every})`, short: `${fmtS(ageS)} ago`, ageS };
  }
  const missedBeats = Math.floor(ageS / t.heartbeatS);
  return {
    tone: "late",
    text: `silent for ${fmtS(ageS)} — ${missedBeats.toLocaleString("en-US")} heartbeats missed (${every}; unreachable after ${t.missed})`,
    short: `silent ${fmtS(ageS)}`,
    ageS,
  };
}

function fmtS(s: number): string {
  if (s < 120) return `${Math.round(s * 10) / 10} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
