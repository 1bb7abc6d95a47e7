import "server-only";
// Agent tokens issued by an admin: 32 random bytes (base64url), shown once, stored only as a
// SHA-256 hash in Host.agentTokenHash. Issuing replaces the host's previous token; revoking
// clears it. Either takes effect at once (the in-memory token cache forgets the host).
import { randomBytes, timingSafeEqual, createHash } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import { AppError } from "@/lib/server/errors";
import { forgetAgentToken, hashToken } from "./service";

export interface IssuedAgentToken {
  hostId: string;
  hostName: string;
  /** The token itself: shown once, never stored. */
  token: string;
  issuedAt: string;
}

async function findHost(db: PrismaClient, hostIdOrName: string) {
  const host = (await db.host.findUnique({ where: { id: hostIdOrName }, select: { id: true, name: true } })) ?? (await db.host.findUnique({ where: { name: hostIdOrName }, select: { id: true, name: true } }));
  if (!host) throw new AppError("NOT_FOUND", `No host ${hostIdOrName}`);
  return host;
}

export function newAgentToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Issues a new token for a host (by id or name); the previous one stops working. */
export async function issueAgentToken(db: PrismaClient, hostIdOrName: string, now = new Date()): Promise<IssuedAgentToken> {
  const host = await findHost(db, hostIdOrName);
  const token = newAgentToken();
  await db.host.update({ where: { id: host.id }, data: { agentTokenHash: hashToken(token), agentTokenIssuedAt: now } });
  forgetAgentToken(db, host.id);
  return { hostId: host.id, hostName: host.name, token, issuedAt: now.toISOString() };
}

/** Revokes a host's token: its agent gets 401 until an admin issues a new one. */
export async function revokeAgentToken(db: PrismaClient, hostIdOrName: string): Promise<{ hostId: string; hostName: string; revoked: boolean }> {
  const host = await findHost(db, hostIdOrName);
  const r = await db.host.updateMany({ where: { id: host.id, agentTokenHash: { not: null } }, data: { agentTokenHash: null, agentTokenIssuedAt: null } });
  forgetAgentToken(db, host.id);
  return { hostId: host.id, hostName: host.name, revoked: r.count > 0 };
}

/** Tokens for many hosts at once (the simulator): the named hosts, or the first `limit` by name. */
export async function issueAgentTokens(db: PrismaClient, sel: { hosts?: string[]; limit?: number }, now = new Date()): Promise<IssuedAgentToken[]> {
  const names = sel.hosts?.length
    ? sel.hosts
    : (await db.host.findMany({ select: { name: true }, orderBy: { name: "asc" }, take: sel.limit ?? 10 })).map((h) => h.name);
  const out: IssuedAgentToken[] = [];
  for (const n of names) out.push(await issueAgentToken(db, n, now));
  return out;
}

/**
 * Whether `given` is the admin token configured in HAVEN_ADMIN_TOKEN (constant time). With no
 * admin token configured the admin API is off.
 */
export function isAdminToken(given: string | null): boolean {
  const want = process.env.HAVEN_ADMIN_TOKEN;
  if (!want || want.length < 16 || !given) return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(want).digest();
  return timingSafeEqual(a, b);
}

export function adminApiEnabled(): boolean {
  const want = process.env.HAVEN_ADMIN_TOKEN;
  return !!want && want.length >= 16;
}
