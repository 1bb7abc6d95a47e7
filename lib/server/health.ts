import "server-only";
// The controller process's health: the store reachable, the HA controller running, the demo
// fleet's size, the failure detector's own lag. Answered by the agent listener's /api/health and
// (through lib/server/runtime.ts's re-export) the console's health route and control op.
import { getDb } from "@/lib/server/db";
import { getController } from "@/lib/server/ha/controller";
import { isDemoMode } from "@/lib/server/demo/mode";
import { getDemoFleet } from "@/lib/server/demo/fleet";
import { getDemoFleetThread } from "@/lib/server/demo/fleet-threaded";

export interface HealthReport {
  status: "ok" | "degraded";
  db: "ok" | "error";
  controller: "running" | "stopped";
  demo: { enabled: boolean; simulatedHosts: number };
  /** The failure detector's own lag (ms): time it could not observe is never counted against a host. */
  detector?: { lastMs: number; maxMs: number; stalls: number; unobservedMs: number };
  time: string;
}

/** Store reachable, controller running, demo fleet size. */
export async function getHealth(): Promise<HealthReport> {
  let db: HealthReport["db"] = "ok";
  try {
    await (getController()?.db ?? getDb()).host.count({ take: 1 });
  } catch {
    db = "error";
  }
  const ctl = getController();
  const controller = ctl ? "running" : "stopped";
  const fleet = getDemoFleet();
  return {
    status: db === "ok" && controller === "running" ? "ok" : "degraded",
    db,
    controller,
    demo: { enabled: isDemoMode(), simulatedHosts: fleet?.fleet.agents.size ?? getDemoFleetThread()?.agents() ?? 0 },
    ...(ctl ? { detector: (({ lastMs, maxMs, stalls, unobservedMs }) => ({ lastMs, maxMs, stalls, unobservedMs }))(ctl.detectorLag()) } : {}),
    time: new Date().toISOString(),
  };
}
