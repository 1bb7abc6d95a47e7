import "server-only";
// One delivery of one notification to one channel: a signed webhook (Standard Webhooks: the
// `webhook-id`, `webhook-timestamp`, `webhook-signature` headers), a chat incoming webhook
// (`{"text": …}`, which Slack, Mattermost and Teams accept), or an e-mail over SMTP (nodemailer).
// The delivery id (the outbox row's id) is the webhook-id and the e-mail's Message-ID: a
// receiver that sees the same id twice (a retry after a crash in doubt) drops the second.
import nodemailer from "nodemailer";
import { Webhook } from "standardwebhooks";
import { SMTP_SECURITY } from "@/lib/schemas/notifications";
import type { NotificationPayload } from "./outbox";

export const DELIVERY_TIMEOUT_MS = 10_000;

export interface WebhookConfig {
  url: string;
  /** "whsec_<base64>" */
  secret: string;
}
export interface ChatConfig {
  url: string;
}
export interface EmailConfig {
  host: string;
  port: number;
  security: (typeof SMTP_SECURITY)[number];
  user: string | null;
  password: string | null;
  from: string;
  to: string[];
}
export type ChannelConfig = { type: "webhook"; config: WebhookConfig } | { type: "chat"; config: ChatConfig } | { type: "email"; config: EmailConfig };

export class DeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeliveryError";
  }
}

export function parseChannelConfig(type: string, json: string): ChannelConfig {
  const config = JSON.parse(json);
  if (type === "webhook" || type === "chat" || type === "email") return { type, config } as ChannelConfig;
  throw new DeliveryError(`Unknown channel type ${type}`);
}

const EVENT_WORD: Record<NotificationPayload["event"], string> = { raised: "raised", reminder: "still open", resolved: "resolved", test: "test" };

/** "[CRITICAL] HOST_FAILED kvm-a01 (raised)" */
export function subjectOf(p: NotificationPayload): string {
  if (p.event === "test") return "[Haven] Test notification";
  const a = p.alert;
  const rem = p.event === "reminder" ? ` #${p.reminder}` : "";
  return `[Haven ${a.severity.toUpperCase()}] ${a.kind} ${a.entity.name} (${EVENT_WORD[p.event]}${rem})`;
}

function consoleLink(p: NotificationPayload): string | null {
  const base = process.env.HAVEN_PUBLIC_URL?.replace(/\/+$/, "");
  if (!base || p.event === "test") return null;
  return `${base}/alerts?q=${encodeURIComponent(p.alert.entity.name)}`;
}

export function textOf(p: NotificationPayload): string {
  if (p.event === "test") return "Test notification from Haven: this channel is configured and reachable.";
  const a = p.alert;
  const lines = [subjectOf(p), a.message, `${a.entity.type} ${a.entity.name} · raised ${a.raisedAt}${a.count > 1 ? ` · seen ${a.count} times` : ""}${a.resolvedAt ? ` · resolved ${a.resolvedAt} by ${a.resolvedBy}` : ""}`];
  const link = consoleLink(p);
  if (link) lines.push(link);
  return lines.join("\n");
}

/** The webhook body: Standard Webhooks' `{type, timestamp, data}`. */
export function webhookBody(p: NotificationPayload, at: Date): string {
  return JSON.stringify({ type: `alert.${p.event}`, timestamp: at.toISOString(), data: { ...p, ...(consoleLink(p) ? { link: consoleLink(p) } : {}) } });
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", "user-agent": "haven-notify/1", ...headers }, signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS), redirect: "manual" });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why = err.name === "TimeoutError" ? `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s` : (err.cause?.code ?? err.cause?.message ?? err.message);
    throw new DeliveryError(`POST ${new URL(url).origin} failed: ${why}`);
  }
  if (res.status >= 200 && res.status < 300) {
    await res.body?.cancel().catch(() => undefined);
    return;
  }
  const text = (await res.text().catch(() => "")).slice(0, 300);
  throw new DeliveryError(`POST ${new URL(url).origin} answered HTTP ${res.status}${text ? `: ${text}` : ""}`);
}

/** Delivers one notification; throws a DeliveryError saying why it did not arrive. */
export async function deliver(channel: ChannelConfig, deliveryId: string, payload: NotificationPayload, at: Date = new Date()): Promise<void> {
  if (channel.type === "webhook") {
    const body = webhookBody(payload, at);
    const wh = new Webhook(channel.config.secret);
    const signature = wh.sign(deliveryId, at, body);
    await post(channel.config.url, body, { "webhook-id": deliveryId, "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": signature });
    return;
  }
  if (channel.type === "chat") {
    await post(channel.config.url, JSON.stringify({ text: textOf(payload) }), { "idempotency-key": deliveryId });
    return;
  }
  const c = channel.config;
  const transport = nodemailer.createTransport({
    host: c.host,
    port: c.port,
    secure: c.security === "tls",
    requireTLS: c.security === "starttls",
    ignoreTLS: c.security === "none",
    auth: c.user ? { user: c.user, pass: c.password ?? "" } : undefined,
    connectionTimeout: DELIVERY_TIMEOUT_MS,
    greetingTimeout: DELIVERY_TIMEOUT_MS,
    socketTimeout: DELIVERY_TIMEOUT_MS,
  });
  try {
    await transport.sendMail({
      from: c.from,
      to: c.to,
      subject: subjectOf(payload),
      text: textOf(payload),
      messageId: `<${deliveryId}@haven.notify>`,
      headers: { "X-Haven-Event": payload.event, ...(payload.event !== "test" ? { "X-Haven-Alert": payload.alert.id } : {}) },
    });
  } catch (e) {
    const err = e as Error & { code?: string; response?: string };
    throw new DeliveryError(`SMTP ${c.host}:${c.port}: ${err.response ?? err.message}${err.code ? ` (${err.code})` : ""}`);
  } finally {
    transport.close();
  }
}
