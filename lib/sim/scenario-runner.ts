import "server-only";
// Runs a scenario (../shared/scenarios/FORMAT.md) through the real HA controller, engine and
// store: a fresh temporary SQLite store, the cluster imported at t=0, one simulated agent per
// host and the controller on a virtual clock stepped in small ticks. Timeline events are applied
// at their time; DESIGN.md invariants 1–4 are checked at every step; one report comes back.
import type { PrismaClient } from "@prisma/client";
import { ZScenario, type TScenario, type TScenarioEvent, type TScenarioInput } from "@/lib/schemas/scenario";
import { importCluster } from "@/lib/server/cluster-import";
import { isAppError } from "@/lib/server/errors";
import { HaController } from "@/lib/server/ha/controller";
import { VirtualClock } from "@/lib/server/ha/clock";
import { createStderrLogger, type Logger } from "@/lib/server/ha/log";
import type { RecordedEvent } from "@/lib/server/ha/journal";
import { powerOffVm, powerOnVm } from "@/lib/server/ha/vm-power";
import { confirmHostPoweredOff, enterMaintenance, exitMaintenance, migrateVm, setDeviceHealth } from "@/lib/server/ha/maintenance";
import { SimFleet } from "./fleet";
import type { SimObserver, SimVm, StopCause } from "./agent";
import { inProcessTransport } from "./in-process-transport";
import { hostRunningVm } from "@/lib/server/agent/tokens";
import { createTempDb } from "./temp-db";

export interface ReportVm {
  power: "running" | "stopped" | "pending" | "error" | "unknown";
  host: string | null;
  devices: { type: string; tag: string; device: string }[];
  ips: string[];
  diskSessions: { disk: number; controller: string }[];
}

export interface ReportAlert {
  kind: string;
  severity: string;
  status: string;
  at: number;
  host: string | null;
  vm: string | null;
  message: string;
  count: number;
  resolvedAt: number | null;
}

export interface ReportEvent {
  at: number;
  kind: string;
  vm?: string;
  host?: string;
  incident?: number;
  message: string;
  data?: unknown;
}

export interface Violation {
  at: number;
  invariant: 1 | 2 | 3 | 4 | 6;
  message: string;
}

export interface ScenarioReport {
  name: string;
  final: {
    hosts: Record<string, { state: string }>;
    vms: Record<string, ReportVm>;
  };
  alerts: ReportAlert[];
  events: ReportEvent[];
  recovery: { vm: string; downAt: number; runningAt: number | null }[];
  violations: Violation[];
}

export interface RunOptions {
  /** Virtual step (ms). Default 500. */
  tickMs?: number;
  log?: Logger;
  /** Also check the store's allocations (invariants 2–3) whenever the controller wrote. Default true. */
  storeChecks?: boolean;
  /** Called after each step (tests that inject extra faults or look inside). */
  onStep?: (ctx: RunContext) => Promise<void> | void;
}

export interface RunContext {
  t: number;
  db: PrismaClient;
  controller: HaController;
  fleet: SimFleet;
  vmIds: Record<string, string>;
  hostIds: Record<string, string>;
}

/** Stops the console asked for on purpose (power-off, maintenance, live migration, stale copies). */
const PLANNED: ReadonlySet<string> = new Set(["migrated", "stop:power-off", "stop:maintenance", "stop:restart", "stop:stale", "stop:duplicate"]);

/** Parses (strictly) and runs a scenario. Throws the ZodError on an invalid scenario. */
export async function runScenario(input: TScenarioInput | TScenario, opts: RunOptions = {}): Promise<ScenarioReport> {
  const spec = ZScenario.parse(input);
  // Small enough to see every heartbeat and boot; 0.5 s with the default timings.
  const t0 = spec.cluster.timing;
  const tickMs = opts.tickMs ?? Math.max(50, Math.min(500, (t0.heartbeat * 1000) / 2, t0.vmStart > 0 ? (t0.vmStart * 1000) / 2 : 500));
  const log = opts.log ?? createStderrLogger();
  const tmp = createTempDb();
  const db = tmp.db;
  try {
    const cluster = { cluster: spec.cluster, zones: spec.zones, hosts: spec.hosts, networks: spec.networks, placementGroups: spec.placementGroups, vms: spec.vms };
    const imported = await importCluster(db, cluster, { now: new Date(0), name: "scenario" });
    const clock = new VirtualClock(0);
    const sec = (ms: number) => Math.round(ms) / 1000;
    const hostNameById = new Map(Object.entries(imported.hostIds).map(([n, id]) => [id, n]));
    const vmNameById = new Map(Object.entries(imported.vmIds).map(([n, id]) => [id, n]));
    const vmSpec = new Map(spec.vms.map((v) => [v.name, v]));

    // ---- recovery tracking and invariant 1 from what the agents actually run
    const violations: Violation[] = [];
    const seenViolation = new Set<string>();
    const violate = (invariant: Violation["invariant"], key: string, message: string) => {
      const k = `${invariant}|${key}`;
      if (seenViolation.has(k)) return;
      seenViolation.add(k);
      violations.push({ at: sec(clock.now()), invariant, message });
    };
    const runningOn = new Map<string, Set<string>>();
    const haChecks = new Map<string, { deadline: number; hostId: string }>();
    const lastHost = new Map<string, string>();
    const recovery: ScenarioReport["recovery"] = [];
    const openDown = new Map<string, ScenarioReport["recovery"][number]>();
    const observer: SimObserver = {
      vmStarted(vm: SimVm, host: string, now: number) {
        const set = runningOn.get(vm.vmId) ?? new Set<string>();
        set.add(host);
        runningOn.set(vm.vmId, set);
        lastHost.set(vm.vmId, host);
        haChecks.delete(vm.vmId); // running again: invariant 4 is met for it
        const down = openDown.get(vm.vmId);
        if (down) {
          down.runningAt = sec(now);
          openDown.delete(vm.vmId);
        }
      },
      vmStopped(vm: SimVm, host: string, cause: StopCause, now: number) {
        const set = runningOn.get(vm.vmId);
        set?.delete(host);
        if (set && set.size > 0) return;
        if (PLANNED.has(cause)) return;
        if (openDown.has(vm.vmId)) return;
        const entry = { vm: vm.name, downAt: sec(now), runningAt: null as number | null };
        recovery.push(entry);
        openDown.set(vm.vmId, entry);
      },
    };

    // ---- invariant 4: HA VMs of a failed host run again after the countdown, or an alert says why
    const timing = spec.cluster.timing;
    const slackMs = timing.vmStart * 1000 + Math.max(2000, 2 * tickMs) + timing.heartbeat * 1000;
    // Hosts an admin confirmed powered off: their opted-out VMs are rebuilt like the others.
    const confirmedOff = new Set<string>();
    const onEvent = (e: RecordedEvent) => {
      const now = clock.now();
      if (e.kind === "host-confirmed-off" && e.hostId) confirmedOff.add(e.hostId);
      if ((e.kind === "host-failed" || e.kind === "network-fault-ha" || e.kind === "host-confirmed-off") && e.hostId && spec.cluster.haMode !== "disabled") {
        const failed = hostNameById.get(e.hostId)!;
        for (const [vmId, h] of lastHost) {
          // VMs that run there, or went down there unplanned and have not run since.
          const there = runningOn.get(vmId)?.has(failed) || (h === failed && openDown.has(vmId));
          if (!there) continue;
          const vs = vmSpec.get(vmNameById.get(vmId) ?? "");
          if (!vs || vs.haPriority === "off") continue;
          // Opted out of the isolation response: unknown (not rebuilt) until the host is confirmed off.
          if (vs.keepRunningWhenIsolated && e.kind !== "network-fault-ha" && !confirmedOff.has(e.hostId)) continue;
          if (e.kind === "host-confirmed-off" && !vs.keepRunningWhenIsolated) continue; // host-failed covers it
          haChecks.set(vmId, { deadline: now + slackMs, hostId: e.hostId });
        }
      }
      // An admin powered it off meanwhile (or it was being powered off when its host failed).
      if (e.vmId && (e.kind === "vm-not-restarted" || e.kind === "vm-powered-off" || (e.kind === "vm-stop-sent" && (e.data?.reason === "power-off" || e.data?.reason === "maintenance"))))
        haChecks.delete(e.vmId);
      if (e.kind === "vm-start-failed" && e.vmId) {
        const c = haChecks.get(e.vmId);
        if (c) c.deadline = Math.max(c.deadline, now + timing.vmStart * 1000 + slackMs);
      }
    };

    const controller = new HaController({ db, clock, log, onEvent, commandPollFallbackMs: Infinity, resyncMs: 60_000 });
    await controller.start();
    const transport = inProcessTransport({ db, controller });
    const fleet = new SimFleet(
      transport,
      {
        heartbeatMs: timing.heartbeat * 1000,
        isolationTimeoutMs: timing.isolationTimeout * 1000,
        vmStartMs: timing.vmStart * 1000,
        migrateMs: Math.min(2000, timing.vmStart * 1000),
      },
      observer,
    );
    for (const h of spec.hosts) fleet.add(h.name, h.nics.map((n) => n.name));

    // VMs running at t=0, as the store has them.
    const gpuHost = new Map<string, string>();
    const nicHost = new Map<string, string>();
    const hostCap = new Map<string, { cpus: number; mem: number }>();
    {
      const hosts = await db.host.findMany({ include: { gpus: true, nics: true } });
      for (const h of hosts) {
        hostCap.set(h.name, { cpus: h.cpus, mem: h.memoryMiB });
        for (const g of h.gpus) gpuHost.set(g.id, h.name);
        for (const n of h.nics) nicHost.set(n.id, h.name);
      }
      const vms = await db.vm.findMany({ where: { power: "running" }, include: { allocations: true, ipLeases: true } });
      for (const v of vms) {
        fleet.get(hostNameById.get(v.hostId!)!).adopt(hostRunningVm(v), 0);
      }
    }

    const runnerEvents: ReportEvent[] = [];
    const isolated = new Set<string>();
    const apply = async (e: TScenarioEvent) => {
      const now = clock.now();
      const guard = async (what: string, fn: () => Promise<unknown>) => {
        try {
          await fn();
        } catch (err) {
          if (!isAppError(err)) throw err;
          runnerEvents.push({ at: sec(now), kind: "scenario-action-refused", message: `${what}: ${err.message}`, ...("vm" in e ? { vm: e.vm } : {}), ...("host" in e ? { host: e.host } : {}) });
        }
      };
      switch (e.do) {
        case "host-down":
          return fleet.get(e.host).powerLoss(now);
        case "host-up":
          return fleet.get(e.host).powerOn(now);
        case "host-isolate":
          isolated.add(e.host);
          return fleet.get(e.host).isolate();
        case "host-rejoin":
          isolated.delete(e.host);
          return fleet.get(e.host).rejoin();
        case "nic-down":
        case "nic-up":
          fleet.get(e.host).nics.set(e.nic, e.do === "nic-up");
          return;
        case "storage-down":
        case "storage-up":
          fleet.get(e.host).storageHealthy = e.do === "storage-up";
          return;
        case "start-fails":
          if (e.vm !== undefined) {
            const vmId = imported.vmIds[e.vm];
            fleet.vmStartFailures.set(vmId, (fleet.vmStartFailures.get(vmId) ?? 0) + e.times);
          } else if (e.host !== undefined) fleet.get(e.host).startFailures += e.times;
          return;
        case "device-fail":
        case "device-ok":
          return guard(e.do, () => setDeviceHealth(imported.hostIds[e.host], e.device, e.do === "device-ok", controller));
        case "vm-migrate":
          return guard("vm-migrate", () => migrateVm(imported.vmIds[e.vm], imported.hostIds[e.host], { by: "scenario" }, controller));
        case "host-confirm-off":
          // The admin's statement is made true: the host loses power, then the console is told.
          fleet.get(e.host).powerLoss(now);
          isolated.delete(e.host);
          return guard("host-confirm-off", () => confirmHostPoweredOff(imported.hostIds[e.host], { by: "scenario" }, controller));
        case "vm-crash": {
          const vmId = imported.vmIds[e.vm];
          for (const a of fleet.agents.values()) if (a.crash(vmId, now, e.localRestartFails)) return;
          runnerEvents.push({ at: sec(now), kind: "vm-crash-ignored", vm: e.vm, message: `${e.vm} was not running anywhere` });
          return;
        }
        case "vm-power-on":
          return guard("vm-power-on", () => powerOnVm(imported.vmIds[e.vm], { by: "scenario" }, controller));
        case "vm-power-off":
          return guard("vm-power-off", () => powerOffVm(imported.vmIds[e.vm], { by: "scenario" }, controller));
        case "maintenance-enter":
          return guard("maintenance-enter", () => enterMaintenance(imported.hostIds[e.host], { by: "scenario" }, controller));
        case "maintenance-exit":
          return guard("maintenance-exit", () => exitMaintenance(imported.hostIds[e.host], { by: "scenario" }, controller));
      }
    };

    // ---- invariants 1–3 from the agents, 2–3 from the store
    const checkAgents = () => {
      for (const [vmId, set] of runningOn) {
        if (set.size > 1) violate(1, vmId, `${vmNameById.get(vmId)} runs on ${[...set].sort().join(" and ")} at once`);
      }
      const devices = new Map<string, string>();
      const ips = new Map<string, string>();
      for (const a of fleet.agents.values()) {
        let cpus = 0;
        let mem = 0;
        for (const vm of a.running.values()) {
          cpus += vm.vcpus;
          mem += vm.memoryMiB;
          for (const k of vm.deviceKeys) {
            const other = devices.get(k);
            if (other && other !== vm.name) violate(2, k, `device ${k} used by ${other} and ${vm.name}`);
            devices.set(k, vm.name);
            const id = k.split(":")[1];
            const owner = k.startsWith("vf:") ? nicHost.get(id) : gpuHost.get(id);
            if (owner !== a.name) violate(3, `${k}@${a.name}`, `${vm.name} on ${a.name} uses ${k}, a device of ${owner}`);
          }
          for (const ip of vm.ips) {
            const other = ips.get(ip);
            if (other && other !== vm.name) violate(2, `ip:${ip}`, `address ${ip} used by ${other} and ${vm.name}`);
            ips.set(ip, vm.name);
          }
        }
        const cap = hostCap.get(a.name)!;
        if (cpus > cap.cpus) violate(3, `cpu@${a.name}`, `${a.name} runs ${cpus} vCPUs on ${cap.cpus} CPUs`);
        if (mem > cap.mem) violate(3, `mem@${a.name}`, `${a.name} runs ${mem} MiB on ${cap.mem} MiB`);
      }
    };
    let checkedChanges = -1;
    const checkStore = async () => {
      if (opts.storeChecks === false || controller.changes === checkedChanges) return;
      checkedChanges = controller.changes;
      const [vms, allocs, hosts] = await Promise.all([
        db.vm.findMany({ where: { hostId: { not: null } }, select: { id: true, name: true, hostId: true, vcpus: true, memoryMiB: true, power: true } }),
        db.deviceAllocation.findMany({ include: { gpu: true, nic: true } }),
        db.host.findMany({ select: { id: true, name: true, cpus: true, memoryMiB: true } }),
      ]);
      const use = new Map<string, { cpus: number; mem: number }>();
      const vmHost = new Map<string, string>();
      for (const v of vms) {
        vmHost.set(v.id, v.hostId!);
        const u = use.get(v.hostId!) ?? { cpus: 0, mem: 0 };
        u.cpus += v.vcpus;
        u.mem += v.memoryMiB;
        use.set(v.hostId!, u);
      }
      // Invariant 6: a VM of unknown state is never started elsewhere.
      for (const v of vms) {
        if (v.power !== "unknown") continue;
        const home = hostNameById.get(v.hostId!);
        for (const where of runningOn.get(v.id) ?? []) if (where !== home) violate(6, `unknown:${v.id}@${where}`, `${v.name} is unknown on ${home} but runs on ${where}`);
      }
      for (const h of hosts) {
        const u = use.get(h.id);
        if (u && u.cpus > h.cpus) violate(3, `store-cpu@${h.name}`, `the store places ${u.cpus} vCPUs on ${h.name} (${h.cpus} CPUs)`);
        if (u && u.mem > h.memoryMiB) violate(3, `store-mem@${h.name}`, `the store places ${u.mem} MiB on ${h.name} (${h.memoryMiB} MiB)`);
      }
      for (const a of allocs) {
        const vh = vmHost.get(a.vmId);
        if (vh !== a.hostId) violate(3, `alloc-host:${a.deviceKey}`, `${vmNameById.get(a.vmId)} holds ${a.deviceKey} on ${hostNameById.get(a.hostId)} but ${vh ? `runs on ${hostNameById.get(vh)}` : "has no host"}`);
        if (a.type === "sriov" && a.nic && (a.vf ?? -1) >= a.nic.sriovVfs) violate(3, a.deviceKey, `${a.deviceKey}: VF ${a.vf} beyond ${a.nic.sriovVfs}`);
        if (a.type === "vgpu" && a.gpu && (a.slot ?? -1) >= (a.gpu.vgpuSlots ?? 0)) violate(3, a.deviceKey, `${a.deviceKey}: slot ${a.slot} beyond ${a.gpu.vgpuSlots}`);
      }
    };
    const checkHa = async () => {
      const now = clock.now();
      for (const [vmId, c] of [...haChecks]) {
        if (now < c.deadline) continue;
        haChecks.delete(vmId);
        if ((runningOn.get(vmId)?.size ?? 0) > 0) continue;
        const vm = await db.vm.findUnique({ where: { id: vmId }, select: { desiredPower: true, name: true, hostId: true, power: true } });
        if (!vm || vm.desiredPower === "off") continue;
        if (vm.hostId) {
          // Placed on a host that failed in turn (a cascade): judge again after that host's countdown.
          const h = await db.host.findUnique({ where: { id: vm.hostId }, select: { state: true } });
          if (h && h.state !== "online" && h.state !== "maintenance") {
            haChecks.set(vmId, { deadline: now + (timing.missedHeartbeats * timing.heartbeat + timing.failureTimeout) * 1000 + slackMs, hostId: c.hostId });
            continue;
          }
        }
        if (vm.power === "starting") {
          // Progress: a newer start (a retry after the target itself failed or lost it) gets its own boot time.
          // (A start its target has not fetched yet — it was down — is judged from when it is fetched.)
          const cmd = await db.agentCommand.findFirst({ where: { vmId, kind: "start-vm" }, orderBy: { createdAt: "desc" }, select: { createdAt: true, sentAt: true, status: true } });
          const due = !cmd ? 0 : cmd.status === "pending" || cmd.status === "blocked" ? now + slackMs : (cmd.sentAt ?? cmd.createdAt).getTime() + slackMs;
          if (due > now) {
            haChecks.set(vmId, { deadline: due, hostId: c.hostId });
            continue;
          }
        }
        const alert = await db.alert.findFirst({ where: { vmId, kind: "HA_REBUILD_FAILED", raisedAt: { lte: new Date(now) } }, orderBy: { raisedAt: "desc" } });
        if (alert && (alert.status !== "resolved" || (alert.resolvedAt && alert.resolvedAt.getTime() >= now))) continue;
        violate(4, `${vmId}@${c.deadline}`, `${vm.name} (HA) of failed host ${hostNameById.get(c.hostId)} is not running ${sec(now - c.deadline + slackMs)}s after the failure and no alert says why`);
      }
    };

    // ---- the timeline
    const events = [...spec.events].map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
    let next = 0;
    const endMs = spec.runUntil * 1000;
    const ctx: RunContext = { t: 0, db, controller, fleet, vmIds: imported.vmIds, hostIds: imported.hostIds };
    for (let t = 0; t <= endMs; t += tickMs) {
      clock.set(t);
      while (next < events.length && events[next].e.at * 1000 <= t) await apply(events[next++].e);
      await fleet.tick(t);
      await controller.step();
      await fleet.poll(t);
      checkAgents();
      await checkStore();
      await checkHa();
      if (opts.onStep) {
        ctx.t = t;
        await opts.onStep(ctx);
      }
    }
    await controller.persistHeartbeats(true);

    return await buildReport(db, spec, { isolated, recovery, violations, runnerEvents, hostNameById, vmNameById, sec });
  } finally {
    await tmp.dispose();
  }
}

async function buildReport(
  db: PrismaClient,
  spec: TScenario,
  r: {
    isolated: Set<string>;
    recovery: ScenarioReport["recovery"];
    violations: Violation[];
    runnerEvents: ReportEvent[];
    hostNameById: Map<string, string>;
    vmNameById: Map<string, string>;
    sec: (ms: number) => number;
  },
): Promise<ScenarioReport> {
  const hostName = (id: string | null | undefined) => (id ? (r.hostNameById.get(id) ?? id) : null);
  const hosts = await db.host.findMany({ include: { gpus: true, nics: true } });
  const gpuName = new Map(hosts.flatMap((h) => h.gpus.map((g) => [g.id, g.name] as const)));
  const nicName = new Map(hosts.flatMap((h) => h.nics.map((n) => [n.id, n.name] as const)));
  const finalHosts: ScenarioReport["final"]["hosts"] = {};
  for (const h of spec.hosts) {
    const row = hosts.find((x) => x.name === h.name)!;
    finalHosts[h.name] = { state: r.isolated.has(h.name) && row.state !== "maintenance" ? "isolated" : row.state };
  }
  const vms = await db.vm.findMany({
    include: { allocations: true, ipLeases: { include: { vmNic: true } }, storageSessions: true },
  });
  const finalVms: ScenarioReport["final"]["vms"] = {};
  for (const v of spec.vms) {
    const row = vms.find((x) => x.name === v.name)!;
    const power: ReportVm["power"] =
      row.power === "running" || row.power === "migrating" || row.power === "stopping"
        ? "running"
        : row.power === "starting" || row.power === "pending"
          ? "pending"
          : row.power === "error"
            ? "error"
            : row.power === "unknown"
              ? "unknown"
              : "stopped";
    finalVms[v.name] = {
      power,
      host: power === "running" || power === "unknown" ? hostName(row.hostId) : null,
      devices: [...row.allocations]
        .sort((a, b) => (a.deviceKey < b.deviceKey ? -1 : 1))
        .map((a) => ({
          type: a.type,
          tag: a.tag,
          device:
            a.type === "sriov"
              ? `${hostName(a.hostId)}/${nicName.get(a.nicId ?? "")}/vf${a.vf}`
              : a.type === "vgpu"
                ? `${hostName(a.hostId)}/${gpuName.get(a.gpuId ?? "")}/slot${a.slot}`
                : `${hostName(a.hostId)}/${gpuName.get(a.gpuId ?? "")}`,
        })),
      ips: [...row.ipLeases].sort((a, b) => a.vmNic.index - b.vmNic.index).map((l) => l.address),
      diskSessions: [...row.storageSessions]
        .sort((a, b) => a.diskIndex - b.diskIndex || a.session - b.session)
        .map((s) => ({ disk: s.diskIndex, controller: hostName(s.controllerHostId)! })),
    };
  }
  const alerts = (await db.alert.findMany({ orderBy: [{ raisedAt: "asc" }, { id: "asc" }] })).map((a) => ({
    kind: a.kind,
    severity: a.severity,
    status: a.status,
    at: r.sec(a.raisedAt.getTime()),
    host: a.entityType === "host" ? a.entityName : hostName(a.hostId),
    vm: a.entityType === "vm" ? a.entityName : a.vmId ? (r.vmNameById.get(a.vmId) ?? null) : null,
    message: a.message,
    count: a.count,
    resolvedAt: a.resolvedAt ? r.sec(a.resolvedAt.getTime()) : null,
  }));
  const incidents = new Map((await db.incident.findMany({ select: { id: true, seq: true } })).map((i) => [i.id, i.seq]));
  const evRows = await db.event.findMany({ orderBy: [{ at: "asc" }, { id: "asc" }] });
  const events: ReportEvent[] = evRows.map((e) => ({
    at: r.sec(e.at.getTime()),
    kind: e.kind,
    ...(e.vmId ? { vm: r.vmNameById.get(e.vmId) ?? e.vmId } : {}),
    ...(e.hostId ? { host: hostName(e.hostId)! } : {}),
    ...(e.incidentId ? { incident: incidents.get(e.incidentId) } : {}),
    message: e.message,
    ...(e.data ? { data: JSON.parse(e.data) } : {}),
  }));
  events.push(...r.runnerEvents);
  events.sort((a, b) => a.at - b.at);
  return {
    name: spec.name,
    final: { hosts: finalHosts, vms: finalVms },
    alerts,
    events,
    recovery: r.recovery,
    violations: r.violations,
  };
}
