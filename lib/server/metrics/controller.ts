import "server-only";
// Metrics that live in the HA controller's process (issue 14): how long controller steps take,
// the failure detector's own lag, heartbeats received and late, agent command outcomes,
// notification deliveries, and the process defaults (prefixed `haven_controller_`). The console's
// GET /api/metrics fetches this registry's text with the `metrics` control op and serves it next
// to the gauges it computes from the store (lib/server/metrics/store.ts).
//
// Counting is observation only: no decision reads these numbers.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { HaController } from "@/lib/server/ha/controller";

export interface ControllerMetrics {
  registry: Registry;
  stepDuration: Histogram<string>;
  heartbeats: Counter<string>;
  heartbeatsLate: Counter<string>;
  commandAcks: Counter<"kind" | "outcome">;
  deliveries: Counter<"channel_type" | "event" | "outcome">;
}

/** A heartbeat is late when it comes more than this many heartbeat intervals after the host's previous one. */
export const LATE_HEARTBEAT_INTERVALS = 2;

function create(): ControllerMetrics & { controller: { current: HaController | null } } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "haven_controller_" });
  const controller = { current: null as HaController | null };
  const r = [registry];
  const stepDuration = new Histogram({
    name: "haven_controller_step_duration_seconds",
    help: "Duration of one HA controller step (detector, failover, evaluation), waiting for its lock included",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: r,
  });
  const lag = (name: string, help: string, pick: (l: ReturnType<HaController["detectorLag"]>) => number) =>
    new Gauge({
      name,
      help,
      registers: r,
      collect() {
        const c = controller.current;
        if (c) this.set(pick(c.detectorLag()));
      },
    });
  lag("haven_controller_lag_seconds", "Time the failure detector observed nothing before its last step (its own lag)", (l) => l.lastMs / 1000);
  lag("haven_controller_lag_max_seconds", "Longest such gap since the controller started", (l) => l.maxMs / 1000);
  lag("haven_controller_stalls", "Detector stalls (gaps longer than one heartbeat interval, credited to every host) since the controller started", (l) => l.stalls);
  lag("haven_controller_unobserved_seconds", "Total time the detector could not observe (credited to every host) since it started", (l) => l.unobservedMs / 1000);
  new Gauge({
    name: "haven_controller_up",
    help: "1 when this process runs the HA controller",
    registers: r,
    collect() {
      this.set(controller.current ? 1 : 0);
    },
  });
  const heartbeats = new Counter({ name: "haven_heartbeats_received_total", help: "Agent heartbeats the controller processed", registers: r });
  const heartbeatsLate = new Counter({
    name: "haven_heartbeats_late_total",
    help: `Heartbeats that came more than ${LATE_HEARTBEAT_INTERVALS} heartbeat intervals after the host's previous one`,
    registers: r,
  });
  const commandAcks = new Counter({ name: "haven_agent_commands_total", help: "Agent commands acknowledged, by kind and outcome (done | failed)", labelNames: ["kind", "outcome"] as const, registers: r });
  const deliveries = new Counter({
    name: "haven_notification_deliveries_total",
    help: "Notification delivery attempts by the sender, by channel type, event and outcome (ok | error)",
    labelNames: ["channel_type", "event", "outcome"] as const,
    registers: r,
  });
  return { registry, stepDuration, heartbeats, heartbeatsLate, commandAcks, deliveries, controller };
}

// One registry per process, on globalThis (a bundle may load this module twice).
const g = globalThis as unknown as { __havenControllerMetrics?: ReturnType<typeof create> };

export function controllerMetrics(): ControllerMetrics {
  return (g.__havenControllerMetrics ??= create());
}

/** The registry's text (Prometheus exposition format): what the `metrics` control op answers. */
export async function controllerMetricsText(): Promise<string> {
  return controllerMetrics().registry.metrics();
}

export function countDelivery(r: { channelType: string; event: string; ok: boolean }): void {
  controllerMetrics().deliveries.inc({ channel_type: r.channelType, event: r.event, outcome: r.ok ? "ok" : "error" });
}

const INSTRUMENTED = Symbol.for("haven.metrics.instrumented");

/**
 * Observes the running controller from outside: times its steps, counts the heartbeats it is
 * handed (late ones too) and the command acknowledgements, by wrapping those three methods of the
 * instance. Behaviour is unchanged: each wrapper calls the original and passes its result or error on.
 */
export function instrumentController(ctl: HaController): void {
  const m = (g.__havenControllerMetrics ??= create());
  m.controller.current = ctl;
  const marked = ctl as unknown as Record<symbol, boolean>;
  if (marked[INSTRUMENTED]) return;
  marked[INSTRUMENTED] = true;

  const step = ctl.step.bind(ctl);
  ctl.step = async () => {
    const end = m.stepDuration.startTimer();
    try {
      await step();
    } finally {
      end();
    }
  };

  const lastBeat = new Map<string, number>();
  const note = ctl.noteHeartbeat.bind(ctl);
  ctl.noteHeartbeat = (hb) => {
    const r = note(hb);
    if (r.known) {
      const now = ctl.clock.now();
      const prev = lastBeat.get(hb.hostId);
      lastBeat.set(hb.hostId, now);
      m.heartbeats.inc();
      if (prev !== undefined && now - prev > LATE_HEARTBEAT_INTERVALS * ctl.timing.heartbeatMs) m.heartbeatsLate.inc();
    }
    return r;
  };

  const ack = ctl.onCommandAck.bind(ctl);
  ctl.onCommandAck = async (cmdId, a, row) => {
    m.commandAcks.inc({ kind: row?.kind ?? "unknown", outcome: a.status });
    return ack(cmdId, a, row);
  };
}
