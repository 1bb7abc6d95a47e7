import "server-only";
// HA alerts: deduplicated per (kind, entity) through Alert.activeKey, auto-resolved when their
// condition clears, acknowledged and resolved by people.
//
// HA_REBUILD_SUCCEEDED is informational: it stays open until someone acknowledges or resolves
// it (a later rebuild of the same VM bumps its count instead of opening a second one).
import type { Prisma, PrismaClient } from "@prisma/client";
import { AppError } from "@/lib/server/errors";
// Notifications (issue 14): the outbox rows are written in the alert's own transaction.
import { enqueueRaised, enqueueResolved } from "@/lib/server/notify/outbox";

type Tx = PrismaClient | Prisma.TransactionClient;

export const ALERT_SEVERITY = {
  HOST_UNREACHABLE: "warning",
  HOST_FAILED: "critical",
  HA_REBUILD_SUCCEEDED: "info",
  HA_REBUILD_FAILED: "critical",
  LOCAL_REBUILD_FAILED: "warning",
  NETWORK_FAULT_HA: "critical",
  HA_CAPACITY_INSUFFICIENT: "warning",
  NIC_BOND_DEGRADED: "warning",
  STORAGE_PATH_REDIRECTED: "warning",
  VM_HA_INELIGIBLE: "warning",
  VM_STATE_UNKNOWN: "warning",
  DEVICE_FAILED: "warning",
} as const;
export type AlertKind = keyof typeof ALERT_SEVERITY;
export const ALERT_KINDS = Object.keys(ALERT_SEVERITY) as AlertKind[];

export interface AlertEntity {
  type: "host" | "vm" | "cluster";
  id: string;
  name: string;
}

export function alertKey(kind: AlertKind, entity: Pick<AlertEntity, "type" | "id">): string {
  return `${kind}|${entity.type}:${entity.id}`;
}

/** Longest alert message stored: per-host detail belongs on the entity's page, not in alerts. */
export const ALERT_MESSAGE_MAX = 2000;

export function capAlertMessage(message: string, max = ALERT_MESSAGE_MAX): string {
  if (message.length <= max) return message;
  return `${message.slice(0, max)} … (${message.length - max} more characters; see the host or VM page)`;
}

export interface RaiseAlert {
  kind: AlertKind;
  entity: AlertEntity;
  message: string;
  at: Date;
  hostId?: string | null;
  vmId?: string | null;
  incidentId?: string | null;
  /** Count a repeat of an open alert (a new occurrence), not just a refresh of its message. */
  repeat?: boolean;
}

/**
 * Tracks which alerts are open so that re-evaluating a condition costs no store access when
 * nothing changes. `reload` re-reads the open set (alerts resolved by people in between).
 */
export class AlertBook {
  private open = new Map<string, { id: string; message: string }>();

  async reload(db: Tx): Promise<void> {
    const rows = await db.alert.findMany({ where: { activeKey: { not: null } }, select: { id: true, activeKey: true, message: true } });
    this.open = new Map(rows.map((r) => [r.activeKey!, { id: r.id, message: r.message }]));
  }

  isOpen(kind: AlertKind, entity: Pick<AlertEntity, "type" | "id">): boolean {
    return this.open.has(alertKey(kind, entity));
  }

  /** Raise (or refresh) an alert. Returns true when a new episode was opened. */
  async raise(tx: Tx, input: RaiseAlert): Promise<boolean> {
    const a = { ...input, message: capAlertMessage(input.message) };
    const key = alertKey(a.kind, a.entity);
    const cur = this.open.get(key);
    if (cur) {
      if (cur.message === a.message && !a.repeat) return false;
      await tx.alert.updateMany({
        where: { activeKey: key },
        data: { message: a.message, lastSeenAt: a.at, ...(a.repeat ? { count: { increment: 1 } } : {}), ...(a.incidentId ? { incidentId: a.incidentId } : {}) },
      });
      cur.message = a.message;
      return false;
    }
    const existing = await tx.alert.findUnique({ where: { activeKey: key }, select: { id: true } });
    if (existing) {
      await tx.alert.update({ where: { id: existing.id }, data: { message: a.message, lastSeenAt: a.at, count: { increment: a.repeat ? 1 : 0 } } });
      this.open.set(key, { id: existing.id, message: a.message });
      return false;
    }
    const row = await tx.alert.create({
      data: {
        kind: a.kind,
        severity: ALERT_SEVERITY[a.kind],
        status: "open",
        entityType: a.entity.type,
        entityId: a.entity.id,
        entityName: a.entity.name,
        activeKey: key,
        hostId: a.hostId ?? (a.entity.type === "host" ? a.entity.id : null),
        vmId: a.vmId ?? (a.entity.type === "vm" ? a.entity.id : null),
        incidentId: a.incidentId ?? null,
        message: a.message,
        raisedAt: a.at,
        lastSeenAt: a.at,
      },
    });
    this.open.set(key, { id: row.id, message: a.message });
    await enqueueRaised(tx, row, a.at);
    return true;
  }

  /** Resolve the open alert of (kind, entity) because its condition cleared. */
  async clear(tx: Tx, kind: AlertKind, entity: Pick<AlertEntity, "type" | "id">, at: Date): Promise<boolean> {
    const key = alertKey(kind, entity);
    if (!this.open.has(key)) return false;
    this.open.delete(key);
    const live = await tx.alert.findUnique({ where: { activeKey: key }, select: { id: true } });
    const r = await tx.alert.updateMany({
      where: { activeKey: key },
      data: { status: "resolved", activeKey: null, resolvedAt: at, resolvedBy: "auto" },
    });
    if (live && r.count > 0) await enqueueResolved(tx, live.id, at);
    return r.count > 0;
  }

  /** Open alerts of a kind (keys' entity ids). */
  openEntityIds(kind: AlertKind): string[] {
    const prefix = `${kind}|`;
    const out: string[] = [];
    for (const k of this.open.keys()) if (k.startsWith(prefix)) out.push(k.slice(prefix.length).split(":").slice(1).join(":"));
    return out;
  }

  forget(activeKey: string): void {
    this.open.delete(activeKey);
  }
}

/** An operator acknowledges an alert: it stays live (deduplicated) until its condition clears. */
export async function acknowledgeAlert(db: Tx, id: string, by: string, note?: string | null, at: Date = new Date()) {
  const a = await db.alert.findUnique({ where: { id } });
  if (!a) throw new AppError("NOT_FOUND", `Alert ${id} not found`);
  if (a.status === "resolved") throw new AppError("CONFLICT", "The alert is already resolved");
  return db.alert.update({ where: { id }, data: { status: "acknowledged", ackAt: at, ackBy: by, ackNote: note ?? null } });
}

/** An operator resolves an alert by hand. If its condition persists, the controller raises a new one. */
export async function resolveAlert(db: Tx, id: string, by: string, at: Date = new Date()) {
  const run = async (tx: Tx) => {
    const a = await tx.alert.findUnique({ where: { id } });
    if (!a) throw new AppError("NOT_FOUND", `Alert ${id} not found`);
    if (a.status === "resolved") return a;
    const row = await tx.alert.update({ where: { id }, data: { status: "resolved", activeKey: null, resolvedAt: at, resolvedBy: by } });
    await enqueueResolved(tx, id, at);
    return row;
  };
  // The resolution and its notifications commit together.
  return "$transaction" in db ? db.$transaction((tx) => run(tx)) : run(db);
}
