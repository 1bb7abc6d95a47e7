import "server-only";
// The audit log: who changed what, when, before and after. Written by every admin and operator
// change (inventory services, users, agent tokens, power, maintenance, alerts, demo faults);
// read by admins on /audit.
import type { Prisma } from "@prisma/client";
import { ZAuditFilter, type TAuditFilter } from "@/lib/schemas/auth";
import { getDb, type Db } from "@/lib/server/db";
import { appErrorFromZod } from "@/lib/server/errors";
import { actorOf, authorize, type AuthCtx } from "@/lib/server/auth/principal";

type Writer = Pick<Db, "auditLog"> | Prisma.TransactionClient;

export interface AuditCtx extends AuthCtx {
  db?: Db;
  actor?: string;
  userId?: string | null;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/** One audit row. `before`/`after` are JSON-encoded; never pass secrets in them. */
export async function writeAuditRow(w: Writer, ctx: AuditCtx | undefined, action: string, entity: string, before: unknown, after: unknown): Promise<void> {
  const { actor, userId } = actorOf(ctx);
  await w.auditLog.create({ data: { actor, userId, action, entity, before: json(before), after: json(after) } });
}

export const AUDIT_PAGE_SIZE = 50;

export interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  entity: string;
  before: string | null;
  after: string | null;
}

/** Admins only: audit rows newest first, filtered (substring on actor/entity, exact action, date range in UTC). */
export async function listAudit(input: unknown, ctx?: AuditCtx): Promise<{ rows: AuditRow[]; total: number; page: number; pages: number; actions: string[]; filter: TAuditFilter }> {
  authorize(ctx, "admin");
  const parsed = ZAuditFilter.safeParse(input ?? {});
  if (!parsed.success) throw appErrorFromZod(parsed.error, "Check the filters");
  const f = parsed.data;
  const db = ctx?.db ?? getDb();
  const where: Prisma.AuditLogWhereInput = {};
  if (f.actor) where.actor = { contains: f.actor };
  if (f.action) where.action = f.action;
  if (f.entity) where.entity = { contains: f.entity };
  if (f.from || f.to) {
    where.at = {};
    if (f.from) where.at.gte = new Date(`${f.from}T00:00:00.000Z`);
    if (f.to) where.at.lt = new Date(new Date(`${f.to}T00:00:00.000Z`).getTime() + 86_400_000);
  }
  const page = f.page ?? 1;
  const [total, rows, actions] = await Promise.all([
    db.auditLog.count({ where }),
    db.auditLog.findMany({
      where,
      orderBy: [{ at: "desc" }, { id: "desc" }],
      skip: (page - 1) * AUDIT_PAGE_SIZE,
      take: AUDIT_PAGE_SIZE,
      select: { id: true, at: true, actor: true, action: true, entity: true, before: true, after: true },
    }),
    db.auditLog.findMany({ distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } }),
  ]);
  return { rows, total, page, pages: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)), actions: actions.map((a) => a.action), filter: f };
}
