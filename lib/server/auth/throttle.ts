import "server-only";
// Sign-in throttling with progressive delays, kept in the store (SignInThrottle) so every
// console process and every bundled copy of this module sees the same counts.
//
// Two keys per attempt:
//   "a:<email> <client>"  an account tried from one client address: from the 3rd failure on,
//                         each failure makes that pair wait 1 s, 2 s, 4 s … up to 60 s;
//   "c:<client>"          one client address across accounts (password spraying): the same
//                         doubling from the 20th failure on.
// No account is ever locked for everyone: a failure from one address never delays the same
// account at another address (the client address comes from lib/forwarded.ts, so it cannot be
// forged with X-Forwarded-For). A key's count is forgotten 15 minutes after its last attempt.
//
// An attempt is counted when it starts (in one serializable transaction with the check), so
// parallel attempts cannot all slip through before the first failure is written; a success
// clears its account+client pair and gives the client key its attempt back.
import { Prisma } from "@prisma/client";
import type { Db } from "@/lib/server/db";

export interface ThrottlePolicy {
  /** The failure of an account at one client address from which each one brings a delay. */
  pairFree: number;
  /** The same for one client address across accounts. */
  clientFree: number;
  /** The first delay; each further failure doubles it. */
  baseDelayS: number;
  maxDelayS: number;
  /** A key with no attempt for this long starts again from zero. */
  forgetAfterS: number;
}

function envNumber(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** The policy (env-tunable: HAVEN_SIGNIN_FREE_FAILURES, HAVEN_SIGNIN_CLIENT_FREE_FAILURES, HAVEN_SIGNIN_MAX_DELAY_S). */
export function throttlePolicy(): ThrottlePolicy {
  return {
    pairFree: Math.round(envNumber("HAVEN_SIGNIN_FREE_FAILURES", 3)),
    clientFree: Math.round(envNumber("HAVEN_SIGNIN_CLIENT_FREE_FAILURES", 20)),
    baseDelayS: 1,
    maxDelayS: envNumber("HAVEN_SIGNIN_MAX_DELAY_S", 60),
    forgetAfterS: 15 * 60,
  };
}

/** The delay after the `failures`-th counted failure of a key with `free` free failures (0: none). */
export function delayAfter(failures: number, free: number, p: ThrottlePolicy): number {
  if (failures < free) return 0;
  return Math.min(p.maxDelayS, p.baseDelayS * 2 ** Math.min(30, failures - free));
}

export const pairKey = (email: string, client: string) => `a:${email.toLowerCase()} ${client}`;
export const clientOnlyKey = (client: string) => `c:${client}`;

export type AttemptOutcome = { ok: true } | { ok: false; retryAfterS: number };

const SERIALIZABLE = { isolationLevel: Prisma.TransactionIsolationLevel.Serializable } as const;

/**
 * Starts a sign-in attempt of `email` from `client`: refused (with the seconds to wait) while
 * either key is in its delay, else counted on both keys — as a failure until `attemptSucceeded`.
 */
export async function beginSignInAttempt(db: Db, email: string, client: string, now = new Date(), p: ThrottlePolicy = throttlePolicy()): Promise<AttemptOutcome> {
  const keys = [
    { key: pairKey(email, client), free: p.pairFree },
    { key: clientOnlyKey(client), free: p.clientFree },
  ];
  const forgetBefore = new Date(now.getTime() - p.forgetAfterS * 1000);
  const out = await db.$transaction(async (tx) => {
    const rows = await tx.signInThrottle.findMany({ where: { key: { in: keys.map((k) => k.key) } } });
    const live = new Map(rows.filter((r) => r.lastAttemptAt >= forgetBefore).map((r) => [r.key, r]));
    const waitMs = Math.max(0, ...[...live.values()].map((r) => (r.blockedUntil ? r.blockedUntil.getTime() - now.getTime() : 0)));
    if (waitMs > 0) return { ok: false as const, retryAfterS: Math.max(1, Math.ceil(waitMs / 1000)) };
    for (const { key, free } of keys) {
      const failures = (live.get(key)?.failures ?? 0) + 1;
      const delay = delayAfter(failures, free, p);
      const data = { failures, lastAttemptAt: now, blockedUntil: delay ? new Date(now.getTime() + delay * 1000) : null };
      await tx.signInThrottle.upsert({ where: { key }, create: { key, ...data }, update: data });
    }
    return { ok: true as const };
  }, SERIALIZABLE);
  // Keys nobody has tried for a while go (bounded table under a flood of distinct addresses).
  if (out.ok) await db.signInThrottle.deleteMany({ where: { lastAttemptAt: { lt: forgetBefore } } });
  return out;
}

/** The attempt was the right password: the pair starts from zero, the client gets its attempt back. */
export async function attemptSucceeded(db: Db, email: string, client: string, p: ThrottlePolicy = throttlePolicy()): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.signInThrottle.deleteMany({ where: { key: pairKey(email, client) } });
    const c = await tx.signInThrottle.findUnique({ where: { key: clientOnlyKey(client) } });
    if (!c) return;
    const failures = Math.max(0, c.failures - 1);
    const delay = delayAfter(failures, p.clientFree, p);
    await tx.signInThrottle.update({
      where: { key: c.key },
      data: { failures, blockedUntil: delay ? new Date(c.lastAttemptAt.getTime() + delay * 1000) : null },
    });
  }, SERIALIZABLE);
}
