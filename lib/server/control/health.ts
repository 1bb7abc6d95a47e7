import "server-only";
// GET /api/health on the console's port: the store as this process reaches it, and the HA
// controller as it answers (in its own process, within 2 s; a silent or restarting controller
// process is "unreachable", 503).
import { getDb } from "@/lib/server/db";
import { getController } from "@/lib/server/ha/controller";
import { getHealth, type HealthReport } from "@/lib/server/runtime";
import { controlWithin } from "./client";
import { controllerProcess } from "./process";
import { clusterHealth, type ClusterHealth } from "@/lib/server/cluster/health";

export interface ConsoleHealth extends Omit<HealthReport, "controller"> {
  controller: "running" | "stopped" | "unreachable";
  /** The controller's own process (absent when it runs inside this one). */
  controllerProcess?: { pid: number | null; restarts: number; ready: boolean };
  /** Several instances on PostgreSQL: leader or follower, the epoch, who leads since when (issue 13). */
  cluster?: ClusterHealth;
}

export async function getConsoleHealth(): Promise<ConsoleHealth> {
  if (getController()) return getHealth();
  let db: HealthReport["db"] = "ok";
  try {
    await getDb().host.count({ take: 1 });
  } catch {
    db = "error";
  }
  const proc = controllerProcess();
  let controller: ConsoleHealth["controller"] = proc ? "unreachable" : "stopped";
  let demo: HealthReport["demo"] = { enabled: false, simulatedHosts: 0 };
  let detector: HealthReport["detector"];
  if (proc) {
    try {
      const h = await controlWithin("health", 2000);
      controller = h.controller;
      demo = h.demo;
      detector = h.detector;
    } catch {
      controller = "unreachable";
    }
  }
  const cluster = db === "ok" ? await clusterHealth(getDb(), proc?.pid() ?? null).catch(() => null) : null;
  return {
    status: db === "ok" && controller === "running" ? "ok" : "degraded",
    db,
    controller,
    demo,
    ...(detector ? { detector } : {}),
    time: new Date().toISOString(),
    ...(proc ? { controllerProcess: { pid: proc.pid(), restarts: proc.restarts, ready: proc.ready } } : {}),
    ...(cluster ? { cluster } : {}),
  };
}
