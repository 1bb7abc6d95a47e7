import "server-only";
// Console users: the first admin (setup page or HAVEN_ADMIN_EMAIL/HAVEN_ADMIN_PASSWORD), and the
// admin's /users page (create, change role, delete). Passwords are hashed by better-auth's
// scrypt (memory-hard) and kept in Account.password; never logged, never in the audit log.
import crypto from "node:crypto";
import { hashPassword } from "better-auth/crypto";
import { ZCreateUserInput, ZDeleteUserInput, ZSetupInput, ZSetUserRoleInput, type Role } from "@/lib/schemas/auth";
import { getDb, type Db } from "@/lib/server/db";
import { AppError, appErrorFromZod, isAppError } from "@/lib/server/errors";
import { writeAuditRow, type AuditCtx } from "@/lib/server/audit";
import { authorize } from "./principal";
import type { z } from "zod";

export type UsersCtx = AuditCtx;

const dbOf = (ctx?: UsersCtx): Db => ctx?.db ?? getDb();

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw appErrorFromZod(r.error, "Check the highlighted fields");
  return r.data;
}

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: Date;
}

const VIEW = { id: true, email: true, name: true, role: true, createdAt: true } as const;

export async function countUsers(db: Db = getDb()): Promise<number> {
  return db.user.count();
}

/** Whether the one-time setup page is open (no user exists yet). */
export async function setupNeeded(db: Db = getDb()): Promise<boolean> {
  return (await db.user.count()) === 0;
}

async function insertUser(tx: Db | Parameters<Parameters<Db["$transaction"]>[0]>[0], u: { email: string; name: string; password: string; role: Role }): Promise<UserView> {
  const hash = await hashPassword(u.password);
  const id = crypto.randomUUID();
  const row = await tx.user.create({ data: { id, email: u.email, name: u.name, role: u.role, emailVerified: true }, select: VIEW });
  await tx.account.create({ data: { id: crypto.randomUUID(), accountId: id, providerId: "credential", userId: id, password: hash } });
  return row as UserView;
}

function duplicate(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e);
  return (e as { code?: string })?.code === "P2002" || /UNIQUE constraint failed/i.test(msg);
}

/** The one-time setup: creates the first admin. CONFLICT once any user exists. */
export async function setupFirstAdmin(input: unknown, ctx?: UsersCtx): Promise<UserView> {
  const v = parse(ZSetupInput, input);
  const db = dbOf(ctx);
  const hash = await hashPassword(v.password); // outside the write transaction (scrypt takes a while)
  try {
    return await db.$transaction(async (tx) => {
      if ((await tx.user.count()) > 0) throw new AppError("CONFLICT", "Setup is done already: sign in instead");
      const id = crypto.randomUUID();
      const row = await tx.user.create({ data: { id, email: v.email, name: v.name, role: "admin", emailVerified: true }, select: VIEW });
      await tx.account.create({ data: { id: crypto.randomUUID(), accountId: id, providerId: "credential", userId: id, password: hash } });
      await writeAuditRow(tx, { actor: v.email, userId: id }, "setup-first-admin", `user:${id}`, null, { email: v.email, name: v.name, role: "admin" });
      return row as UserView;
    });
  } catch (e) {
    if (isAppError(e)) throw e;
    if (duplicate(e)) throw new AppError("CONFLICT", "Setup is done already: sign in instead");
    throw e;
  }
}

/**
 * On start: with no users and HAVEN_ADMIN_EMAIL + HAVEN_ADMIN_PASSWORD set, creates that admin.
 * Answers what happened (for the start-up message); never echoes the password.
 */
export async function bootstrapAdminFromEnv(db: Db = getDb(), env: Record<string, string | undefined> = process.env): Promise<"created" | "exists" | "setup-needed" | "invalid"> {
  if ((await db.user.count()) > 0) return "exists";
  const email = env.HAVEN_ADMIN_EMAIL;
  const password = env.HAVEN_ADMIN_PASSWORD;
  if (!email || !password) return "setup-needed";
  try {
    await setupFirstAdmin({ email, password, name: env.HAVEN_ADMIN_NAME || "Administrator" }, { db, actor: "system" });
    return "created";
  } catch (e) {
    if (isAppError(e) && e.code === "CONFLICT") return "exists";
    if (isAppError(e) && e.code === "VALIDATION") return "invalid";
    throw e;
  }
}

// ------------------------------------------------------------------ admin

export async function listUsers(ctx?: UsersCtx): Promise<UserView[]> {
  authorize(ctx, "admin");
  return (await dbOf(ctx).user.findMany({ orderBy: { email: "asc" }, select: VIEW })) as UserView[];
}

export async function createUser(input: unknown, ctx?: UsersCtx): Promise<UserView> {
  authorize(ctx, "admin");
  const v = parse(ZCreateUserInput, input);
  const db = dbOf(ctx);
  if (await db.user.findUnique({ where: { email: v.email }, select: { id: true } })) {
    throw new AppError("CONFLICT", "A user with this email exists", { email: ["A user with this email exists"] });
  }
  try {
    return await db.$transaction(async (tx) => {
      const row = await insertUser(tx, v);
      await writeAuditRow(tx, ctx, "create-user", `user:${row.id}`, null, { email: row.email, name: row.name, role: row.role });
      return row;
    });
  } catch (e) {
    if (duplicate(e)) throw new AppError("CONFLICT", "A user with this email exists", { email: ["A user with this email exists"] });
    throw e;
  }
}

async function otherAdmins(tx: Pick<Db, "user">, exceptId: string): Promise<number> {
  return tx.user.count({ where: { role: "admin", id: { not: exceptId } } });
}

export async function setUserRole(input: unknown, ctx?: UsersCtx): Promise<UserView> {
  authorize(ctx, "admin");
  const v = parse(ZSetUserRoleInput, input);
  return dbOf(ctx).$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id: v.id }, select: VIEW });
    if (!before) throw new AppError("NOT_FOUND", `User ${v.id} does not exist`);
    if (before.role === v.role) return before as UserView;
    if (before.role === "admin" && (await otherAdmins(tx, v.id)) === 0) {
      throw new AppError("CONFLICT", "This is the last admin: make another user admin first", { role: ["The last admin keeps the admin role"] });
    }
    const after = await tx.user.update({ where: { id: v.id }, data: { role: v.role }, select: VIEW });
    await writeAuditRow(tx, ctx, "set-user-role", `user:${v.id}`, { role: before.role }, { role: after.role });
    return after as UserView;
  });
}

export async function deleteUser(input: unknown, ctx?: UsersCtx): Promise<{ id: string }> {
  const me = authorize(ctx, "admin");
  const v = parse(ZDeleteUserInput, input);
  if (me !== "system" && me.id === v.id) throw new AppError("CONFLICT", "You cannot delete yourself");
  return dbOf(ctx).$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id: v.id }, select: VIEW });
    if (!before) throw new AppError("NOT_FOUND", `User ${v.id} does not exist`);
    if (before.role === "admin" && (await otherAdmins(tx, v.id)) === 0) throw new AppError("CONFLICT", "The last admin cannot be deleted");
    await tx.user.delete({ where: { id: v.id } }); // sessions and accounts go with it (cascade)
    await writeAuditRow(tx, ctx, "delete-user", `user:${v.id}`, { email: before.email, name: before.name, role: before.role }, null);
    return { id: v.id };
  });
}
