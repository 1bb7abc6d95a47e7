// HA settings: validation (the isolation-timeout rule next to its field), the preview of a change
// (computed, never saved), saving (admins only, one audit row, handed to the running controller),
// and the GPU mode switch service.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/tests/support/test-db";
import { seedRoleUsers, type RolePrincipals } from "@/tests/support/auth";
import { ZHaSettingsInput } from "@/lib/schemas/ha-settings";
import { getHaSettings, previewHaSettings, updateHaSettings } from "@/lib/server/settings";
import { dropEngineView } from "@/lib/server/dashboard/engine-view";
import { switchGpuMode } from "@/lib/server/gpu-mode";
import { startController, stopController, getController } from "@/lib/server/ha/controller";
import { VirtualClock } from "@/lib/server/ha/clock";
import { loadSnapshot } from "@/lib/server/snapshot";
import { assessGuarantee } from "@/lib/engine";
import { isAppError } from "@/lib/server/errors";

let t: TestDb;
let users: RolePrincipals;

const base = { haMode: "default", faultTolerance: "1", reservation: "host", heartbeatS: "1", missedHeartbeats: "3", failureTimeoutS: "30", isolationTimeoutS: "20", vmStartS: "5" };

async function refused(p: Promise<unknown>): Promise<{ code: string; fieldErrors?: Record<string, string[]> }> {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return { code: e.code, fieldErrors: e.fieldErrors };
    throw e;
  }
  throw new Error("expected a refusal");
}

beforeAll(async () => {
  t = await createTestDb({ seed: "demo" });
  users = await seedRoleUsers(t.db);
});
afterAll(async () => {
  stopController();
  dropEngineView(t.db);
  await t.cleanup();
});

describe("ZHaSettingsInput", () => {
  const cases: { name: string; input: Record<string, unknown>; field?: string; message?: RegExp }[] = [
    { name: "the defaults", input: base },
    { name: "isolation timeout equal to detection", input: { ...base, isolationTimeoutS: "33" }, field: "isolationTimeoutS", message: /less than .*33 s/ },
    { name: "isolation timeout above a shortened failure timeout", input: { ...base, failureTimeoutS: "10" }, field: "isolationTimeoutS", message: /13 s/ },
    { name: "a blank heartbeat", input: { ...base, heartbeatS: "" }, field: "heartbeatS", message: /Enter the heartbeat interval/ },
    { name: "a word for a number", input: { ...base, vmStartS: "soon" }, field: "vmStartS", message: /must be a number/ },
    { name: "fractional missed heartbeats", input: { ...base, missedHeartbeats: "2.5" }, field: "missedHeartbeats", message: /whole number/ },
    { name: "fault tolerance 3", input: { ...base, faultTolerance: "3" }, field: "faultTolerance" },
    { name: "an unknown mode", input: { ...base, haMode: "always" }, field: "haMode" },
  ];
  for (const c of cases) {
    it(c.field ? `refuses ${c.name} on ${c.field}` : `accepts ${c.name}`, () => {
      const r = ZHaSettingsInput.safeParse(c.input);
      if (!c.field) {
        expect(r.success).toBe(true);
        return;
      }
      expect(r.success).toBe(false);
      const issue = r.error!.issues.find((i) => i.path[0] === c.field);
      expect(issue, JSON.stringify(r.error!.issues)).toBeDefined();
      if (c.message) expect(issue!.message).toMatch(c.message);
    });
  }
});

describe("preview", () => {
  it("shows what Guarantee mode with FT2 would mean, without saving anything", async () => {
    const before = await t.db.cluster.findFirstOrThrow();
    const p = await previewHaSettings({ ...base, haMode: "guarantee", faultTolerance: "2" }, { principal: users.admin, db: t.db });
    const snap = await loadSnapshot(t.db);
    const engine = assessGuarantee({ ...snap, policy: { haMode: "guarantee", faultTolerance: 2, reservation: "host" } });
    expect(p.proposed.toleratedFailures).toBe(engine.toleratedFailures);
    expect(p.proposed.faultTolerance).toBe(2);
    expect(p.current.faultTolerance).toBe(1);
    expect(p.headlines[0].text).toBe(`Guarantee mode with FT2 tolerates ${engine.toleratedFailures} of 2 required host failures`);
    // Every VM named by an unabsorbable failure set is listed without a reserve.
    const named = new Set(engine.unabsorbable.flatMap((u) => u.reasons.map((r) => /, (.+?) \(\d+ vCPU/.exec(r)?.[1])).filter(Boolean));
    expect(new Set(p.vmsWithoutReserve.map((v) => v.vmName))).toEqual(named);
    // video-enc-01 needs the only passthrough L4 (on kvm-a03): no capacity can restart it elsewhere,
    // so the Guarantee reports it as not protected rather than without a reserve (issue 10).
    expect(engine.notProtected.find((v) => v.vmName === "video-enc-01")?.reasons).toEqual(['only kvm-a03 has 1 GPU tagged "NVIDIA L4"']);
    expect(p.vmsWithoutReserve.map((v) => v.vmName)).not.toContain("video-enc-01");
    expect(p.headlines.map((h) => h.text).join("\n")).toMatch(/Guarantee mode with FT2 would leave these \d+ VMs without a reserve: /);
    expect(p.headlines.map((h) => h.text).join("\n")).toMatch(/refuse every power-on/);
    expect(p.changed.sort()).toEqual(["faultTolerance", "haMode"]);
    const after = await t.db.cluster.findFirstOrThrow();
    expect(after.updatedAt.getTime()).toBe(before.updatedAt.getTime());
    expect(after.haMode).toBe(before.haMode);
  });

  it("shows the recovery time a timing change gives and that agents learn it on registration", async () => {
    const p = await previewHaSettings({ ...base, failureTimeoutS: "15", isolationTimeoutS: "10" }, { principal: users.admin, db: t.db });
    expect(p.current.recoveryS).toBe(38);
    expect(p.proposed.recoveryS).toBe(23);
    expect(p.headlines.some((h) => h.text.includes("≈ 38 s → ≈ 23 s"))).toBe(true);
    expect(p.headlines.some((h) => h.text.includes("when they register"))).toBe(true);
  });

  it("shows the VMs that lose HA when HA is disabled", async () => {
    const p = await previewHaSettings({ ...base, haMode: "disabled" }, { principal: users.admin, db: t.db });
    expect(p.headlines[0].tone).toBe("red");
    expect(p.headlines[0].text).toMatch(/^HA disabled/);
    expect(p.losesEligibilityCount).toBe(p.current.protectedRunning + (await countEligibleNotRunning()));
  });

  it("is for admins", async () => {
    expect((await refused(previewHaSettings(base, { principal: users.operator, db: t.db }))).code).toBe("FORBIDDEN");
  });
});

async function countEligibleNotRunning(): Promise<number> {
  const { haEligibility } = await import("@/lib/engine");
  const snap = await loadSnapshot(t.db);
  const running = new Set(snap.vms.filter((v) => v.hostId && v.power === "running").map((v) => v.id));
  return haEligibility(snap).filter((e) => e.eligible && !running.has(e.vmId)).length;
}

describe("save", () => {
  it("refuses viewers, operators and anonymous callers and stores nothing", async () => {
    const before = await t.db.cluster.findFirstOrThrow();
    const audits = await t.db.auditLog.count();
    expect((await refused(updateHaSettings({ ...base, haMode: "guarantee" }, { principal: users.viewer, db: t.db }))).code).toBe("FORBIDDEN");
    expect((await refused(updateHaSettings({ ...base, haMode: "guarantee" }, { principal: users.operator, db: t.db }))).code).toBe("FORBIDDEN");
    expect((await refused(updateHaSettings({ ...base, haMode: "guarantee" }, { principal: null, db: t.db }))).code).toBe("UNAUTHORIZED");
    expect((await t.db.cluster.findFirstOrThrow()).haMode).toBe(before.haMode);
    expect(await t.db.auditLog.count()).toBe(audits);
  });

  it("refuses timings that break the isolation rule with the error on the field", async () => {
    const r = await refused(updateHaSettings({ ...base, isolationTimeoutS: "40" }, { principal: users.admin, db: t.db }));
    expect(r.code).toBe("VALIDATION");
    expect(r.fieldErrors?.isolationTimeoutS?.[0]).toMatch(/less than/);
    expect((await t.db.cluster.findFirstOrThrow()).isolationTimeoutS).toBe(20);
  });

  it("saves the settings with one audit row and hands them to the running controller", async () => {
    const ctl = startController({ db: t.db, clock: new VirtualClock(Date.parse("2026-11-23T08:00:00Z")) });
    await ctl.start();
    expect(ctl.timing.failureTimeoutMs).toBe(30_000);
    const r = await updateHaSettings(
      { ...base, haMode: "guarantee", faultTolerance: "2", reservation: "segment", failureTimeoutS: "20", isolationTimeoutS: "15", heartbeatS: "0.5", missedHeartbeats: "4" },
      { principal: users.admin, db: t.db },
    );
    expect(r.controllerUpdated).toBe(true);
    expect(r.changed.sort()).toEqual(["failureTimeoutS", "faultTolerance", "haMode", "heartbeatS", "isolationTimeoutS", "missedHeartbeats", "reservation"]);
    const row = await t.db.cluster.findFirstOrThrow();
    expect([row.haMode, row.faultTolerance, row.reservation, row.heartbeatS, row.missedHeartbeats, row.failureTimeoutS, row.isolationTimeoutS, row.vmStartS]).toEqual(["guarantee", 2, "segment", 0.5, 4, 20, 15, 5]);
    expect(getController()!.timing).toEqual({ heartbeatMs: 500, missed: 4, failureTimeoutMs: 20_000, isolationTimeoutMs: 15_000, vmStartMs: 5000 });
    expect(getController()!.haMode).toBe("guarantee");
    expect(getController()!.faultTolerance).toBe(2);
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "update-ha-settings" }, orderBy: { at: "desc" } });
    expect(audit.actor).toBe(users.admin.email);
    expect(audit.entity).toBe(`cluster:${row.id}`);
    expect(JSON.parse(audit.before!)).toMatchObject({ haMode: "default", faultTolerance: 1, failureTimeoutS: 30 });
    expect(JSON.parse(audit.after!)).toMatchObject({ haMode: "guarantee", faultTolerance: 2, failureTimeoutS: 20 });
    const s = (await getHaSettings(t.db))!;
    expect(s.haMode).toBe("guarantee");
    stopController();
    // Back to the demo's settings for the other tests.
    await updateHaSettings(base, { principal: users.admin, db: t.db });
  });
});

describe("GPU mode switch", () => {
  it("needs an admin and the host in maintenance, then lists the VMs to reconfigure", async () => {
    const gpu = await t.db.gpu.findFirstOrThrow({ where: { model: "NVIDIA L4", vgpuProfile: null }, include: { host: true } });
    expect((await refused(switchGpuMode({ gpuId: gpu.id, mode: "compute" }, { principal: users.operator, db: t.db }))).code).toBe("FORBIDDEN");
    const notMaint = await refused(switchGpuMode({ gpuId: gpu.id, mode: "compute" }, { principal: users.admin, db: t.db }));
    expect(notMaint.code).toBe("CONFLICT");
    // What entering maintenance does to the GPU VM: powered off, its devices released.
    const holder = await t.db.deviceAllocation.findFirstOrThrow({ where: { gpuId: gpu.id } });
    await t.db.deviceAllocation.deleteMany({ where: { vmId: holder.vmId } });
    await t.db.vm.update({ where: { id: holder.vmId }, data: { power: "stopped", hostId: null } });
    await t.db.host.update({ where: { id: gpu.hostId }, data: { state: "maintenance" } });
    const r = await switchGpuMode({ gpuId: gpu.id, mode: "compute" }, { principal: users.admin, db: t.db });
    expect(r.previousTag).toBe("NVIDIA L4");
    expect(r.tag).toBe("NVIDIA L4.compute");
    expect(r.reconfigure.map((v) => v.name)).toEqual(["video-enc-01"]);
    expect((await t.db.gpu.findUniqueOrThrow({ where: { id: gpu.id } })).mode).toBe("compute");
    expect(await t.db.auditLog.count({ where: { action: "update-gpu", entity: `gpu:${gpu.id}`, actor: users.admin.email } })).toBe(1);
    expect((await refused(switchGpuMode({ gpuId: gpu.id, mode: "compute" }, { principal: users.admin, db: t.db }))).code).toBe("CONFLICT");
  });
});
