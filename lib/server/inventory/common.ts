// Shared plumbing of the inventory services: input parsing, transactions, audit rows,
// the managed cluster, and store-error mapping.
import "server-only";
import type { Prisma } from "@prisma/client";
import type { z } from "zod";
import { getDb, type Db } from "@/lib/server/db";
import { AppError, appErrorFromZod, isAppError, type FieldErrors } from "@/lib/server/errors";
import { authorize, type AuthCtx } from "@/lib/server/auth/principal";
import { writeAuditRow } from "@/lib/server/audit";

export type Tx = Prisma.TransactionClient;

/**
 * Who acts and on which store. Defaults: the process-wide client, actor "system". Actions pass
 * the signed-in `principal` (null when anonymous); every inventory change needs an admin.
 */
export interface ServiceCtx extends AuthCtx {
  db?: Db;
  actor?: string;
  userId?: string | null;
}

export function ctxDb(ctx?: ServiceCtx): Db {
  return ctx?.db ?? getDb();
}

/** Parses a service input; a VALIDATION AppError with full-path field errors when it does not fit. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw appErrorFromZod(r.error, "Check the highlighted fields");
  return r.data;
}

/**
 * Runs an inventory change in one transaction; store errors become AppErrors (never a raw
 * Prisma error). Inventory changes are for admins: a signed-in principal of a lower role is
 * refused here (FORBIDDEN), an anonymous one too (UNAUTHORIZED), before anything is read.
 */
export async function inTransaction<T>(ctx: ServiceCtx | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> {
  authorize(ctx, "admin");
  try {
    return await ctxDb(ctx).$transaction(fn);
  } catch (e) {
    throw toAppError(e);
  }
}

function prismaCode(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && typeof (e as { code?: unknown }).code === "string" ? (e as { code: string }).code : undefined;
}

/** Whether `e` is the store refusing a duplicate of a unique key. */
export function isUniqueViolation(e: unknown): boolean {
  if (prismaCode(e) === "P2002") return true;
  const msg = e instanceof Error ? e.message : String(e);
  return /UNIQUE constraint failed|unique constraint|duplicate key/i.test(msg);
}

/** The columns of the unique key a store error names (Prisma `meta.target` or the driver adapter's constraint). */
export function uniqueFields(e: unknown): string[] {
  const meta = (e as { meta?: Record<string, unknown> } | null)?.meta;
  if (!meta) return [];
  const target = meta.target;
  if (Array.isArray(target)) return target.map(String);
  if (typeof target === "string") return [target];
  const cause = (meta.driverAdapterError as { cause?: { constraint?: { fields?: unknown } } } | undefined)?.cause;
  const fields = cause?.constraint?.fields;
  return Array.isArray(fields) ? fields.map(String) : [];
}

export function toAppError(e: unknown): AppError {
  if (isAppError(e)) return e;
  const code = prismaCode(e);
  if (isUniqueViolation(e)) {
    // A race lost to another writer: the store's unique key refused the duplicate.
    const fields = uniqueFields(e);
    if (fields.includes("name")) return new AppError("CONFLICT", "This name is already taken", { name: ["This name is already taken"] }, { cause: e });
    if (fields.includes("address")) return new AppError("CONFLICT", "This address was just leased to another VM; try again", undefined, { cause: e });
    return new AppError("CONFLICT", "This conflicts with an existing record; reload and try again", undefined, { cause: e });
  }
  if (code === "P2025") return new AppError("NOT_FOUND", "The record no longer exists; reload and try again", undefined, { cause: e });
  if (code === "P2003" || code === "P2014") return new AppError("CONFLICT", "Other records still refer to this one", undefined, { cause: e });
  return new AppError("INTERNAL", "Something went wrong while saving; nothing was changed", undefined, { cause: e });
}

export function notFound(what: string, id: string): AppError {
  return new AppError("NOT_FOUND", `${what} ${id} does not exist`);
}

export function conflict(message: string, fieldErrors?: FieldErrors): AppError {
  return new AppError("CONFLICT", message, fieldErrors);
}

export function invalid(message: string, fieldErrors?: FieldErrors): AppError {
  return new AppError("VALIDATION", message, fieldErrors);
}

/** The cluster this console manages: the first one created; a "default" one on an empty store. */
export async function managedClusterId(tx: Tx): Promise<string> {
  const c = await tx.cluster.findFirst({ orderBy: { createdAt: "asc" }, select: { id: true } });
  if (c) return c.id;
  const created = await tx.cluster.create({ data: { name: "default" }, select: { id: true } });
  return created.id;
}

/** One audit row per change: what, on which entity, before and after (JSON). */
export async function writeAudit(
  tx: Tx,
  ctx: ServiceCtx | undefined,
  action: string,
  entity: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  await writeAuditRow(tx, ctx, action, entity, before, after);
}

/** "1 VM" / "4 VMs". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A copy of `o` without `keys`. */
export function omit<T extends object, K extends keyof T>(o: T, ...keys: K[]): Omit<T, K> {
  const out = { ...o };
  for (const k of keys) delete out[k];
  return out;
}
