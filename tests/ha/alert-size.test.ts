// Alert messages stay short: per-host placement detail belongs on the VM page, not in alerts.
import { afterEach, describe, expect, it } from "vitest";
import { ALERT_MESSAGE_MAX, AlertBook, capAlertMessage } from "@/lib/server/ha/alerts";
import { createTestDb, type TestDb } from "../support/test-db";
import { createSimCluster, type SimCluster } from "./harness";

let c: SimCluster | null = null;
let t: TestDb | null = null;
afterEach(async () => {
  await c?.dispose();
  await t?.cleanup();
  c = null;
  t = null;
});

describe("AlertBook", () => {
  it("caps any message it stores, on raise and on refresh", async () => {
    t = await createTestDb();
    const book = new AlertBook();
    const entity = { type: "cluster" as const, id: "c1", name: "c1" };
    const huge = "x".repeat(60_000);
    await book.raise(t.db, { kind: "HA_CAPACITY_INSUFFICIENT", entity, message: huge, at: new Date(0) });
    const row = await t.db.alert.findFirstOrThrow();
    expect(row.message.length).toBeLessThan(ALERT_MESSAGE_MAX + 100);
    expect(row.message).toBe(capAlertMessage(huge));
    await book.raise(t.db, { kind: "HA_CAPACITY_INSUFFICIENT", entity, message: huge + "y", at: new Date(1), repeat: true });
    const again = await t.db.alert.findFirstOrThrow();
    expect(again.message.length).toBeLessThan(ALERT_MESSAGE_MAX + 100);
    expect(await t.db.alert.count()).toBe(1);
  });
});

describe("HA_REBUILD_FAILED on a cluster where no host fits", () => {
  it("names a few hosts' reasons and counts the others", async () => {
    const small = Array.from({ length: 8 }, (_, i) => ({ name: `s${i + 1}`, cpus: 8, memoryGiB: 16 }));
    c = await createSimCluster({
      hosts: [{ name: "big", cpus: 64, memoryGiB: 512 }, ...small],
      vms: [{ name: "db1", vcpus: 4, memoryGiB: 200, host: "big", haPriority: "high" }],
    });
    await c.run(5);
    c.fleet.get("big").powerLoss(c.clock.now());
    await c.run(45);
    const a = await c.t.db.alert.findFirstOrThrow({ where: { kind: "HA_REBUILD_FAILED" } });
    expect(a.message).toMatch(/^db1 could not be rebuilt on any host: /);
    expect(a.message).toMatch(/… and \d+ more hosts \(see the VM page\)$/);
    expect(a.message.split("; ").length).toBeLessThanOrEqual(4);
  });
});
