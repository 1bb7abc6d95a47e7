import "server-only";
// Demo mode: an in-process simulated agent fleet keeps the store's hosts alive and faults can be
// injected from the console. On by default (npm start); HAVEN_DEMO=0 turns it off — then real
// agents are expected, and hosts nobody heartbeats for become unreachable and fail.

export function isDemoMode(): boolean {
  const v = (process.env.HAVEN_DEMO ?? "1").trim().toLowerCase();
  return !(v === "0" || v === "false" || v === "off" || v === "no");
}

/** Hosts the demo fleet simulates at most (the first by name); HAVEN_DEMO_MAX_HOSTS, default 1000. */
export function demoMaxHosts(): number {
  const n = Number(process.env.HAVEN_DEMO_MAX_HOSTS ?? "1000");
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : 1000;
}
