// The session cookie → principal on every request, checked against the store: a forged or
// tampered signature, a deleted (signed-out) session, an expired one and a changed role are
// answered from the store at once; a session due for its sliding refresh goes through better-auth
// (which pushes its expiry out).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/tests/support/test-db";
import { getAuth, SESSION_TTL_S } from "@/lib/server/auth/auth";
import { principalFromHeaders } from "@/lib/server/auth/session";
import { setupFirstAdmin } from "@/lib/server/auth/users";

let t: TestDb;
const PW = "correct-horse-battery";
const cookieHeader = (c: string) => new Headers({ cookie: `theme=dark; ${c}; other=1` });

beforeAll(async () => {
  t = await createTestDb();
  (globalThis as unknown as { __havenDb?: unknown }).__havenDb = t.db;
  await setupFirstAdmin({ email: "root@haven.test", name: "Root", password: PW });
});
afterAll(async () => {
  delete (globalThis as unknown as { __havenDb?: unknown }).__havenDb;
  await t?.cleanup();
});

async function signIn(): Promise<{ cookie: string; token: string }> {
  const res = await getAuth().api.signInEmail({ body: { email: "root@haven.test", password: PW }, asResponse: true });
  expect(res.status).toBe(200);
  const c = res.headers.getSetCookie().find((s) => /haven\.session_token=/.test(s))!.split(";")[0];
  const value = decodeURIComponent(c.slice(c.indexOf("=") + 1));
  return { cookie: c, token: value.slice(0, value.lastIndexOf(".")) };
}

describe("session cookie", () => {
  it("names its user while the session row lives, and nobody once it is deleted", async () => {
    const { cookie, token } = await signIn();
    expect(await principalFromHeaders(cookieHeader(cookie))).toMatchObject({ email: "root@haven.test", role: "admin" });
    await t.db.user.updateMany({ data: { role: "viewer" } });
    expect((await principalFromHeaders(cookieHeader(cookie)))?.role).toBe("viewer");
    await t.db.user.updateMany({ data: { role: "admin" } });
    await t.db.session.delete({ where: { token } });
    expect(await principalFromHeaders(cookieHeader(cookie))).toBeNull();
  });

  it("refuses a tampered token or signature and a token without its signature", async () => {
    const { cookie, token } = await signIn();
    const [name, raw] = [cookie.slice(0, cookie.indexOf("=")), decodeURIComponent(cookie.slice(cookie.indexOf("=") + 1))];
    const sig = raw.slice(raw.lastIndexOf(".") + 1);
    const other = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    expect(await principalFromHeaders(cookieHeader(`${name}=${encodeURIComponent(`${other}.${sig}`)}`))).toBeNull();
    expect(await principalFromHeaders(cookieHeader(`${name}=${encodeURIComponent(`${token}.${sig.replace(/^./, (ch) => (ch === "A" ? "B" : "A"))}`)}`))).toBeNull();
    expect(await principalFromHeaders(cookieHeader(`${name}=${token}`))).toBeNull();
    expect(await principalFromHeaders(cookieHeader(`${name}=%E0%A4%A`))).toBeNull();
    expect(await principalFromHeaders(cookieHeader(cookie))).toMatchObject({ email: "root@haven.test" });
  });

  it("refuses an expired session; a session due for refresh is refreshed by better-auth", async () => {
    const { cookie, token } = await signIn();
    await t.db.session.update({ where: { token }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await principalFromHeaders(cookieHeader(cookie))).toBeNull();
    // Set two hours ago: past updateAge (1 h), still valid.
    const old = new Date(Date.now() + SESSION_TTL_S * 1000 - 2 * 3600_000);
    await t.db.session.update({ where: { token }, data: { expiresAt: old } });
    expect(await principalFromHeaders(cookieHeader(cookie))).toMatchObject({ email: "root@haven.test" });
    const after = await t.db.session.findUniqueOrThrow({ where: { token } });
    expect(after.expiresAt.getTime()).toBeGreaterThan(old.getTime());
  });
});
