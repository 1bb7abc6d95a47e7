// Settings → Notifications server actions as each role: only an admin changes channels, tests
// them, rotates a secret or retries a delivery; the others get a clear refusal and nothing is
// stored. An admin's bad input answers field errors, never a 500.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "@/lib/schemas/auth";
import type { ActionResult } from "@/lib/schemas/action-result";
import type { Principal } from "@/lib/server/auth/principal";
import * as actions from "@/app/(console)/settings/notifications/actions";
import { createTestDb, type TestDb } from "@/tests/support/test-db";
import { runAs, seedRoleUsers, type RolePrincipals } from "@/tests/support/auth";
import { startWebhookReceiver, type WebhookReceiver } from "@/tests/support/notify-receivers";

let t: TestDb;
let users: RolePrincipals;
let rec: WebhookReceiver;
let channelId = "";
let failedId = "";

beforeAll(async () => {
  t = await createTestDb();
  (globalThis as unknown as { __havenDb?: unknown }).__havenDb = t.db;
  users = await seedRoleUsers(t.db, "notify");
  rec = await startWebhookReceiver();
  const ch = await t.db.notificationChannel.create({ data: { name: "seeded", type: "chat", config: JSON.stringify({ url: rec.url }) } });
  channelId = ch.id;
  const n = await t.db.notification.create({
    data: { channelId, alertId: "a1", event: "raised", dedupeKey: "a1|x|raised", payload: "{}", status: "failed", lastError: "HTTP 500", nextAttemptAt: new Date(), createdAt: new Date() },
  });
  failedId = n.id;
});
afterAll(async () => {
  delete (globalThis as unknown as { __havenDb?: unknown }).__havenDb;
  await rec?.close();
  await t?.cleanup();
});

const who = (w: Role | "anonymous"): Principal | null => (w === "anonymous" ? null : users[w]);
const calls = (): (() => Promise<ActionResult<unknown>>)[] => [
  () => actions.saveChannelAction(null, { name: "new", type: "chat", url: rec.url }),
  () => actions.saveChannelAction(null, { id: channelId, name: "renamed", type: "chat", url: rec.url }),
  () => actions.deleteChannelAction(null, { id: channelId }),
  () => actions.testChannelAction(null, { id: channelId }),
  () => actions.rotateSecretAction(null, { id: channelId }),
  () => actions.retryDeliveryAction(null, { id: failedId }),
];

describe("notification actions", () => {
  for (const role of ["anonymous", "viewer", "operator"] as const) {
    it(`refuse ${role}, storing nothing`, async () => {
      for (const call of calls()) {
        const r = await runAs(who(role), call);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.formError).toMatch(/^(Sign in first|Only an admin or above may do this)/);
      }
      expect(await t.db.notificationChannel.findMany({ select: { name: true } })).toEqual([{ name: "seeded" }]);
      expect(rec.requests).toHaveLength(0);
      expect((await t.db.notification.findUniqueOrThrow({ where: { id: failedId } })).status).toBe("failed");
    });
  }

  it("answer an admin's bad input with the fields named", async () => {
    const r = await runAs(users.admin, () => actions.saveChannelAction(null, { name: "", type: "email", smtpPort: "99999" }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.fieldErrors ?? {})).toEqual(expect.arrayContaining(["name", "smtpPort", "smtpHost", "from", "to"]));
    const dup = await runAs(users.admin, () => actions.saveChannelAction(null, { name: "seeded", type: "chat", url: rec.url }));
    expect(dup).toMatchObject({ ok: false, fieldErrors: { name: ["This name is already taken"] } });
    const unknown = await runAs(users.admin, () => actions.testChannelAction(null, { id: "nope" }));
    expect(unknown).toMatchObject({ ok: false, formError: expect.stringContaining("does not exist") });
  });

  it("let an admin create, test, retry and delete, each audited", async () => {
    const made = await runAs(users.admin, () => actions.saveChannelAction(null, { name: "hook", type: "webhook", url: rec.url, severities: ["critical", "warning"] }));
    expect(made.ok).toBe(true);
    if (!made.ok) return;
    expect(made.data.secret).toMatch(/^whsec_/);
    const test = await runAs(users.admin, () => actions.testChannelAction(null, { id: made.data.id }));
    expect(test).toMatchObject({ ok: true, data: { ok: true } });
    expect(rec.requests.at(-1)?.headers["webhook-signature"]).toMatch(/^v1,/);
    expect(await runAs(users.admin, () => actions.retryDeliveryAction(null, { id: failedId }))).toMatchObject({ ok: true });
    expect(await runAs(users.admin, () => actions.deleteChannelAction(null, { id: made.data.id }))).toMatchObject({ ok: true });
    const audit = await t.db.auditLog.findMany({ where: { actor: users.admin.email }, orderBy: { at: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["create-notification-channel", "test-notification-channel", "retry-notification", "delete-notification-channel"]);
    expect(JSON.stringify(audit)).not.toContain(made.data.secret!);
  });
});
