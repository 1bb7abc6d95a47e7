import "server-only";
// Notification channels (issue 14): admins create, edit, delete, test them and retry failed
// deliveries; anyone signed in sees them (without secrets) and how their deliveries went.
// Every change is audited (never with a secret).
import { randomBytes } from "node:crypto";
import { ZChannelInput, type ChannelType, type ChannelView, type DeliveryView, type TChannelInput } from "@/lib/schemas/notifications";
import { AppError } from "@/lib/server/errors";
import { authorize } from "@/lib/server/auth/principal";
import { ctxDb, inTransaction, parseInput, toAppError, type ServiceCtx } from "@/lib/server/inventory/common";
import { writeAuditRow } from "@/lib/server/audit";
import { deliver, DeliveryError, parseChannelConfig, type ChannelConfig, type EmailConfig } from "./deliver";
import { routeOf, type NotificationPayload } from "./outbox";

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

function configOf(input: TChannelInput, prev: ChannelConfig | null): ChannelConfig {
  if (input.type === "webhook") return { type: "webhook", config: { url: input.url!, secret: prev?.type === "webhook" ? prev.config.secret : newWebhookSecret() } };
  if (input.type === "chat") return { type: "chat", config: { url: input.url! } };
  const keepPassword = prev?.type === "email" && input.smtpUser === prev.config.user ? prev.config.password : null;
  const security = input.smtpSecurity;
  return {
    type: "email",
    config: {
      host: input.smtpHost!,
      port: input.smtpPort ?? (security === "tls" ? 465 : 587),
      security,
      user: input.smtpUser || null,
      password: input.smtpPassword || (input.smtpUser ? keepPassword : null),
      from: input.from!,
      to: input.to,
    } satisfies EmailConfig,
  };
}

function rowData(input: TChannelInput, cfg: ChannelConfig) {
  return {
    name: input.name,
    type: input.type,
    enabled: input.enabled,
    config: JSON.stringify(cfg.config),
    kinds: JSON.stringify(input.kinds),
    severities: JSON.stringify(input.severities),
    tags: JSON.stringify(input.tags),
    hosts: JSON.stringify(input.hosts),
    sendResolved: input.sendResolved,
    reminderS: input.reminderMinutes === null ? null : input.reminderMinutes * 60,
  };
}

/** What the audit log keeps of a channel: no secret, no password, no webhook path. */
function auditView(r: { name: string; type: string; enabled: boolean; kinds: string; severities: string; tags: string; hosts: string; sendResolved: boolean; reminderS: number | null; config: string }) {
  return { name: r.name, type: r.type, enabled: r.enabled, target: targetOf(r.type as ChannelType, r.config), route: routeOf(r), sendResolved: r.sendResolved, reminderS: r.reminderS };
}

function targetOf(type: ChannelType, json: string): string {
  try {
    const c = parseChannelConfig(type, json);
    if (c.type === "email") return c.config.to.join(", ");
    // An incoming-webhook path is itself a secret (Slack, Teams): show the origin only.
    return `${new URL(c.config.url).origin}/…`;
  } catch {
    return "(unreadable configuration)";
  }
}

export interface SavedChannel {
  id: string;
  name: string;
  /** The webhook signing secret, shown once: on creation (and on rotation). */
  secret: string | null;
}

export async function createChannel(raw: unknown, ctx?: ServiceCtx): Promise<SavedChannel> {
  authorize(ctx, "admin");
  const input = parseInput(ZChannelInput, raw);
  return inTransaction(ctx, async (tx) => {
    const cfg = configOf(input, null);
    const row = await tx.notificationChannel.create({ data: rowData(input, cfg) });
    await writeAuditRow(tx, ctx, "create-notification-channel", `notification-channel:${row.id}`, null, auditView(row));
    return { id: row.id, name: row.name, secret: cfg.type === "webhook" ? cfg.config.secret : null };
  });
}

export async function updateChannel(raw: unknown, ctx?: ServiceCtx): Promise<SavedChannel> {
  authorize(ctx, "admin");
  const input = parseInput(ZChannelInput, raw);
  if (!input.id) throw new AppError("VALIDATION", "Which channel?", { id: ["Missing channel id"] });
  return inTransaction(ctx, async (tx) => {
    const before = await tx.notificationChannel.findUnique({ where: { id: input.id } });
    if (!before) throw new AppError("NOT_FOUND", `Notification channel ${input.id} does not exist`);
    const prev = parseChannelConfig(before.type, before.config);
    const cfg = configOf(input, prev.type === input.type ? prev : null);
    const row = await tx.notificationChannel.update({ where: { id: before.id }, data: rowData(input, cfg) });
    await writeAuditRow(tx, ctx, "update-notification-channel", `notification-channel:${row.id}`, auditView(before), auditView(row));
    const newSecret = cfg.type === "webhook" && (prev.type !== "webhook" || prev.config.secret !== cfg.config.secret) ? cfg.config.secret : null;
    return { id: row.id, name: row.name, secret: newSecret };
  });
}

function idOf(raw: unknown, field = "id"): string {
  const v = raw && typeof raw === "object" ? (raw as Record<string, unknown>)[field] : undefined;
  if (typeof v !== "string" || !v.trim() || v.length > 64) throw new AppError("VALIDATION", "Which one?", { [field]: ["Missing or invalid id"] });
  return v.trim();
}

export async function deleteChannel(raw: unknown, ctx?: ServiceCtx): Promise<{ id: string }> {
  authorize(ctx, "admin");
  const id = idOf(raw);
  return inTransaction(ctx, async (tx) => {
    const before = await tx.notificationChannel.findUnique({ where: { id } });
    if (!before) throw new AppError("NOT_FOUND", `Notification channel ${id} does not exist`);
    await tx.notificationChannel.delete({ where: { id } });
    await writeAuditRow(tx, ctx, "delete-notification-channel", `notification-channel:${id}`, auditView(before), null);
    return { id };
  });
}

/** A new signing secret for a webhook channel (the old one stops verifying at once). Shown once. */
export async function rotateWebhookSecret(raw: unknown, ctx?: ServiceCtx): Promise<SavedChannel> {
  authorize(ctx, "admin");
  const id = idOf(raw);
  return inTransaction(ctx, async (tx) => {
    const row = await tx.notificationChannel.findUnique({ where: { id } });
    if (!row) throw new AppError("NOT_FOUND", `Notification channel ${id} does not exist`);
    if (row.type !== "webhook") throw new AppError("VALIDATION", "Only a webhook channel has a signing secret", { id: ["Not a webhook channel"] });
    const cfg = JSON.parse(row.config);
    const secret = newWebhookSecret();
    await tx.notificationChannel.update({ where: { id }, data: { config: JSON.stringify({ ...cfg, secret }) } });
    await writeAuditRow(tx, ctx, "rotate-notification-secret", `notification-channel:${id}`, null, { name: row.name });
    return { id, name: row.name, secret };
  });
}

export interface TestResult {
  ok: boolean;
  deliveryId: string;
  error: string | null;
}

/**
 * The test button: one test notification sent now, from this process (the admin waits for the
 * answer, at most the delivery timeout), recorded in the outbox as a `test` row (sent or failed;
 * a test is not retried).
 */
export async function testChannel(raw: unknown, ctx?: ServiceCtx): Promise<TestResult> {
  authorize(ctx, "admin");
  const id = idOf(raw);
  const db = ctxDb(ctx);
  const ch = await db.notificationChannel.findUnique({ where: { id } });
  if (!ch) throw new AppError("NOT_FOUND", `Notification channel ${id} does not exist`);
  const now = new Date();
  const payload: NotificationPayload = {
    event: "test",
    reminder: 0,
    alert: {
      id: "test",
      kind: "TEST",
      severity: "info",
      status: "open",
      entity: { type: "cluster", id: "test", name: "haven" },
      hostId: null,
      vmId: null,
      incidentId: null,
      message: "Test notification from Haven",
      count: 1,
      raisedAt: now.toISOString(),
      resolvedAt: null,
      resolvedBy: null,
    },
  };
  const row = await db.notification.create({
    data: {
      channelId: id,
      event: "test",
      dedupeKey: `test|${id}|${randomBytes(8).toString("hex")}`,
      payload: JSON.stringify(payload),
      status: "sending",
      attempts: 1,
      nextAttemptAt: now,
      lastAttemptAt: now,
      claimedBy: "test-button",
      claimedUntil: new Date(now.getTime() + 60_000),
      createdAt: now,
    },
  });
  let error: string | null = null;
  try {
    await deliver(parseChannelConfig(ch.type, ch.config), row.id, payload, now);
  } catch (e) {
    error = e instanceof DeliveryError ? e.message : `unexpected: ${(e as Error)?.message ?? e}`;
  }
  await db.notification.update({
    where: { id: row.id },
    data: error ? { status: "failed", lastError: error, claimedBy: null, claimedUntil: null } : { status: "sent", sentAt: new Date(), claimedBy: null, claimedUntil: null },
  });
  await writeAuditRow(db, ctx, "test-notification-channel", `notification-channel:${id}`, null, { name: ch.name, ok: !error, error });
  return { ok: !error, deliveryId: row.id, error };
}

/** A failed (given-up) delivery goes back to the queue, due now. */
export async function retryDelivery(raw: unknown, ctx?: ServiceCtx): Promise<{ id: string }> {
  authorize(ctx, "admin");
  const id = idOf(raw);
  const db = ctxDb(ctx);
  try {
    const r = await db.notification.updateMany({ where: { id, status: "failed", NOT: { event: "test" } }, data: { status: "pending", nextAttemptAt: new Date(), attempts: 0 } });
    if (r.count === 0) throw new AppError("CONFLICT", "Only a failed alert notification can be retried (a test is sent again with the test button)");
    await writeAuditRow(db, ctx, "retry-notification", `notification:${id}`, null, null);
  } catch (e) {
    throw toAppError(e);
  }
  return { id };
}

// ------------------------------------------------------------------ reads (any signed-in user)

export async function listChannels(ctx?: ServiceCtx): Promise<ChannelView[]> {
  authorize(ctx, "viewer");
  const db = ctxDb(ctx);
  const [rows, counts, errors] = await Promise.all([
    db.notificationChannel.findMany({ orderBy: { name: "asc" } }),
    db.notification.groupBy({ by: ["channelId", "status"], _count: { _all: true } }),
    db.notification.findMany({ where: { lastError: { not: null } }, orderBy: { lastAttemptAt: "desc" }, take: 200, select: { channelId: true, lastError: true, lastAttemptAt: true, event: true } }),
  ]);
  return rows.map((r) => {
    const type = r.type as ChannelType;
    let cfg: ChannelConfig | null = null;
    try {
      cfg = parseChannelConfig(type, r.config);
    } catch {
      cfg = null;
    }
    const c = (s: string) => counts.filter((x) => x.channelId === r.id && (s === "pending" ? x.status === "pending" || x.status === "sending" : x.status === s)).reduce((n, x) => n + x._count._all, 0);
    const err = errors.find((e) => e.channelId === r.id);
    return {
      id: r.id,
      name: r.name,
      type,
      enabled: r.enabled,
      target: targetOf(type, r.config),
      url: cfg && cfg.type !== "email" ? cfg.config.url : null,
      smtp: cfg?.type === "email" ? { host: cfg.config.host, port: cfg.config.port, security: cfg.config.security, user: cfg.config.user, hasPassword: !!cfg.config.password, from: cfg.config.from, to: cfg.config.to } : null,
      route: routeOf(r),
      sendResolved: r.sendResolved,
      reminderMinutes: r.reminderS === null ? null : Math.round(r.reminderS / 60),
      deliveries: { pending: c("pending"), sent: c("sent"), failed: c("failed") },
      lastError: err ? { at: err.lastAttemptAt?.toISOString() ?? "", message: err.lastError!, event: err.event } : null,
    };
  });
}

/** The latest deliveries (all channels), newest first. */
export async function listDeliveries(ctx?: ServiceCtx, take = 30): Promise<DeliveryView[]> {
  authorize(ctx, "viewer");
  const db = ctxDb(ctx);
  const rows = await db.notification.findMany({ orderBy: { createdAt: "desc" }, take, include: { channel: { select: { name: true } } } });
  return rows.map((r) => {
    let kind: string | null = null;
    let entity: string | null = null;
    try {
      const p = JSON.parse(r.payload) as NotificationPayload;
      kind = p.alert.kind;
      entity = p.alert.entity.name;
    } catch {
      /* unreadable payload: shown without it */
    }
    return {
      id: r.id,
      channelId: r.channelId,
      channelName: r.channel.name,
      event: r.event,
      alertKind: kind,
      alertEntity: entity,
      status: r.status as DeliveryView["status"],
      attempts: r.attempts,
      nextAttemptAt: r.status === "pending" ? r.nextAttemptAt.toISOString() : null,
      lastError: r.lastError,
      lastAttemptAt: r.lastAttemptAt?.toISOString() ?? null,
      sentAt: r.sentAt?.toISOString() ?? null,
      createdAt: r.createdAt.toISOString(),
    };
  });
}
