import "server-only";
// A small in-memory sliding-window limiter for sign-in attempts (one console process holds the
// session store's writers anyway). Keys: the email tried and the client address.
export interface RateLimiter {
  /** Records one attempt; false (and nothing recorded) when the key is over its limit. */
  take(key: string, now?: number): boolean;
  /** Seconds until the key may try again (0 when it may now). */
  retryAfterS(key: string, now?: number): number;
  reset(key?: string): void;
}

export function createRateLimiter(max: number, windowMs: number, maxKeys = 50_000): RateLimiter {
  const hits = new Map<string, number[]>();
  const recent = (key: string, now: number) => {
    const list = (hits.get(key) ?? []).filter((t) => now - t < windowMs);
    if (list.length) hits.set(key, list);
    else hits.delete(key);
    return list;
  };
  return {
    take(key, now = Date.now()) {
      const list = recent(key, now);
      if (list.length >= max) return false;
      if (hits.size >= maxKeys && !hits.has(key)) {
        // Bounded memory under a flood of distinct keys: drop the oldest key.
        const first = hits.keys().next().value;
        if (first !== undefined) hits.delete(first);
      }
      list.push(now);
      hits.set(key, list);
      return true;
    },
    retryAfterS(key, now = Date.now()) {
      const list = recent(key, now);
      if (list.length < max) return 0;
      return Math.max(1, Math.ceil((list[0] + windowMs - now) / 1000));
    },
    reset(key) {
      if (key === undefined) hits.clear();
      else hits.delete(key);
    },
  };
}

const g = globalThis as unknown as { __havenSignInLimits?: { email: RateLimiter; client: RateLimiter } };

/** Sign-in limits: 5 attempts per email and 20 per client address in 5 minutes (env-tunable). */
export function signInLimits(): { email: RateLimiter; client: RateLimiter } {
  if (!g.__havenSignInLimits) {
    const perEmail = Number(process.env.HAVEN_SIGNIN_MAX_PER_EMAIL) || 5;
    const perClient = Number(process.env.HAVEN_SIGNIN_MAX_PER_CLIENT) || 20;
    g.__havenSignInLimits = { email: createRateLimiter(perEmail, 5 * 60_000), client: createRateLimiter(perClient, 5 * 60_000) };
  }
  return g.__havenSignInLimits;
}
