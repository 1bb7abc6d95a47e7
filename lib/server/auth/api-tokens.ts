import "server-only";
// Personal API tokens: better-auth's API key plugin (./auth.ts) issues them (48 random letters
// after "haven_", shown once), stores only their SHA-256 hash, checks expiry and revocation. Haven
// adds the role: a token carries one (metadata.role), never above its owner's when issued, and on
// every request it acts with the lower of that role and the owner's current one — demoting a user
// demotes their tokens at once; deleting the user deletes them. Each request reads the store.
import { roleAtLeast, ROLES, type Role } from "@/lib/schemas/auth";
import { ZCreateApiTokenInput, ZRevokeApiTokenInput, API_TOKEN_PREFIX } from "@/lib/schemas/api-tokens";
import { getDb, type Db } from "@/lib/server/db";
import { AppError, appErrorFromZod } from "@/lib/server/errors";
import { writeAuditRow, type AuditCtx } from "@/lib/server/audit";
import { getAuth } from "./auth";
import { authorize, type Principal } from "./principal";

export interface ApiTokenView {
  id: string;
  name: string;
  /** The first characters (prefix + 6), to recognise it; never the token. */
  start: string | null;
  role: Role;
  expiresAt: Date | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  owner: { id: string; email: string };
}

export interface IssuedApiToken extends ApiTokenView {
  /** The token itself: in this answer only. */
  token: string;
}

const dbOf = (ctx?: AuditCtx): Db => ctx?.db ?? getDb();

function tokenRole(metadata: unknown): Role | null {
  let m = metadata;
  if (typeof m === "string") {
    try {
      m = JSON.parse(m);
    } catch {
      return null;
    }
  }
  const r = m && typeof m === "object" ? (m as { role?: unknown }).role : undefined;
  return typeof r === "string" && (ROLES as readonly string[]).includes(r) ? (r as Role) : null;
}

const lower = (a: Role, b: Role): Role => (roleAtLeast(a, b) ? b : a);

function signedIn(ctx: AuditCtx | undefined): Principal {
  const p = authorize(ctx, "viewer");
  if (p === "system") throw new AppError("FORBIDDEN", "API tokens belong to a signed-in user");
  return p;
}

/** Issues a token for the signed-in user: role at most theirs (read from the store), expiry 1–365 days. */
export async function createApiTokenAs(input: unknown, ctx?: AuditCtx): Promise<IssuedApiToken> {
  const p = signedIn(ctx);
  const r = ZCreateApiTokenInput.safeParse(input);
  if (!r.success) throw appErrorFromZod(r.error, "Check the highlighted fields");
  const { name, role, expiresInDays } = r.data;
  const db = dbOf(ctx);
  const owner = await db.user.findUnique({ where: { id: p.id }, select: { id: true, email: true, role: true } });
  if (!owner) throw new AppError("UNAUTHORIZED", "Sign in first");
  if (!roleAtLeast(owner.role, role)) {
    throw new AppError("FORBIDDEN", `A token's role cannot be above yours (you are ${owner.role})`, { role: [`At most ${owner.role}`] });
  }
  const created = await getAuth(db).api.createApiKey({ body: { userId: owner.id, name, expiresIn: expiresInDays * 24 * 60 * 60, metadata: { role } } });
  const view: ApiTokenView = {
    id: created.id,
    name,
    start: created.start ?? null,
    role,
    expiresAt: created.expiresAt ? new Date(created.expiresAt) : null,
    createdAt: new Date(created.createdAt),
    lastUsedAt: null,
    owner: { id: owner.id, email: owner.email },
  };
  // The token never goes into the audit row.
  await writeAuditRow(db, ctx, "create-api-token", `api-token:${created.id}`, null, { name, role, start: view.start, expiresAt: view.expiresAt });
  return { ...view, token: created.key };
}

/** The signed-in user's tokens; an admin with `all` sees everybody's. Never the tokens themselves. */
export async function listApiTokens(opts: { all?: boolean } = {}, ctx?: AuditCtx): Promise<ApiTokenView[]> {
  const p = signedIn(ctx);
  const all = !!opts.all && p.role === "admin";
  const rows = await dbOf(ctx).apiKey.findMany({
    where: all ? {} : { referenceId: p.id },
    orderBy: { createdAt: "desc" },
    select: { id: true, name: true, start: true, metadata: true, expiresAt: true, createdAt: true, lastRequest: true, user: { select: { id: true, email: true } } },
  });
  return rows.map((k) => ({
    id: k.id,
    name: k.name ?? "",
    start: k.start,
    role: tokenRole(k.metadata) ?? "viewer",
    expiresAt: k.expiresAt,
    createdAt: k.createdAt,
    lastUsedAt: k.lastRequest,
    owner: k.user,
  }));
}

/** Revokes (deletes) a token: its owner, or an admin. Takes effect on the next request. */
export async function revokeApiTokenAs(input: unknown, ctx?: AuditCtx): Promise<{ id: string; revoked: true }> {
  const p = signedIn(ctx);
  const r = ZRevokeApiTokenInput.safeParse(input);
  if (!r.success) throw appErrorFromZod(r.error, "Check the highlighted fields");
  const db = dbOf(ctx);
  const k = await db.apiKey.findUnique({ where: { id: r.data.id }, select: { id: true, name: true, start: true, referenceId: true, metadata: true } });
  if (!k || (k.referenceId !== p.id && p.role !== "admin")) throw new AppError("NOT_FOUND", `API token ${r.data.id} does not exist`);
  await db.apiKey.delete({ where: { id: k.id } });
  await writeAuditRow(db, ctx, "revoke-api-token", `api-token:${k.id}`, { name: k.name, role: tokenRole(k.metadata), start: k.start, owner: k.referenceId }, null);
  return { id: k.id, revoked: true };
}

/** Whether a bearer value is shaped like a Haven API token (the agent and admin tokens are not). */
export function looksLikeApiToken(bearer: string): boolean {
  return bearer.startsWith(API_TOKEN_PREFIX);
}

/**
 * The principal an API token acts as, checked by the plugin against the store (hash, expiry,
 * revocation) and with its owner read from the store: null when unknown, expired or revoked.
 */
export async function principalFromApiToken(token: string, db: Db = getDb()): Promise<Principal | null> {
  if (!looksLikeApiToken(token)) return null;
  const r = await getAuth(db).api.verifyApiKey({ body: { key: token } });
  if (!r.valid || !r.key) return null;
  const role = tokenRole(r.key.metadata);
  if (!role) return null;
  const u = await db.user.findUnique({ where: { id: r.key.referenceId }, select: { id: true, email: true, name: true, role: true } });
  if (!u || !(ROLES as readonly string[]).includes(u.role)) return null;
  return { id: u.id, email: u.email, name: u.name, role: lower(role, u.role as Role), token: { id: r.key.id, name: r.key.name ?? "" } };
}
