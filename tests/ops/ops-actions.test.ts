// The operations server actions (alerts, power, maintenance) called as plain functions with a
// signed-in principal (runAs), against the demo store and a controller on a virtual clock.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/tests/support/test-db";
import { runAs, seedRoleUsers, type RolePrincipals } from "@/tests/support/auth";
import { seedDemo } from "@/lib/server/seed";
import { startController, stopController } from "@/lib/server/ha/controller";
import { VirtualClock } from "@/lib/server/ha/clock";
import { acknowledgeAlertsAction, resolveAlertsAction } from "@/app/(console)/alerts/actions";
import { powerOnAction } from "@/app/(console)/vms/power-actions";
import { previewEvacuationAction } from "@/app/(console)/hosts/maintenance-actions";

let t: TestDb;
let users: RolePrincipals;
const g = globalThis as unknown as { __havenDb?: unknown };

beforeAll(async () => {
  t = await createTestDb();
  g.__havenDb = t.db;
  await seedDemo(t.db);
  users = await seedRoleUsers(t.db);
});
afterAll(async () => {
  stopController();
  delete g.__havenDb;
  await t?.cleanup();
});

const liveAlert = (vm: string) => t.db.alert.findFirstOrThrow({ where: { kind: "VM_HA_INELIGIBLE", entityName: vm, status: { not: "resolved" } } });

describe("alert actions", () => {
  it("a viewer may not acknowledge; an operator acknowledges a selection with a note and resolves it", async () => {
    const a = await liveAlert("ml-train-01");
    const b = await liveAlert("ml-batch-01");
    const refused = await runAs(users.viewer, () => acknowledgeAlertsAction({ ids: [a.id], note: "x" }));
    expect(refused.ok).toBe(false);
    expect((await t.db.alert.findUniqueOrThrow({ where: { id: a.id } })).status).toBe("open");

    const r = await runAs(users.operator, () => acknowledgeAlertsAction({ ids: [a.id, b.id], note: "GPU capacity ordered" }));
    expect(r).toEqual({ ok: true, data: { done: 2, skipped: [] } });
    for (const id of [a.id, b.id]) expect(await t.db.alert.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "acknowledged", ackBy: users.operator.email, ackNote: "GPU capacity ordered" });

    const res = await runAs(users.operator, () => resolveAlertsAction({ ids: [a.id] }));
    expect(res).toEqual({ ok: true, data: { done: 1, skipped: [] } });
    expect(await t.db.alert.findUniqueOrThrow({ where: { id: a.id } })).toMatchObject({ status: "resolved", resolvedBy: users.operator.email, activeKey: null });
    // Acknowledging a resolved one is skipped with the reason; an empty selection is refused.
    const again = await runAs(users.operator, () => acknowledgeAlertsAction({ ids: [a.id] }));
    expect(again.ok && again.data.skipped[0].reason).toMatch(/already resolved/);
    expect((await runAs(users.operator, () => resolveAlertsAction({ ids: [] }))).ok).toBe(false);
  });
});

describe("power and maintenance actions", () => {
  it("a refused power-on answers every host with its reasons; the evacuation preview names the GPU VM power-offs", async () => {
    // THE controller of the process (no timer: nothing steps it), as the power service needs one.
    const ctl = startController({ db: t.db, clock: new VirtualClock(Date.now()) });
    await ctl.start();
    const vm = await t.db.vm.findUniqueOrThrow({ where: { name: "ml-train-02" } });
    const r = await runAs(users.operator, () => powerOnAction(vm.id));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.formError).toMatch(/ml-train-02 cannot be powered on/);
    const ex = "explanation" in r ? r.explanation : null;
    expect(ex?.placeable).toBe(false);
    expect(ex?.hosts).toHaveLength(await t.db.host.count());
    for (const h of ex!.hosts) expect(h.reasons.length).toBeGreaterThan(0);
    expect((await t.db.vm.findUniqueOrThrow({ where: { id: vm.id } })).power).toBe("stopped");

    const host = await t.db.host.findUniqueOrThrow({ where: { name: "kvm-a02" } });
    const p = await runAs(users.operator, () => previewEvacuationAction(host.id, false));
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.data.powerOffs.map((x) => x.vmName)).toContain("ml-train-01");
    expect(p.data.migrations.length).toBeGreaterThan(0);
  });
});
