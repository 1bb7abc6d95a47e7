import "server-only";
// The notification sender: delivers the outbox (./outbox.ts) with retries and exponential
// backoff. It runs in the HA controller's process on its own timer (lib/server/control/main.ts)
// and never inside a controller step: a slow SMTP server or webhook delays notifications, never
// failure detection.
//
// Exactly one sender holds a row at a time: a row is CLAIMED in the store (a conditional update:
// pending and due, or `sending` with an expired lease → `sending`, claimedBy = this sender,
// claimedUntil = now + lease) before it is sent, and only the holder may mark it sent or schedule
// its retry. A sender that dies holding a row leaves it `sending`; once the lease has expired
// another sender (or the restarted one) takes it. A row marked sent is never sent again. What no
// store can know is whether a delivery that was under way when the process died arrived: such a
// row is sent again with the SAME delivery id (webhook-id / Message-ID), so the receiver can drop
// the repeat. Nothing of this rests on process memory: the store is the truth.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import { deliver, parseChannelConfig, DeliveryError } from "./deliver";
import { enqueueReminders, type NotificationPayload } from "./outbox";

export interface SenderOptions {
  db: PrismaClient;
  now?: () => number;
  /** How often the outbox is polled (ms). Default 1000. */
  pollMs?: number;
  /** How long a claim holds (ms): longer than a delivery can take. Default 60 s. */
  leaseMs?: number;
  /** First retry delay; doubles per attempt up to maxBackoffMs. Defaults 5 s and 15 min. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A row still undelivered this long after it was written is `failed` (visible on the page; an admin can retry it). Default 24 h. */
  giveUpAfterMs?: number;
  /** Reminders of open critical alerts are looked for this often. Default 15 s. */
  reminderScanMs?: number;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
  onResult?: (r: { channelType: string; event: string; ok: boolean }) => void;
}

export function backoffDelay(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

export class NotificationSender {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private stopped = false;
  private lastReminderScan = 0;
  private readonly o: Required<Omit<SenderOptions, "onResult">> & Pick<SenderOptions, "onResult">;

  constructor(opts: SenderOptions) {
    this.o = {
      now: () => Date.now(),
      pollMs: 1000,
      leaseMs: 60_000,
      backoffMs: 5_000,
      maxBackoffMs: 15 * 60_000,
      giveUpAfterMs: 24 * 3600_000,
      reminderScanMs: 15_000,
      log: (m, extra) => process.stderr.write(`haven-notify: ${m}${extra ? ` ${JSON.stringify(extra)}` : ""}\n`),
      ...opts,
    };
  }

  start(): void {
    if (this.timer || this.stopped) return;
    const tick = () => {
      this.timer = setTimeout(async () => {
        try {
          await this.runOnce();
        } catch (e) {
          this.o.log(`the outbox pass failed: ${(e as Error)?.stack ?? e}`);
        }
        if (!this.stopped) tick();
      }, this.o.pollMs);
      this.timer.unref?.();
    };
    tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One pass: write due reminders, then claim and deliver what is due. Returns the rows delivered. */
  async runOnce(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const db = this.o.db;
      const now = this.o.now();
      if (now - this.lastReminderScan >= this.o.reminderScanMs) {
        this.lastReminderScan = now;
        await enqueueReminders(db, new Date(now));
      }
      const due = await db.notification.findMany({
        where: {
          channel: { enabled: true },
          OR: [
            { status: "pending", nextAttemptAt: { lte: new Date(now) } },
            { status: "sending", claimedUntil: { lt: new Date(now) } },
          ],
        },
        orderBy: { createdAt: "asc" },
        take: 25,
        select: { id: true },
      });
      let sent = 0;
      for (const { id } of due) {
        if (this.stopped) break;
        if (await this.sendOne(id)) sent++;
      }
      return sent;
    } finally {
      this.running = false;
    }
  }

  /** Claims one row and delivers it; true when it was delivered. */
  async sendOne(id: string): Promise<boolean> {
    const db = this.o.db;
    const now = this.o.now();
    const claimed = await db.notification.updateMany({
      where: {
        id,
        OR: [
          { status: "pending", nextAttemptAt: { lte: new Date(now) } },
          { status: "sending", claimedUntil: { lt: new Date(now) } },
        ],
      },
      data: { status: "sending", claimedBy: this.owner, claimedUntil: new Date(now + this.o.leaseMs), attempts: { increment: 1 }, lastAttemptAt: new Date(now) },
    });
    if (claimed.count === 0) return false; // another sender has it, or it was delivered meanwhile
    const row = await db.notification.findUnique({ where: { id }, include: { channel: true } });
    if (!row || row.claimedBy !== this.owner) return false;
    const payload = JSON.parse(row.payload) as NotificationPayload;
    try {
      await deliver(parseChannelConfig(row.channel.type, row.channel.config), row.id, payload, new Date(now));
    } catch (e) {
      const message = e instanceof DeliveryError ? e.message : `unexpected: ${(e as Error)?.message ?? e}`;
      const later = this.o.now();
      const giveUp = later - row.createdAt.getTime() >= this.o.giveUpAfterMs;
      await db.notification.updateMany({
        where: { id, claimedBy: this.owner, status: "sending" },
        data: {
          status: giveUp ? "failed" : "pending",
          lastError: message.slice(0, 1000),
          nextAttemptAt: new Date(later + backoffDelay(row.attempts, this.o.backoffMs, this.o.maxBackoffMs)),
          claimedBy: null,
          claimedUntil: null,
        },
      });
      this.o.log(`${row.event} notification for channel "${row.channel.name}" not delivered (attempt ${row.attempts}${giveUp ? ", giving up" : ""}): ${message}`);
      this.o.onResult?.({ channelType: row.channel.type, event: row.event, ok: false });
      return false;
    }
    await db.notification.updateMany({
      where: { id, claimedBy: this.owner, status: "sending" },
      data: { status: "sent", sentAt: new Date(this.o.now()), claimedBy: null, claimedUntil: null },
    });
    this.o.onResult?.({ channelType: row.channel.type, event: row.event, ok: true });
    return true;
  }
}

// One sender per process (the controller process starts it).
const g = globalThis as unknown as { __havenNotifySender?: NotificationSender };

export function startNotificationSender(opts: SenderOptions): NotificationSender {
  if (g.__havenNotifySender) return g.__havenNotifySender;
  const s = new NotificationSender(opts);
  g.__havenNotifySender = s;
  s.start();
  return s;
}

export function getNotificationSender(): NotificationSender | null {
  return g.__havenNotifySender ?? null;
}
