// Operations read models against the real HA controller on a virtual clock: the incident
// timeline of a host failure, the maintenance progress, the placement explanation, alert filters.
import { afterEach, describe, expect, it } from "vitest";
import type { TClusterSpecInput } from "@/lib/schemas/cluster-spec";
import { getIncident, listIncidents, parseIncidentListQuery } from "@/lib/server/queries/incidents";
import { getMaintenanceProgress } from "@/lib/server/queries/maintenance";
import { getAlert, listAlerts, parseAlertListQuery } from "@/lib/server/queries/alerts";
import { explainVmPlacement, previewEvacuation, vmOperationLimits } from "@/lib/server/placement-explain";
import { enterMaintenance, exitMaintenance } from "@/lib/server/ha/maintenance";
import { acknowledgeAlert, resolveAlert } from "@/lib/server/ha/alerts";
import { buildIncidentTimeline, fmtOffset, fmtSeconds } from "@/lib/incidents/timeline";
import { createSimCluster, type SimCluster } from "../ha/harness";
import { createTestDb } from "../support/test-db";
import { seedDemo } from "@/lib/server/seed";

let c: SimCluster | null = null;
afterEach(async () => {
  await c?.dispose();
  c = null;
});

const spec = (vms: NonNullable<TClusterSpecInput["vms"]>): TClusterSpecInput => ({
  hosts: [
    { name: "h1", cpus: 32, memoryGiB: 256, gpus: [{ model: "NVIDIA L4", mode: "graphics" }] },
    { name: "h2", cpus: 32, memoryGiB: 256, gpus: [{ model: "NVIDIA L4", mode: "graphics" }] },
    { name: "h3", cpus: 8, memoryGiB: 32 },
  ],
  vms,
});

describe("incident timeline", () => {
  it("a host failure reads detection → countdown → failed → planned → start sent → running, with recovery per VM", async () => {
    c = await createSimCluster(
      spec([
        { name: "web1", vcpus: 4, memoryGiB: 16, host: "h1", haPriority: "high" },
        { name: "gpu1", vcpus: 4, memoryGiB: 16, host: "h1", haPriority: "medium", devices: [{ type: "gpu", tag: "NVIDIA L4", count: 1 }] },
        { name: "big1", vcpus: 23, memoryGiB: 100, host: "h1", haPriority: "low" },
        { name: "off1", vcpus: 1, memoryGiB: 4, host: "h1", haPriority: "off" },
        { name: "fill2", vcpus: 8, memoryGiB: 16, host: "h2", haPriority: "low" },
      ]),
    );
    await c.run(10);
    c.fleet.get("h1").powerLoss(c.clock.now());
    await c.run(50);
    const page = await listIncidents(parseIncidentListQuery({}), c.t.db);
    expect(page.rows).toHaveLength(1);
    const row = page.rows[0];
    expect(row.kind).toBe("host-failure");
    expect(row.vmsRecovered).toBe(2);
    expect(row.recoveryS).toBeGreaterThan(30);

    const inc = await getIncident(row.id, c.clock.now(), c.t.db);
    expect(inc).not.toBeNull();
    const t = inc!.timeline;
    expect(t.phases.map((p) => p.kind).slice(0, 4)).toEqual(["host-unreachable", "countdown-started", "host-failed", "failover-planned"]);
    // Detection after 3 missed heartbeats of 1 s; failed 30 s later.
    expect(t.summary.detectionS).toBeGreaterThanOrEqual(2);
    expect(t.summary.detectionS).toBeLessThanOrEqual(4);
    expect(t.summary.failedS! - t.summary.detectionS!).toBeCloseTo(30, 0);
    const web = t.vms.find((v) => v.vmName === "web1")!;
    expect(web.outcome).toBe("running");
    expect(["h2", "h3"]).toContain(web.target);
    expect(web.steps.map((s) => s.kind)).toEqual(["planned", "start-sent", "running"]);
    expect(web.planReasons.length).toBeGreaterThan(0);
    expect(web.recoveryS).toBeGreaterThan(t.summary.failedS!);
    expect(web.startS).toBeGreaterThan(0);
    // The GPU VM found the L4 of h2.
    expect(t.vms.find((v) => v.vmName === "gpu1")!.outcome).toBe("running");
    // big1 fits nowhere: unplaceable with the engine's reasons; off1 is not restarted (priority off).
    const big = t.vms.find((v) => v.vmName === "big1")!;
    expect(big.outcome).toBe("waiting");
    expect(big.outcomeReason).toMatch(/vCPU|memory/);
    expect(t.summary.recovered).toBe(2);
    expect(t.summary.notRecovered).toBeGreaterThanOrEqual(1);
    expect(t.summary.lastRecoveryS).toBe(Math.max(web.recoveryS!, t.vms.find((v) => v.vmName === "gpu1")!.recoveryS!));
    // Its alerts are linked.
    expect(inc!.alerts.map((a) => a.kind)).toEqual(expect.arrayContaining(["HOST_UNREACHABLE", "HOST_FAILED", "HA_REBUILD_SUCCEEDED"]));
    expect(await getIncident("nope", 0, c.t.db)).toBeNull();
  });

  it("the pure builder: offsets, gaps, start failures and formatting", () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    const t = buildIncidentTimeline(
      { kind: "host-failure", openedAt: at(0), detectedAt: at(3), failedAt: at(33), closedAt: at(50) },
      [
        { id: "1", at: at(3), kind: "host-unreachable", message: "", hostId: "h", vmId: null, data: null },
        { id: "2", at: at(33), kind: "host-failed", message: "", hostId: "h", vmId: null, data: null },
        { id: "3", at: at(34), kind: "vm-planned", message: "", hostId: "h2", vmId: "v", data: { to: "h2", reasons: ["fits"] } },
        { id: "4", at: at(40), kind: "vm-start-failed", message: "boom", hostId: "h2", vmId: "v", data: { error: "qemu exited" } },
      ],
      new Map([["v", "vm-a"]]),
      0,
    );
    expect(t.phases.map((p) => [p.offsetS, p.sincePrevS])).toEqual([
      [3, null],
      [33, 30],
    ]);
    expect(t.vms[0]).toMatchObject({ vmName: "vm-a", outcome: "failed", outcomeReason: "qemu exited", target: "h2", recoveryS: null });
    expect(t.vms[0].steps[1].sincePrevS).toBe(6);
    expect(t.summary).toMatchObject({ total: 1, recovered: 0, notRecovered: 1, durationS: 50 });
    expect(fmtSeconds(0.25)).toBe("250 ms");
    expect(fmtSeconds(125)).toBe("2 min 5 s");
    expect(fmtOffset(3.5)).toBe("+3.5 s");
  });
});

describe("maintenance and placement explanations", () => {
  it("previews, then tracks migrations, GPU power-offs and restarts after the exit", async () => {
    c = await createSimCluster(
      spec([
        { name: "web1", vcpus: 4, memoryGiB: 16, host: "h1", haPriority: "high" },
        { name: "gpu1", vcpus: 4, memoryGiB: 16, host: "h1", haPriority: "high", devices: [{ type: "gpu", tag: "NVIDIA L4", count: 1 }] },
      ]),
    );
    await c.run(5);
    const h1 = c.hostIds.h1;
    const preview = await previewEvacuation(h1, {}, c.t.db);
    expect(preview!.migrations.map((m) => m.vmName)).toEqual(["web1"]);
    expect(preview!.powerOffs.map((p) => p.vmName)).toEqual(["gpu1"]);
    expect(preview!.powerOffs[0].reason).toMatch(/cannot live-migrate/);
    expect((await previewEvacuation(h1, { rebuildDeviceVms: true }, c.t.db))!.rebuilds.map((r) => [r.vmName, r.to])).toEqual([["gpu1", "h2"]]);

    const limits = await vmOperationLimits(c.vmIds.gpu1, c.t.db);
    expect(limits!.hasDevices).toBe(true);
    expect(limits!.limits.find((l) => l.operation === "live-migrate")).toMatchObject({ allowed: false });

    expect((await getMaintenanceProgress(h1, c.t.db))!.enteredAt).toBeNull();
    await enterMaintenance(h1, { by: "op@example.com" }, c.controller);
    let p = (await getMaintenanceProgress(h1, c.t.db))!;
    expect(p.active).toBe(true);
    expect(p.by).toBe("op@example.com");
    await c.run(8);
    p = (await getMaintenanceProgress(h1, c.t.db))!;
    expect(p.counts).toMatchObject({ migrations: 1, migrated: 1, powerOffs: 1, stopped: 1 });
    expect(p.vms.find((v) => v.vmName === "web1")).toMatchObject({ action: "migrate", target: "h2", state: "done", power: "running" });
    expect(p.vms.find((v) => v.vmName === "gpu1")).toMatchObject({ action: "power-off", state: "done", power: "stopped", restarted: "no" });
    expect(p.active).toBe(false);

    // A stopped GPU VM whose host is in maintenance: the explanation names h1's state.
    const ex = await explainVmPlacement(c.vmIds.gpu1, c.t.db);
    expect(ex!.hosts.map((h) => h.hostName).sort()).toEqual(["h1", "h2", "h3"]);
    expect(ex!.hosts.find((h) => h.hostName === "h3")!.reasons.join(" ")).toMatch(/GPU|vCPU|memory/);

    await exitMaintenance(h1, {}, c.controller);
    await c.run(8);
    p = (await getMaintenanceProgress(h1, c.t.db))!;
    expect(p.exitedAt).not.toBeNull();
    expect(p.vms.find((v) => v.vmName === "gpu1")).toMatchObject({ restarted: "running", power: "running" });
    expect(p.counts.restarted).toBe(1);
  });
});

describe("alert review", () => {
  it("filters by kind, host, VM and incident; the detail keeps ack note and who resolved", async () => {
    c = await createSimCluster(spec([{ name: "web1", vcpus: 4, memoryGiB: 16, host: "h1", haPriority: "high" }]));
    await c.run(5);
    c.fleet.get("h1").powerLoss(c.clock.now());
    await c.run(45);
    const all = await listAlerts(parseAlertListQuery({ status: "all" }), c.t.db);
    expect(all.total).toBeGreaterThanOrEqual(3);
    const failed = await listAlerts(parseAlertListQuery({ status: "all", kind: "HOST_FAILED" }), c.t.db);
    expect(failed.rows.map((r) => r.entityName)).toEqual(["h1"]);
    const byHost = await listAlerts(parseAlertListQuery({ status: "all", host: c.hostIds.h1 }), c.t.db);
    expect(byHost.rows.every((r) => r.hostId === c!.hostIds.h1)).toBe(true);
    const byVm = await listAlerts(parseAlertListQuery({ status: "all", vm: "web" }), c.t.db);
    expect(byVm.rows.map((r) => r.kind)).toEqual(["HA_REBUILD_SUCCEEDED"]);
    const incId = failed.rows[0].incident!.id;
    expect((await listAlerts(parseAlertListQuery({ status: "all", incident: incId }), c.t.db)).total).toBe(all.rows.filter((r) => r.incident?.id === incId).length);

    const id = byVm.rows[0].id;
    await acknowledgeAlert(c.t.db, id, "op@example.com", "looked at it");
    await resolveAlert(c.t.db, id, "op@example.com");
    const d = await getAlert(id, c.t.db);
    expect(d).toMatchObject({ status: "resolved", ackBy: "op@example.com", ackNote: "looked at it", resolvedBy: "op@example.com" });
    expect(d!.incident?.id).toBe(incId);
    expect(await getAlert("nope", c.t.db)).toBeNull();
  });
});

describe("the demo's seeded history", () => {
  it("incident #1 reads like a live host failure on the timeline (controller event kinds)", async () => {
    const t = await createTestDb();
    try {
      await seedDemo(t.db, { now: new Date("2026-03-01T12:00:00Z") });
      const row = (await listIncidents(parseIncidentListQuery({}), t.db)).rows.find((r) => r.seq === 1)!;
      expect(row).toMatchObject({ vms: 7, vmsRecovered: 6 });
      const inc = (await getIncident(row.id, Date.parse("2026-03-01T12:00:00Z"), t.db))!;
      expect(inc.timeline.phases.map((p) => p.kind)).toEqual(["host-unreachable", "countdown-started", "host-failed", "failover-planned", "incident-closed", "host-online"]);
      expect(inc.timeline.summary).toMatchObject({ total: 7, recovered: 6, notRecovered: 1, lastRecoveryS: 41, detectionS: 3, failedS: 33 });
      const scratch = inc.timeline.vms.find((v) => v.vmName === "scratch-01")!;
      expect(scratch).toMatchObject({ outcome: "not-restarted", outcomeReason: "HA priority off" });
      for (const v of inc.timeline.vms.filter((x) => x.outcome === "running")) expect(v.steps.map((s) => s.kind)).toEqual(["planned", "start-sent", "running"]);
    } finally {
      await t.cleanup();
    }
  });
});
