import "server-only";
// GET /api/metrics (issue 14): the gauges computed from the store at scrape time (a fresh
// registry per scrape: the store is the truth, nothing is cached here), the console process's
// defaults, and the HA controller process's own registry fetched over the `metrics` control op.
import { createHash, timingSafeEqual } from "node:crypto";
import { Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { getDb, type Db } from "@/lib/server/db";
import { getEngineView } from "@/lib/server/dashboard/engine-view";
import { controlWithin, controllerAttached } from "@/lib/server/control/client";
import { AppError } from "@/lib/server/errors";

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export const HOST_STATES = ["online", "unreachable", "failed", "maintenance", "isolated"] as const;
export const RECOVERY_BUCKETS_S = [5, 10, 20, 30, 40, 50, 60, 90, 120, 180, 300, 600];

/** The scrape token: `Authorization: Bearer $HAVEN_METRICS_TOKEN` (16+ characters). */
export function metricsTokenMatches(given: string | null): boolean {
  const want = process.env.HAVEN_METRICS_TOKEN;
  if (!want || want.length < 16 || !given) return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(want).digest();
  return timingSafeEqual(a, b);
}

export function requireScrapeToken(bearer: string | null): void {
  const want = process.env.HAVEN_METRICS_TOKEN;
  if (!want || want.length < 16) throw new AppError("NOT_FOUND", "Metrics are off: start the console with HAVEN_METRICS_TOKEN (16+ characters) and scrape with `Authorization: Bearer <that token>`");
  if (!bearer) throw new AppError("UNAUTHORIZED", "Send the scrape token as `Authorization: Bearer <HAVEN_METRICS_TOKEN>`");
  if (!metricsTokenMatches(bearer)) throw new AppError("UNAUTHORIZED", "Wrong scrape token");
}

// The console process's defaults (CPU, memory, event loop, GC), once per process.
const g = globalThis as unknown as { __havenConsoleMetrics?: Registry };
function consoleRegistry(): Registry {
  if (!g.__havenConsoleMetrics) {
    const r = new Registry();
    collectDefaultMetrics({ register: r });
    g.__havenConsoleMetrics = r;
  }
  return g.__havenConsoleMetrics;
}

/** The store's gauges and the recovery histogram, in a registry made for this scrape. */
export async function storeRegistry(db: Db = getDb()): Promise<Registry> {
  const r = new Registry();
  const registers = [r];
  const [hosts, vms, alerts, incidents, commands, outbox] = await Promise.all([
    db.host.groupBy({ by: ["state"], _count: { _all: true } }),
    db.vm.groupBy({ by: ["power", "haPriority"], _count: { _all: true } }),
    db.alert.groupBy({ by: ["kind", "severity", "status"], where: { status: { not: "resolved" } }, _count: { _all: true } }),
    db.incident.groupBy({ by: ["kind", "status"], _count: { _all: true } }),
    db.agentCommand.groupBy({ by: ["kind", "status"], _count: { _all: true } }),
    db.notification.groupBy({ by: ["status"], _count: { _all: true } }),
  ]);

  const hostG = new Gauge({ name: "haven_hosts", help: "Hosts by state", labelNames: ["state"] as const, registers });
  for (const s of HOST_STATES) hostG.set({ state: s }, 0);
  for (const h of hosts) hostG.set({ state: h.state }, h._count._all);

  const vmG = new Gauge({ name: "haven_vms", help: "VMs by power state and HA priority", labelNames: ["power", "ha_priority"] as const, registers });
  for (const v of vms) vmG.set({ power: v.power, ha_priority: v.haPriority }, v._count._all);

  const alertG = new Gauge({ name: "haven_alerts_open", help: "Live alerts (open or acknowledged) by kind, severity and status", labelNames: ["kind", "severity", "status"] as const, registers });
  for (const a of alerts) alertG.set({ kind: a.kind, severity: a.severity, status: a.status }, a._count._all);

  const incG = new Gauge({ name: "haven_incidents", help: "Incidents by kind and status (open | closed)", labelNames: ["kind", "status"] as const, registers });
  for (const i of incidents) incG.set({ kind: i.kind, status: i.status }, i._count._all);

  const cmdG = new Gauge({ name: "haven_agent_command_rows", help: "Agent commands in the store by kind and status (pending | sent | done | failed)", labelNames: ["kind", "status"] as const, registers });
  for (const c of commands) cmdG.set({ kind: c.kind, status: c.status }, c._count._all);

  const outG = new Gauge({ name: "haven_notifications", help: "Notification outbox rows by status (pending | sending | sent | failed)", labelNames: ["status"] as const, registers });
  for (const s of ["pending", "sending", "sent", "failed"]) outG.set({ status: s }, 0);
  for (const o of outbox) outG.set({ status: o.status }, o._count._all);

  // Per-VM recovery: from the incident's start to the VM's first `vm-running` event in it.
  const recovery = new Histogram({ name: "haven_vm_recovery_seconds", help: "Per VM and incident: seconds from the incident's start to the VM running again", buckets: RECOVERY_BUCKETS_S, registers });
  const runs = await db.event.groupBy({ by: ["incidentId", "vmId"], where: { kind: "vm-running", incidentId: { not: null }, vmId: { not: null } }, _min: { at: true } });
  if (runs.length) {
    const ids = [...new Set(runs.map((x) => x.incidentId!))];
    const opened = new Map<string, number>();
    for (let i = 0; i < ids.length; i += 400) {
      for (const inc of await db.incident.findMany({ where: { id: { in: ids.slice(i, i + 400) } }, select: { id: true, openedAt: true } })) opened.set(inc.id, inc.openedAt.getTime());
    }
    for (const x of runs) {
      const from = opened.get(x.incidentId!);
      if (from === undefined || !x._min.at) continue;
      recovery.observe(Math.max(0, (x._min.at.getTime() - from) / 1000));
    }
  }

  // Devices and the Guarantee, from the dashboard's engine view (cached per inventory version).
  const devG = new Gauge({ name: "haven_devices", help: "Device units (GPUs, vGPU slots per profile tag, SR-IOV VFs) by type, tag and use (free | used)", labelNames: ["type", "tag", "use"] as const, registers });
  const devOnline = new Gauge({ name: "haven_devices_free_online", help: "Free device units on online hosts (usable for placement now) by type and tag", labelNames: ["type", "tag"] as const, registers });
  const tolerated = new Gauge({ name: "haven_ha_tolerated_host_failures", help: "Host failures the cluster can absorb now (the engine's Guarantee assessment)", registers });
  const target = new Gauge({ name: "haven_ha_fault_tolerance", help: "Host failures the HA policy asks to absorb (Guarantee mode), with the mode as a label", labelNames: ["mode"] as const, registers });
  const resCpu = new Gauge({ name: "haven_guarantee_reserve_cpus", help: "vCPUs reserved on an online host for failover (Guarantee mode)", labelNames: ["host"] as const, registers });
  const resMem = new Gauge({ name: "haven_guarantee_reserve_memory_bytes", help: "Memory reserved on an online host for failover (Guarantee mode)", labelNames: ["host"] as const, registers });
  const resDev = new Gauge({ name: "haven_guarantee_reserve_devices", help: "Device units reserved on an online host for failover, by type and tag", labelNames: ["host", "type", "tag"] as const, registers });
  const hasCluster = (await db.cluster.count()) > 0;
  if (hasCluster) {
    const { view } = await getEngineView(db);
    for (const t of view.tags) {
      devG.set({ type: t.type, tag: t.tag, use: "free" }, t.free);
      devG.set({ type: t.type, tag: t.tag, use: "used" }, Math.max(0, t.total - t.free));
      devOnline.set({ type: t.type, tag: t.tag }, t.freeOnline);
    }
    const a = view.assessment;
    tolerated.set(a.toleratedFailures);
    target.set({ mode: a.haMode }, a.faultTolerance);
    for (const res of a.reservePerHost) {
      const h = view.hostById.get(res.hostId);
      if (!h || h.state !== "online") continue;
      resCpu.set({ host: h.name }, res.cpus);
      resMem.set({ host: h.name }, res.memoryMiB * 1024 * 1024);
      for (const d of res.devices) resDev.set({ host: h.name, type: d.type, tag: d.tag }, d.count);
    }
  }
  return r;
}

/** The whole scrape: console defaults, store gauges, the controller process's registry. */
export async function renderMetrics(db: Db = getDb()): Promise<string> {
  const parts = [await consoleRegistry().metrics(), await (await storeRegistry(db)).metrics()];
  let reachable = 0;
  if (controllerAttached()) {
    try {
      parts.push(await controlWithin("metrics", 5000));
      reachable = 1;
    } catch {
      reachable = 0;
    }
  }
  parts.push(
    "# HELP haven_controller_reachable 1 when the HA controller answered this scrape (its own metrics are then included)\n# TYPE haven_controller_reachable gauge\n" +
      `haven_controller_reachable ${reachable}\n`,
  );
  return parts.map((p) => (p.endsWith("\n") ? p : `${p}\n`)).join("");
}
