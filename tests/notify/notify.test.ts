// Alert notifications (issue 14) against real counterparts on this machine: an HTTP receiver that
// verifies the Standard Webhooks signature with `standardwebhooks`, an SMTP server (`smtp-server`).
// The outbox row is written in the alert's transaction; the sender claims, delivers, retries with
// backoff, never sends a sent row again, and a row whose sender died is sent with the same id.
import { afterEach, describe, expect, it } from "vitest";
import { AlertBook, ALERT_KINDS, resolveAlert } from "@/lib/server/ha/alerts";
import { importCluster } from "@/lib/server/cluster-import";
import { createChannel, listChannels, retryDelivery, rotateWebhookSecret, testChannel, updateChannel } from "@/lib/server/notify/channels";
import { NotificationSender, backoffDelay } from "@/lib/server/notify/sender";
import { NOTIFY_ALERT_KINDS } from "@/lib/schemas/notifications";
import { runAs } from "@/lib/server/auth/principal";
import { createTestDb, type TestDb } from "../support/test-db";
import { startMailReceiver, startWebhookReceiver, type MailReceiver, type WebhookReceiver } from "../support/notify-receivers";

let t: TestDb | null = null;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c().catch(() => undefined);
  await t?.cleanup();
  t = null;
});

async function receiver(): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver();
  closers.push(() => r.close());
  return r;
}
async function mailbox(auth?: { user: string; pass: string }): Promise<MailReceiver> {
  const m = await startMailReceiver({ auth });
  closers.push(() => m.close());
  return m;
}

const hostEntity = (id: string, name: string) => ({ type: "host" as const, id, name });
const silent = () => undefined;

function sender(db: TestDb["db"], clock: { now: number }, extra: Partial<ConstructorParameters<typeof NotificationSender>[0]> = {}) {
  return new NotificationSender({ db, now: () => clock.now, log: silent, reminderScanMs: 0, ...extra });
}

describe("routes and the outbox", () => {
  it("keeps the form's alert kinds equal to the controller's", () => {
    expect([...NOTIFY_ALERT_KINDS].sort()).toEqual([...ALERT_KINDS].sort());
  });

  it("writes one row per matching channel in the alert's transaction, nothing when it rolls back, once per episode", async () => {
    t = await createTestDb();
    const db = t.db;
    const ctx = { db };
    const all = await createChannel({ name: "all", type: "webhook", url: "http://127.0.0.1:9/hook" }, ctx);
    const crit = await createChannel({ name: "critical", type: "chat", url: "http://127.0.0.1:9/chat", severities: ["critical"] }, ctx);
    const kinds = await createChannel({ name: "unreachable", type: "chat", url: "http://127.0.0.1:9/x", kinds: "HOST_UNREACHABLE" }, ctx);
    await createChannel({ name: "off", type: "chat", url: "http://127.0.0.1:9/off", enabled: "false" }, ctx);
    const book = new AlertBook();

    // A transaction that fails after the alert: neither the alert nor its notifications exist.
    await expect(
      db.$transaction(async (tx) => {
        await book.raise(tx, { kind: "HOST_FAILED", entity: hostEntity("h1", "kvm-1"), message: "kvm-1 failed", at: new Date(1000) });
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await db.alert.count()).toBe(0);
    expect(await db.notification.count()).toBe(0);

    const fresh = new AlertBook();
    await db.$transaction((tx) => fresh.raise(tx, { kind: "HOST_FAILED", entity: hostEntity("h1", "kvm-1"), message: "kvm-1 failed", at: new Date(1000) }));
    const rows = await db.notification.findMany({ orderBy: { channelId: "asc" } });
    expect(new Set(rows.map((r) => r.channelId))).toEqual(new Set([all.id, crit.id]));
    expect(rows.every((r) => r.event === "raised" && r.status === "pending")).toBe(true);

    // A repeat of the open alert is the same episode: no new row.
    await db.$transaction((tx) => fresh.raise(tx, { kind: "HOST_FAILED", entity: hostEntity("h1", "kvm-1"), message: "kvm-1 failed again", at: new Date(2000), repeat: true }));
    expect(await db.notification.count()).toBe(2);

    // A warning goes to "all" and to the kind route only.
    await db.$transaction((tx) => fresh.raise(tx, { kind: "HOST_UNREACHABLE", entity: hostEntity("h2", "kvm-2"), message: "kvm-2 silent", at: new Date(3000) }));
    const warn = await db.notification.findMany({ where: { payload: { contains: "HOST_UNREACHABLE" } } });
    expect(new Set(warn.map((r) => r.channelId))).toEqual(new Set([all.id, kinds.id]));

    // Cleared: the channels told of the raise hear of the resolution (in the same transaction).
    await db.$transaction((tx) => fresh.clear(tx, "HOST_FAILED", hostEntity("h1", "kvm-1"), new Date(4000)));
    const resolved = await db.notification.findMany({ where: { event: "resolved" } });
    expect(new Set(resolved.map((r) => r.channelId))).toEqual(new Set([all.id, crit.id]));
    // A new episode of the same kind and entity is notified again.
    await db.$transaction((tx) => fresh.raise(tx, { kind: "HOST_FAILED", entity: hostEntity("h1", "kvm-1"), message: "kvm-1 failed", at: new Date(5000) }));
    expect(await db.notification.count({ where: { event: "raised", payload: { contains: "HOST_FAILED" } } })).toBe(4);
    // Resolved by a person: resolutions too.
    const open = await db.alert.findFirstOrThrow({ where: { kind: "HOST_FAILED", status: "open" } });
    await resolveAlert(db, open.id, "ops@example.com", new Date(6000));
    expect(await db.notification.count({ where: { event: "resolved", alertId: open.id } })).toBe(2);
  });

  it("routes on hosts and device tags", async () => {
    t = await createTestDb();
    const db = t.db;
    const { hostIds } = await importCluster(
      db,
      {
        hosts: [
          { name: "g1", cpus: 16, memoryGiB: 64, gpus: [{ model: "NVIDIA L4" }] },
          { name: "p1", cpus: 16, memoryGiB: 64 },
        ],
      },
      { now: new Date(0) },
    );
    const byHost = await createChannel({ name: "p1 only", type: "chat", url: "http://127.0.0.1:9/a", hosts: "p1" }, { db });
    const byTag = await createChannel({ name: "L4 hosts", type: "chat", url: "http://127.0.0.1:9/b", tags: "NVIDIA L4, other-tag" }, { db });
    const book = new AlertBook();
    await db.$transaction((tx) => book.raise(tx, { kind: "HOST_FAILED", entity: hostEntity(hostIds.g1, "g1"), message: "g1 failed", at: new Date(1000) }));
    await db.$transaction((tx) => book.raise(tx, { kind: "HOST_FAILED", entity: hostEntity(hostIds.p1, "p1"), message: "p1 failed", at: new Date(1000) }));
    const rows = await db.notification.findMany();
    const to = (ch: string) => rows.filter((r) => r.channelId === ch).map((r) => JSON.parse(r.payload).alert.entity.name);
    expect(to(byHost.id)).toEqual(["p1"]);
    expect(to(byTag.id)).toEqual(["g1"]);
  });

  it("refuses bad channel input with the field named, and a viewer or operator altogether", async () => {
    t = await createTestDb();
    const db = t.db;
    await expect(createChannel({ name: "x", type: "webhook", url: "ftp://nope" }, { db })).rejects.toMatchObject({ code: "VALIDATION", fieldErrors: { url: [expect.stringContaining("http")] } });
    await expect(createChannel({ name: "x", type: "email", smtpHost: "mail.example.com", to: "not-an-address" }, { db })).rejects.toMatchObject({
      code: "VALIDATION",
      fieldErrors: { "to.0": [expect.any(String)], from: [expect.any(String)] },
    });
    await expect(createChannel({ name: "x", type: "chat", url: "http://a.example/", kinds: ["NOPE"] }, { db })).rejects.toMatchObject({ fieldErrors: { "kinds.0": [expect.any(String)] } });
    await expect(createChannel({ name: "x", type: "chat", url: "http://a.example/", reminderMinutes: "0" }, { db })).rejects.toMatchObject({ fieldErrors: { reminderMinutes: [expect.any(String)] } });
    for (const role of ["viewer", "operator"] as const) {
      const principal = { id: `u-${role}`, email: `${role}@example.com`, name: role, role };
      await expect(createChannel({ name: "y", type: "chat", url: "http://a.example/" }, { db, principal })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(runAs(principal, () => testChannel({ id: "x" }, { db, principal }))).rejects.toMatchObject({ code: "FORBIDDEN" });
      expect(await listChannels({ db, principal })).toEqual([]);
    }
    await expect(createChannel({ name: "y", type: "chat", url: "http://a.example/" }, { db, principal: null })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await db.notificationChannel.count()).toBe(0);
  });
});

describe("delivery to real counterparts", () => {
  it("signs webhooks (verified with standardwebhooks), retries with exponential backoff, shows the last error, never resends a sent row", async () => {
    t = await createTestDb();
    const db = t.db;
    const r = await receiver();
    const ch = await createChannel({ name: "hook", type: "webhook", url: r.url }, { db });
    r.secret = ch.secret!;
    expect(ch.secret).toMatch(/^whsec_/);
    let fail = 2;
    r.respond = () => (fail-- > 0 ? 503 : 204);
    const book = new AlertBook();
    await db.$transaction((tx) => book.raise(tx, { kind: "HOST_FAILED", entity: hostEntity("h1", "kvm-1"), message: "kvm-1 failed", at: new Date() }));
    const clock = { now: Date.now() };
    const s = sender(db, clock, { backoffMs: 5000 });

    expect(await s.runOnce()).toBe(0);
    let row = await db.notification.findFirstOrThrow();
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row.lastError).toContain("HTTP 503");
    expect(row.nextAttemptAt.getTime() - clock.now).toBeGreaterThanOrEqual(5000);
    const views = await listChannels({ db });
    expect(views[0].lastError?.message).toContain("HTTP 503");
    expect(views[0].target).toBe(`http://127.0.0.1:${r.port}/…`);

    // Not due yet: nothing is sent.
    clock.now += 4000;
    expect(await s.runOnce()).toBe(0);
    expect(r.requests.length).toBe(1);
    clock.now += 1500;
    expect(await s.runOnce()).toBe(0);
    row = await db.notification.findFirstOrThrow();
    expect(row.attempts).toBe(2);
    expect(row.nextAttemptAt.getTime() - clock.now).toBeGreaterThanOrEqual(10_000); // doubled
    clock.now += 10_500;
    expect(await s.runOnce()).toBe(1);
    row = await db.notification.findFirstOrThrow();
    expect(row).toMatchObject({ status: "sent", attempts: 3 });

    // Three requests, every one signed and verified, all with the delivery id as webhook-id.
    expect(r.requests.length).toBe(3);
    expect(r.requests.every((q) => q.verified && q.id === row.id)).toBe(true);
    expect(r.accepted.size).toBe(1);
    const body = r.accepted.get(row.id)!.json as { type: string; data: { event: string; alert: { kind: string; entity: { name: string } } } };
    expect(body.type).toBe("alert.raised");
    expect(body.data.alert).toMatchObject({ kind: "HOST_FAILED", entity: { name: "kvm-1" } });

    // Sent is final: later passes send nothing.
    clock.now += 3_600_000;
    expect(await s.runOnce()).toBe(0);
    expect(r.requests.length).toBe(3);

    // A wrong secret fails verification at the receiver (401), which the sender reports.
    const rotated = await rotateWebhookSecret({ id: ch.id }, { db });
    expect(rotated.secret).not.toBe(ch.secret);
    const test = await testChannel({ id: ch.id }, { db });
    expect(test.ok).toBe(false);
    expect(test.error).toContain("HTTP 401");
    r.secret = rotated.secret!;
    const test2 = await testChannel({ id: ch.id }, { db });
    expect(test2).toMatchObject({ ok: true, error: null });
    expect(r.accepted.get(test2.deliveryId)?.verified).toBe(true);
  });

  it("backs off exponentially up to the cap", () => {
    expect([1, 2, 3, 4, 10, 30].map((n) => backoffDelay(n, 5000, 900_000))).toEqual([5000, 10_000, 20_000, 40_000, 900_000, 900_000]);
  });

  it("gives up after the give-up time (failed, with the last error) and an admin can retry it", async () => {
    t = await createTestDb();
    const db = t.db;
    const gone = await startWebhookReceiver();
    await gone.close(); // nothing listens on its port any more
    const ch = await createChannel({ name: "dead", type: "chat", url: gone.url }, { db });
    const book = new AlertBook();
    await db.$transaction((tx) => book.raise(tx, { kind: "HOST_FAILED", entity: hostEntity("h1", "kvm-1"), message: "m", at: new Date() }));
    const clock = { now: Date.now() + 25 * 3600_000 };
    await sender(db, clock).runOnce();
    const row = await db.notification.findFirstOrThrow();
    expect(row.status).toBe("failed");
    expect(row.lastError).toMatch(/ECONNREFUSED/);
    expect((await listChannels({ db }))[0].deliveries).toMatchObject({ failed: 1, pending: 0 });
    await retryDelivery({ id: row.id }, { db });
    expect((await db.notification.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("pending");
    await expect(retryDelivery({ id: row.id }, { db })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(ch.secret).toBeNull();
  });

  it("posts chat messages as {text}", async () => {
    t = await createTestDb();
    const db = t.db;
    const r = await receiver();
    await createChannel({ name: "slack", type: "chat", url: r.url }, { db });
    const book = new AlertBook();
    await db.$transaction((tx) => book.raise(tx, { kind: "HA_REBUILD_FAILED", entity: { type: "vm", id: "v1", name: "render-01" }, message: "no host has a free L4", at: new Date() }));
    expect(await sender(db, { now: Date.now() }).runOnce()).toBe(1);
    expect(r.requests).toHaveLength(1);
    const text = (r.requests[0].json as { text: string }).text;
    expect(text).toContain("[Haven CRITICAL] HA_REBUILD_FAILED render-01 (raised)");
    expect(text).toContain("no host has a free L4");
  });

  it("sends e-mail over SMTP with the delivery id as Message-ID, authenticated", async () => {
    t = await createTestDb();
    const db = t.db;
    const m = await mailbox({ user: "haven", pass: "s3cret-pass" });
    const ch = await createChannel(
      { name: "mail", type: "email", smtpHost: "127.0.0.1", smtpPort: String(m.port), smtpSecurity: "none", smtpUser: "haven", smtpPassword: "s3cret-pass", from: "haven@example.com", to: "oncall@example.com, lead@example.com" },
      { db },
    );
    const book = new AlertBook();
    await db.$transaction((tx) => book.raise(tx, { kind: "HOST_FAILED", entity: hostEntity("h1", "kvm-a01"), message: "kvm-a01 failed: 3 VMs rebuilt", at: new Date() }));
    expect(await sender(db, { now: Date.now() }).runOnce()).toBe(1);
    const row = await db.notification.findFirstOrThrow({ where: { event: "raised" } });
    expect(m.mails).toHaveLength(1);
    expect(m.mails[0]).toMatchObject({ from: "haven@example.com", to: ["oncall@example.com", "lead@example.com"], user: "haven", messageId: `<${row.id}@haven.notify>` });
    expect(m.mails[0].subject).toBe("[Haven CRITICAL] HOST_FAILED kvm-a01 (raised)");
    expect(m.mails[0].raw).toContain("kvm-a01 failed: 3 VMs rebuilt");

    // Editing without a password keeps the stored one; the page never gets it back.
    await updateChannel({ id: ch.id, name: "mail", type: "email", smtpHost: "127.0.0.1", smtpPort: String(m.port), smtpSecurity: "none", smtpUser: "haven", from: "haven@example.com", to: "oncall@example.com" }, { db });
    const view = (await listChannels({ db }))[0];
    expect(view.smtp).toMatchObject({ hasPassword: true, to: ["oncall@example.com"] });
    expect(JSON.stringify(view)).not.toContain("s3cret-pass");
    expect(await testChannel({ id: ch.id }, { db })).toMatchObject({ ok: true });
    expect(m.mails).toHaveLength(2);
    // A wrong password: the SMTP server's refusal is the error shown.
    await updateChannel({ id: ch.id, name: "mail", type: "email", smtpHost: "127.0.0.1", smtpPort: String(m.port), smtpSecurity: "none", smtpUser: "haven", smtpPassword: "wrong", from: "haven@example.com", to: "oncall@example.com" }, { db });
    const bad = await testChannel({ id: ch.id }, { db });
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/SMTP 127\.0\.0\.1:\d+: .*(Invalid username or password|EAUTH)/);
    expect(JSON.stringify(await db.auditLog.findMany())).not.toContain("s3cret-pass");
  });
});

describe("exactly once", () => {
  it("two senders never deliver the same row twice", async () => {
    t = await createTestDb();
    const db = t.db;
    const r = await receiver();
    await createChannel({ name: "chat", type: "chat", url: r.url }, { db });
    const book = new AlertBook();
    for (let i = 0; i < 6; i++) await db.$transaction((tx) => book.raise(tx, { kind: "HOST_FAILED", entity: hostEntity(`h${i}`, `kvm-${i}`), message: "m", at: new Date() }));
    const clock = { now: Date.now() };
    const [a, b] = [sender(db, clock), sender(db, clock)];
    const [na, nb] = await Promise.all([a.runOnce(), b.runOnce()]);
    expect(na + nb).toBe(6);
    expect(r.requests).toHaveLength(6);
    expect(new Set(r.requests.map((q) => q.id)).size).toBe(6);
  });

  it("a row held by a live sender is left alone; one whose sender died is sent again with the same id once its lease expired", async () => {
    t = await createTestDb();
    const db = t.db;
    const r = await receiver();
    const ch = await createChannel({ name: "hook", type: "webhook", url: r.url }, { db });
    r.secret = ch.secret!;
    const book = new AlertBook();
    await db.$transaction((tx) => book.raise(tx, { kind: "HOST_FAILED", entity: hostEntity("h1", "kvm-1"), message: "m", at: new Date() }));
    const row = await db.notification.findFirstOrThrow();
    const clock = { now: Date.now() };
    // Another sender claimed it (and may be delivering it right now).
    await db.notification.update({ where: { id: row.id }, data: { status: "sending", claimedBy: "other:1:dead", claimedUntil: new Date(clock.now + 60_000), attempts: 1 } });
    const s = sender(db, clock);
    expect(await s.runOnce()).toBe(0);
    expect(r.requests).toHaveLength(0);
    // Its lease ran out: it died in doubt. The row is sent again, with the same webhook-id.
    clock.now += 61_000;
    expect(await s.runOnce()).toBe(1);
    expect(r.requests.map((q) => q.id)).toEqual([row.id]);
    expect(r.requests[0].verified).toBe(true);
    expect(await db.notification.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: "sent", attempts: 2, claimedBy: null });
  });

  it("reminds of open critical alerts at the channel's interval, not once acknowledged", async () => {
    t = await createTestDb();
    const db = t.db;
    const r = await receiver();
    await createChannel({ name: "chat", type: "chat", url: r.url, reminderMinutes: "10" }, { db });
    await createChannel({ name: "no reminders", type: "chat", url: r.url }, { db });
    const book = new AlertBook();
    const t0 = Date.now();
    await db.$transaction((tx) => book.raise(tx, { kind: "HOST_FAILED", entity: hostEntity("h1", "kvm-1"), message: "m", at: new Date(t0) }));
    await db.$transaction((tx) => book.raise(tx, { kind: "HOST_UNREACHABLE", entity: hostEntity("h2", "kvm-2"), message: "w", at: new Date(t0) }));
    const clock = { now: t0 };
    const s = sender(db, clock);
    expect(await s.runOnce()).toBe(4);
    clock.now += 9 * 60_000;
    expect(await s.runOnce()).toBe(0);
    clock.now += 61_000;
    expect(await s.runOnce()).toBe(1);
    const texts = () => r.requests.map((q) => (q.json as { text: string }).text);
    expect(texts().filter((x) => x.includes("still open #1"))).toHaveLength(1);
    expect(texts().filter((x) => x.includes("still open")).every((x) => x.includes("HOST_FAILED"))).toBe(true);
    clock.now += 10 * 60_000 + 1000;
    expect(await s.runOnce()).toBe(1);
    expect(texts().filter((x) => x.includes("still open #2"))).toHaveLength(1);
    const alert = await db.alert.findFirstOrThrow({ where: { kind: "HOST_FAILED" } });
    await db.alert.update({ where: { id: alert.id }, data: { status: "acknowledged" } });
    clock.now += 60 * 60_000;
    expect(await s.runOnce()).toBe(0);
    expect(r.requests).toHaveLength(6);
  });
});
