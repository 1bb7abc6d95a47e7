// HA settings (issue 10): failback, restart policy defaults and the maintenance rebuild time in the
// schema (field errors, blanks) and the service (saved, audited, read back); the preview and the HA
// card list the VMs the Guarantee cannot protect, with the reason, on the demo cluster.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZHaSettingsInput } from "@/lib/schemas/ha-settings";
import { getHaSettings, previewFromView, updateHaSettings } from "@/lib/server/settings";
import { getEngineView } from "@/lib/server/dashboard/engine-view";
import { haCardFromView } from "@/lib/server/queries/dashboard";
import { createTestDb, type TestDb } from "../support/test-db";
import { seedRoleUsers } from "../support/auth";

const base = { haMode: "default", faultTolerance: "1", reservation: "host", heartbeatS: "1", missedHeartbeats: "3", failureTimeoutS: "30", isolationTimeoutS: "20", vmStartS: "5" };

describe("ZHaSettingsInput: recovery policy fields", () => {
  it.each([
    ["defaults when absent (today's behaviour)", {}, { failback: true, restartMaxRestarts: 1, restartMaxRelocations: null, maintenanceRebuildAfterS: null }],
    ["blank relocations and rebuild time are null (no limit / wait for the host)", { restartMaxRelocations: "", maintenanceRebuildAfterS: "" }, { restartMaxRelocations: null, maintenanceRebuildAfterS: null }],
    ["form strings", { failback: "false", restartMaxRestarts: "0", restartMaxRelocations: "3", maintenanceRebuildAfterS: "600" }, { failback: false, restartMaxRestarts: 0, restartMaxRelocations: 3, maintenanceRebuildAfterS: 600 }],
  ])("%s", (_name, extra, want) => {
    const r = ZHaSettingsInput.safeParse({ ...base, ...extra });
    expect(r.success).toBe(true);
    expect(r.data).toMatchObject(want);
  });

  it.each([
    ["restartMaxRestarts", "-1", "Not negative"],
    ["restartMaxRestarts", "1.5", "A whole number"],
    ["restartMaxRestarts", "", "Enter the number of restarts"],
    ["restartMaxRelocations", "abc", "must be a number"],
    ["maintenanceRebuildAfterS", "30", "At least 60 s"],
    ["failback", "maybe", "Choose yes or no"],
  ])("%s = %j is refused next to its field", (field, value, message) => {
    const r = ZHaSettingsInput.safeParse({ ...base, [field]: value });
    expect(r.success).toBe(false);
    const fe = r.error!.flatten().fieldErrors as Record<string, string[]>;
    expect(fe[field]?.join(" ")).toContain(message);
  });
});

describe("HA settings service and preview on the demo cluster", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb({ seed: "demo" });
  }, 120_000);
  afterAll(() => t?.cleanup());

  it("saves and reads back failback, restart policy and maintenance rebuild time (audited)", async () => {
    const ctx = { principal: (await seedRoleUsers(t.db)).admin, db: t.db };
    const r = await updateHaSettings({ ...base, failback: "false", restartMaxRestarts: "2", restartMaxRelocations: "4", maintenanceRebuildAfterS: "900" }, ctx);
    expect(r.changed.sort()).toEqual(["failback", "maintenanceRebuildAfterS", "restartMaxRelocations", "restartMaxRestarts"]);
    expect(await getHaSettings(t.db)).toMatchObject({ failback: false, restartMaxRestarts: 2, restartMaxRelocations: 4, maintenanceRebuildAfterS: 900 });
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "update-ha-settings" }, orderBy: { at: "desc" } });
    expect(JSON.parse(audit.after!)).toMatchObject({ failback: false, restartMaxRelocations: 4 });
    // Blank relocations: no limit again.
    await updateHaSettings({ ...base, restartMaxRelocations: "" }, ctx);
    expect(await getHaSettings(t.db)).toMatchObject({ failback: true, restartMaxRestarts: 1, restartMaxRelocations: null, maintenanceRebuildAfterS: null });
  });

  it("a saved restart policy and maintenance rebuild time reach the running controller at once", async () => {
    const { startController, stopController } = await import("@/lib/server/ha/controller");
    const { VirtualClock } = await import("@/lib/server/ha/clock");
    const { silentLogger } = await import("@/lib/server/ha/log");
    const { applyToController } = await import("@/lib/server/settings");
    stopController();
    const ctl = startController({ db: t.db, clock: new VirtualClock(0), log: silentLogger });
    try {
      await ctl.start();
      const ctx = { principal: (await seedRoleUsers(t.db)).admin, db: t.db };
      await updateHaSettings({ ...base, restartMaxRestarts: "3", restartMaxRelocations: "2", maintenanceRebuildAfterS: "600" }, ctx);
      expect(applyToController((await getHaSettings(t.db))!)).toBe(true);
      expect(ctl.ctx.policy).toEqual({ maxRestarts: 3, maxRelocations: 2, maintenanceRebuildAfterMs: 600_000 });
      await updateHaSettings({ ...base, restartMaxRelocations: "" }, ctx);
      applyToController((await getHaSettings(t.db))!);
      expect(ctl.ctx.policy).toEqual({ maxRestarts: 1, maxRelocations: null, maintenanceRebuildAfterMs: null });
    } finally {
      stopController();
    }
  });

  it("Guarantee FT2 preview: the VMs one host only could run are not protected, with reasons, and not without a reserve", async () => {
    const { view } = await getEngineView(t.db, { fresh: true });
    const saved = (await getHaSettings(t.db))!;
    const settings = ZHaSettingsInput.parse({ ...base });
    const p = previewFromView(view, { ...settings, haMode: "guarantee", faultTolerance: 2 }, { ...settings, haMode: saved.haMode, faultTolerance: saved.faultTolerance });
    expect(p.headlines[0].text).toBe("Guarantee mode with FT2 tolerates 1 of 2 required host failures");
    const np = new Map(p.notProtected.map((v) => [v.vmName, v.reason]));
    expect(np.get("render-02")).toMatch(/asks for GPU kvm-a01-gpu1 by name/);
    expect(np.get("video-enc-01")).toMatch(/only kvm-a03 has 1 GPU tagged "NVIDIA L4"/);
    expect(p.vmsWithoutReserve.map((v) => v.vmName)).not.toContain("video-enc-01");
    expect(p.vmsWithoutReserve.map((v) => v.vmName)).not.toContain("render-02");
    expect(p.headlines.find((h) => h.text.includes("left out of the guarantee"))?.text).toMatch(/^4 VMs are not protected/);
    const card = haCardFromView(view);
    expect(card.notProtected.total).toBe(p.notProtectedCount);
    expect(card.notProtected.vms.find((v) => v.vmName === "render-02")?.hosts.map((h) => h.name)).toEqual(["kvm-a01"]);
  });
});

describe("preview headlines for the recovery policy", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb({ seed: "demo" });
  }, 120_000);
  afterAll(() => t?.cleanup());

  it("says what turning failback off and limiting relocations mean", async () => {
    const { view } = await getEngineView(t.db, { fresh: true });
    const saved = ZHaSettingsInput.parse(base);
    const p = previewFromView(view, ZHaSettingsInput.parse({ ...base, failback: "false", restartMaxRelocations: "2" }), saved);
    expect(p.changed.sort()).toEqual(["failback", "restartMaxRelocations"]);
    expect(p.headlines.map((h) => h.text)).toEqual(
      expect.arrayContaining([
        "Failback off: VMs stay where a failover or a maintenance put them, unless their placement group opts in",
        "Restart policy for VMs without their own: 1 restart on the same host, at most 2 relocations, then the VM waits in error for a retry",
      ]),
    );
  });
});
