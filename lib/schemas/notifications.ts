// Notification channels as an admin edits them (issue 14): a signed JSON webhook, a chat incoming
// webhook (Slack, Mattermost, Teams) or e-mail over SMTP, with the route that says which alerts go
// to it. Client-safe: the form, the action and the service check the same schema.
import { z } from "zod";
import { flag } from "./ha-settings";

export const CHANNEL_TYPES = ["webhook", "chat", "email"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];
export const CHANNEL_TYPE_LABEL: Record<ChannelType, string> = {
  webhook: "Webhook (signed JSON, Standard Webhooks)",
  chat: "Chat incoming webhook (Slack, Mattermost, Teams)",
  email: "E-mail (SMTP)",
};

export const SEVERITIES = ["critical", "warning", "info"] as const;
export const SMTP_SECURITY = ["starttls", "tls", "none"] as const;

/**
 * The alert kinds a route can name. Kept equal to lib/server/ha/alerts.ts ALERT_KINDS (a test
 * compares them): this module must stay importable by the browser, that one may not.
 */
export const NOTIFY_ALERT_KINDS = [
  "HOST_UNREACHABLE",
  "HOST_FAILED",
  "HA_REBUILD_SUCCEEDED",
  "HA_REBUILD_FAILED",
  "LOCAL_REBUILD_FAILED",
  "NETWORK_FAULT_HA",
  "HA_CAPACITY_INSUFFICIENT",
  "NIC_BOND_DEGRADED",
  "STORAGE_PATH_REDIRECTED",
  "VM_HA_INELIGIBLE",
  "VM_STATE_UNKNOWN",
  "DEVICE_FAILED",
] as const;

/** A list from a form: repeated fields (checkboxes), or one text of comma/newline-separated items. */
function list<T extends z.ZodType>(item: T, max: number, what: string) {
  return z.preprocess(
    (v) => {
      if (v === undefined || v === null) return [];
      const arr = Array.isArray(v) ? v : [v];
      return [...new Set(arr.flatMap((x) => (typeof x === "string" ? x.split(/[,\n]/) : [x])).map((x) => (typeof x === "string" ? x.trim() : x)).filter((x) => x !== ""))];
    },
    z.array(item).max(max, `At most ${max} ${what}`),
  );
}

const httpUrl = z
  .string({ error: "Enter the URL" })
  .trim()
  .max(2000, "At most 2,000 characters")
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === "http:" || u.protocol === "https:") && !!u.hostname;
    } catch {
      return false;
    }
  }, "An http:// or https:// URL");

const email = z.string().trim().max(320).regex(/^[^\s@<>,]+@[^\s@<>,]+$/, "Not an e-mail address");

/** A whole number of minutes from a form field; blank is "never". */
const reminderMinutes = z.preprocess(
  (v) => (typeof v === "string" ? (v.trim() === "" ? null : Number(v.trim())) : v),
  z.number({ error: "The reminder interval must be a number of minutes" }).int("A whole number of minutes").min(1, "At least 1 minute").max(10_080, "At most 7 days (10,080 minutes)").nullable(),
);

export const ZChannelInput = z
  .object({
    /** Present when editing. */
    id: z.string().trim().min(1).max(64).optional(),
    name: z.string({ error: "Enter a name" }).trim().min(1, "Enter a name").max(80, "At most 80 characters"),
    type: z.enum(CHANNEL_TYPES, { error: "Choose webhook, chat or e-mail" }),
    enabled: flag.default(true),
    /** webhook and chat */
    url: httpUrl.optional(),
    /** email */
    smtpHost: z.string().trim().max(253, "At most 253 characters").regex(/^[A-Za-z0-9.:[\]-]+$/, "A host name or address").optional(),
    smtpPort: z.preprocess((v) => (typeof v === "string" ? (v.trim() === "" ? undefined : Number(v)) : v), z.number({ error: "The port must be a number" }).int("A whole number").min(1, "1–65535").max(65_535, "1–65535").optional()),
    smtpSecurity: z.enum(SMTP_SECURITY, { error: "Choose STARTTLS, TLS or none" }).default("starttls"),
    smtpUser: z.string().trim().max(320, "At most 320 characters").optional(),
    /** Blank when editing: keep the stored password. */
    smtpPassword: z.string().max(1000, "At most 1,000 characters").optional(),
    from: email.optional(),
    to: list(email, 20, "recipients"),
    // the route
    kinds: list(z.enum(NOTIFY_ALERT_KINDS, { error: "Unknown alert kind" }), NOTIFY_ALERT_KINDS.length, "kinds"),
    severities: list(z.enum(SEVERITIES, { error: "Severity is critical, warning or info" }), 3, "severities"),
    tags: list(z.string().max(200, "A tag is at most 200 characters"), 50, "tags"),
    hosts: list(z.string().max(253, "A host name is at most 253 characters"), 200, "hosts"),
    sendResolved: flag.default(true),
    reminderMinutes: reminderMinutes.default(null),
  })
  .superRefine((c, ctx) => {
    const need = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (c.type === "webhook" || c.type === "chat") {
      if (!c.url) need("url", "Enter the URL the channel posts to");
    } else {
      if (!c.smtpHost) need("smtpHost", "Enter the SMTP server");
      if (!c.from) need("from", "Enter the sender address");
      if (c.to.length === 0) need("to", "Enter at least one recipient");
      if (c.smtpPassword && !c.smtpUser) need("smtpUser", "A password needs a user name");
    }
  });
export type TChannelInput = z.output<typeof ZChannelInput>;

/** One channel as the page shows it: no secret, the target only as far as it is not one. */
export interface ChannelView {
  id: string;
  name: string;
  type: ChannelType;
  enabled: boolean;
  /** "https://hooks.example.com/…" (a webhook path may carry a secret: only scheme and host), or "ops@example.com, …". */
  target: string;
  url: string | null;
  smtp: { host: string; port: number; security: (typeof SMTP_SECURITY)[number]; user: string | null; hasPassword: boolean; from: string; to: string[] } | null;
  route: { kinds: string[]; severities: string[]; tags: string[]; hosts: string[] };
  sendResolved: boolean;
  reminderMinutes: number | null;
  deliveries: { pending: number; sent: number; failed: number };
  lastError: { at: string; message: string; event: string } | null;
}

export interface DeliveryView {
  id: string;
  channelId: string;
  channelName: string;
  event: string;
  alertKind: string | null;
  alertEntity: string | null;
  status: "pending" | "sending" | "sent" | "failed";
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  sentAt: string | null;
  createdAt: string;
}
