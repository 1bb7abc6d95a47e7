// Sign-in through better-auth on a real store: setup once, scrypt hashes, sessions in the store,
// the session cookie → principal, sign-in delays (per account+client, per client, in the store:
// never a lock of the account for everyone), the last admin, cross-site refusal.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/tests/support/test-db";
import { runAs } from "@/tests/support/auth";
import { getAuth } from "@/lib/server/auth/auth";
import { principalFromHeaders } from "@/lib/server/auth/session";
import { signInWithPassword } from "@/lib/server/auth/sign-in";
import { createDb } from "@/lib/server/db";
import { delayAfter, throttlePolicy } from "@/lib/server/auth/throttle";
import { bootstrapAdminFromEnv, createUser, deleteUser, setUserRole, setupFirstAdmin, setupNeeded } from "@/lib/server/auth/users";
import { announceSignIn } from "@/lib/server/auth/bootstrap";
import { POST as issueTokenRoute } from "@/app/api/v1/hosts/[id]/agent-token/route";
import { createHostAction } from "@/app/(console)/hosts/actions";
import type { Principal } from "@/lib/server/auth/principal";

let t: TestDb;
const PW = "correct-horse-battery";

beforeAll(async () => {
  t = await createTestDb();
  (globalThis as unknown as { __havenDb?: unknown }).__havenDb = t.db;
});
afterAll(async () => {
  delete (globalThis as unknown as { __havenDb?: unknown }).__havenDb;
  await t?.cleanup();
});
beforeEach(async () => {
  await t.db.signInThrottle.deleteMany();
});

/** Signs in through better-auth and answers the session cookie header. */
async function cookieFor(email: string, password: string): Promise<string> {
  const res = await getAuth().api.signInEmail({ body: { email, password }, asResponse: true });
  expect(res.status).toBe(200);
  const set = res.headers.getSetCookie();
  const c = set.find((s) => /haven\.session_token=/.test(s));
  expect(c).toBeTruthy();
  return c!.split(";")[0];
}

describe("first-run setup and users", () => {
  let admin: Principal;

  it("the setup page is open on an empty store, creates one admin, then closes", async () => {
    expect(await setupNeeded()).toBe(true);
    expect(await announceSignIn({ PORT: "3999" }, () => {})).toBe("setup-needed");
    const u = await setupFirstAdmin({ email: "Root@Haven.Test", name: "Root", password: PW });
    expect(u).toMatchObject({ email: "root@haven.test", role: "admin" });
    admin = { id: u.id, email: u.email, name: u.name, role: "admin" };
    expect(await setupNeeded()).toBe(false);
    await expect(setupFirstAdmin({ email: "evil@haven.test", name: "Evil", password: PW })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await t.db.user.count()).toBe(1);
    expect(await bootstrapAdminFromEnv(t.db, { HAVEN_ADMIN_EMAIL: "x@haven.test", HAVEN_ADMIN_PASSWORD: PW })).toBe("exists");
  });

  it("stores the password only as a scrypt hash (never the password)", async () => {
    const acc = await t.db.account.findFirstOrThrow({ where: { user: { email: "root@haven.test" } } });
    expect(acc.providerId).toBe("credential");
    expect(acc.password).not.toContain(PW);
    expect(acc.password).toMatch(/^[0-9a-f]{32}:[0-9a-f]{128}$/); // better-auth scrypt: salt:key
  });

  it("signs in with the right password; the session row is in the store; the cookie names the user", async () => {
    const cookie = await cookieFor("root@haven.test", PW);
    expect(await t.db.session.count({ where: { userId: admin.id } })).toBeGreaterThan(0);
    const p = await principalFromHeaders(new Headers({ cookie }));
    expect(p).toMatchObject({ id: admin.id, role: "admin" });
    // A forged or stale cookie names nobody.
    expect(await principalFromHeaders(new Headers({ cookie: cookie.replace(/=.{6}/, "=AAAAAA") }))).toBeNull();
  });

  it("refuses a wrong password with one message for unknown and known emails", async () => {
    await expect(signInWithPassword({ email: "root@haven.test", password: "wrong-password-x" }, new Headers())).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "Wrong email or password" });
    await expect(signInWithPassword({ email: "nobody@haven.test", password: "wrong-password-x" }, new Headers())).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "Wrong email or password" });
    await expect(signInWithPassword({ email: "not-an-email", password: "" }, new Headers())).rejects.toMatchObject({ code: "VALIDATION", fieldErrors: { email: expect.any(Array), password: expect.any(Array) } });
  });

  it("wrong passwords from one address never lock the account at another: the only admin still signs in", async () => {
    // The attacker's address in X-Forwarded-For too: the old per-email lock (5 tries) refused
    // the admin everywhere; only the attacker's own address is slowed now.
    const attacker = { client: "203.0.113.9" };
    const fromAttacker = new Headers({ "x-forwarded-for": attacker.client });
    for (let i = 0; i < 3; i++) await expect(signInWithPassword({ email: "root@haven.test", password: `nope-${i}-xxxxxx` }, fromAttacker, attacker)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(signInWithPassword({ email: "root@haven.test", password: "nope-3-xxxxxx" }, fromAttacker, attacker)).rejects.toMatchObject({ code: "UNAVAILABLE", message: expect.stringMatching(/Too many failed sign-ins\. Try again in 1 s/) });
    await expect(signInWithPassword({ email: "root@haven.test", password: PW }, fromAttacker, attacker)).rejects.toMatchObject({ code: "UNAVAILABLE" });
    for (let i = 0; i < 3; i++) await signInWithPassword({ email: "root@haven.test", password: `again-${i}-xxxxx` }, fromAttacker, attacker).catch(() => {});
    const admin = { client: "198.51.100.20" };
    await expect(signInWithPassword({ email: "root@haven.test", password: PW }, new Headers({ "x-forwarded-for": admin.client }), admin)).resolves.toMatchObject({ email: "root@haven.test" });
  });

  it("delays double per account+client from the 3rd failure, up to the cap; waiting lets the right password in", async () => {
    const c = { client: "192.0.2.7" };
    const h = new Headers();
    const t0 = Date.parse("2026-05-01T10:00:00Z");
    const at = (s: number) => ({ ...c, now: new Date(t0 + s * 1000) });
    const wrong = (s: number) => signInWithPassword({ email: "root@haven.test", password: "wrong-password-x" }, h, at(s));
    await expect(wrong(0)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(wrong(0)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(wrong(0)).rejects.toMatchObject({ code: "UNAUTHORIZED" }); // the 3rd: 1 s from now
    await expect(wrong(0.5)).rejects.toMatchObject({ code: "UNAVAILABLE", message: expect.stringMatching(/in 1 s/) });
    await expect(wrong(1)).rejects.toMatchObject({ code: "UNAUTHORIZED" }); // 4th: 2 s
    await expect(wrong(2.5)).rejects.toMatchObject({ code: "UNAVAILABLE", message: expect.stringMatching(/in 1 s/) });
    await expect(wrong(3)).rejects.toMatchObject({ code: "UNAUTHORIZED" }); // 5th: 4 s
    await expect(wrong(4)).rejects.toMatchObject({ code: "UNAVAILABLE", message: expect.stringMatching(/in 3 s/) });
    // A refused attempt does not lengthen the wait.
    await expect(signInWithPassword({ email: "root@haven.test", password: PW }, h, at(7))).resolves.toMatchObject({ email: "root@haven.test" });
    expect(await t.db.signInThrottle.count({ where: { key: { startsWith: "a:" } } })).toBe(0); // the pair starts again from zero
    const p = throttlePolicy();
    expect([1, 2, 3, 4, 5, 12, 40].map((f) => delayAfter(f, 3, p))).toEqual([0, 0, 1, 2, 4, 60, 60]);
  });

  it("parallel wrong attempts cannot slip past the count: only the free ones reach the password check", async () => {
    const c = { client: "192.0.2.8" };
    const now = new Date();
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => signInWithPassword({ email: "root@haven.test", password: `burst-${i}-xxxxxx` }, new Headers(), { ...c, now })));
    const codes = results.map((r) => (r.status === "rejected" ? (r.reason as { code?: string }).code : "ok"));
    expect(codes.filter((x) => x === "UNAUTHORIZED")).toHaveLength(3);
    expect(codes.filter((x) => x === "UNAVAILABLE")).toHaveLength(7);
  });

  it("the delays live in the store: another process (another client of the same file) sees them", async () => {
    const c = { client: "192.0.2.9" };
    const now = new Date();
    for (let i = 0; i < 3; i++) await signInWithPassword({ email: "root@haven.test", password: `other-${i}-xxxxx` }, new Headers(), { ...c, now }).catch(() => {});
    const second = createDb(t.url);
    try {
      await expect(signInWithPassword({ email: "root@haven.test", password: PW }, new Headers(), { ...c, now, db: second })).rejects.toMatchObject({ code: "UNAVAILABLE" });
    } finally {
      await second.$disconnect();
    }
  });

  it("slows one client address spraying many accounts (from its Nth failure, 20 by default), not the others", async () => {
    expect(throttlePolicy().clientFree).toBe(20);
    process.env.HAVEN_SIGNIN_CLIENT_FREE_FAILURES = "6"; // fewer scrypt checks in this test
    try {
      const sprayer = { client: "10.0.0.77", now: new Date() };
      const codes: string[] = [];
      for (let i = 0; i < 9; i++) codes.push(await signInWithPassword({ email: `spray${i}@haven.test`, password: "whatever-123456" }, new Headers(), sprayer).then(() => "ok", (e: { code: string }) => e.code));
      expect(codes).toEqual([...Array(6).fill("UNAUTHORIZED"), ...Array(3).fill("UNAVAILABLE")]);
      await expect(signInWithPassword({ email: "root@haven.test", password: PW }, new Headers(), { client: "10.0.0.78", now: sprayer.now })).resolves.toMatchObject({ email: "root@haven.test" });
    } finally {
      delete process.env.HAVEN_SIGNIN_CLIENT_FREE_FAILURES;
    }
  });

  it("an X-Forwarded-For the server did not vouch for changes nothing: a new value each try is still the same client", async () => {
    // No socket sanitiser in this process (lib/forwarded-sanitiser.ts): forwarded addresses are not believed.
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const h = new Headers({ "x-forwarded-for": `10.9.${i}.1`, "x-real-ip": `10.8.${i}.1` });
      codes.push(await signInWithPassword({ email: "root@haven.test", password: `spoof-${i}-xxxxx` }, h).then(() => "ok", (e: { code: string }) => e.code));
    }
    expect(codes).toEqual(["UNAUTHORIZED", "UNAUTHORIZED", "UNAUTHORIZED", "UNAVAILABLE", "UNAVAILABLE"]);
  });

  it("never demotes or deletes the last admin, and an admin cannot delete themself", async () => {
    const ctx = { principal: admin };
    await expect(setUserRole({ id: admin.id, role: "viewer" }, ctx)).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(deleteUser({ id: admin.id }, ctx)).rejects.toMatchObject({ code: "CONFLICT" });
    const op = await createUser({ email: "op@haven.test", name: "Op", password: PW, role: "operator" }, ctx);
    await expect(createUser({ email: "op@haven.test", name: "Op", password: PW, role: "operator" }, ctx)).rejects.toMatchObject({ code: "CONFLICT", fieldErrors: { email: expect.any(Array) } });
    await setUserRole({ id: op.id, role: "admin" }, ctx);
    await expect(deleteUser({ id: admin.id }, ctx)).rejects.toMatchObject({ code: "CONFLICT", message: "You cannot delete yourself" });
    const opAdmin: Principal = { id: op.id, email: op.email, name: op.name, role: "admin" };
    await setUserRole({ id: op.id, role: "viewer" }, { principal: opAdmin }); // another admin exists: allowed
    const audit = await t.db.auditLog.findMany({ where: { entity: `user:${op.id}` }, orderBy: { at: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["create-user", "set-user-role", "set-user-role"]);
    for (const a of audit) expect(`${a.before}${a.after}`).not.toContain(PW);
  });

  it("a role change takes effect on the next request of an existing session", async () => {
    const cookie = await cookieFor("op@haven.test", PW);
    expect((await principalFromHeaders(new Headers({ cookie })))?.role).toBe("viewer");
    await setUserRole({ id: (await t.db.user.findUniqueOrThrow({ where: { email: "op@haven.test" } })).id, role: "operator" }, { principal: admin });
    expect((await principalFromHeaders(new Headers({ cookie })))?.role).toBe("operator");
  });

  it("a real session cookie reaches the admin API: admin 201, operator 403, cross-site origin 403", async () => {
    const host = await t.db.host.create({ data: { name: "cookie-h1", cpus: 4, memoryMiB: 4096, cluster: { create: { name: "c-auth" } } } });
    const adminCookie = await cookieFor("root@haven.test", PW);
    const opCookie = await cookieFor("op@haven.test", PW);
    const call = (cookie: string, origin?: string) =>
      issueTokenRoute(new Request(`http://haven.test/api/v1/hosts/${host.id}/agent-token`, { method: "POST", headers: { cookie, host: "haven.test", ...(origin ? { origin } : {}) } }), { params: Promise.resolve({ id: host.id }) });
    expect((await call(opCookie)).status).toBe(403);
    expect((await t.db.host.findUniqueOrThrow({ where: { id: host.id } })).agentTokenHash).toBeNull();
    expect((await call(adminCookie, "https://evil.example")).status).toBe(403);
    expect((await t.db.host.findUniqueOrThrow({ where: { id: host.id } })).agentTokenHash).toBeNull();
    expect((await call(adminCookie, "http://haven.test")).status).toBe(201);
    expect((await t.db.host.findUniqueOrThrow({ where: { id: host.id } })).agentTokenHash).not.toBeNull();
  });

  it("a deleted user's sessions end with them", async () => {
    const u = await createUser({ email: "temp@haven.test", name: "Temp", password: PW, role: "admin" }, { principal: admin });
    const cookie = await cookieFor("temp@haven.test", PW);
    expect(await principalFromHeaders(new Headers({ cookie }))).not.toBeNull();
    await deleteUser({ id: u.id }, { principal: admin });
    expect(await principalFromHeaders(new Headers({ cookie }))).toBeNull();
    // …and nothing acts as them: the action answers "Sign in first".
    const r = await runAs(await principalFromHeaders(new Headers({ cookie })), () => createHostAction(null, { name: "ghost", cpus: 1, memoryGiB: 1 }));
    expect(r).toMatchObject({ ok: false, formError: "Sign in first" });
  });
});

describe("logs", () => {
  it("never carry a password or an agent token (wrong sign-ins, user creation, token issue)", async () => {
    const seen: string[] = [];
    const orig = { out: process.stdout.write, err: process.stderr.write, log: console.log, error: console.error, warn: console.warn, info: console.info };
    const grab = (...a: unknown[]) => void seen.push(a.map(String).join(" "));
    process.stdout.write = ((c: unknown) => (seen.push(String(c)), true)) as typeof process.stdout.write;
    process.stderr.write = ((c: unknown) => (seen.push(String(c)), true)) as typeof process.stderr.write;
    Object.assign(console, { log: grab, error: grab, warn: grab, info: grab });
    let token = "";
    try {
      await signInWithPassword({ email: "root@haven.test", password: "Secret-Wrong-Password-9" }, new Headers()).catch(() => {});
      const admin = await t.db.user.findUniqueOrThrow({ where: { email: "root@haven.test" } });
      const ctx = { principal: { id: admin.id, email: admin.email, name: admin.name, role: "admin" as const } };
      await createUser({ email: "logs@haven.test", name: "Logs", password: "Secret-New-Password-7", role: "viewer" }, ctx);
      await createUser({ email: "logs@haven.test", name: "Logs", password: "Secret-New-Password-7", role: "viewer" }, ctx).catch(() => {});
      const host = await t.db.host.create({ data: { name: "logs-h1", cpus: 4, memoryMiB: 4096, cluster: { create: { name: "c-logs" } } } });
      const res = await runAs(ctx.principal, () => issueTokenRoute(new Request(`http://haven.test/api/v1/hosts/${host.id}/agent-token`, { method: "POST" }), { params: Promise.resolve({ id: host.id }) }));
      token = ((await res.json()) as { token: string }).token;
    } finally {
      process.stdout.write = orig.out;
      process.stderr.write = orig.err;
      Object.assign(console, { log: orig.log, error: orig.error, warn: orig.warn, info: orig.info });
    }
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const all = seen.join("\n");
    for (const secret of ["Secret-Wrong-Password-9", "Secret-New-Password-7", token]) expect(all).not.toContain(secret);
  });
});

describe("HAVEN_ADMIN_EMAIL / HAVEN_ADMIN_PASSWORD", () => {
  it("creates the first admin on an empty store and says so on stderr, never the password", async () => {
    const t2 = await createTestDb();
    const prev = (globalThis as unknown as { __havenDb?: unknown }).__havenDb;
    (globalThis as unknown as { __havenDb?: unknown }).__havenDb = t2.db;
    try {
      const lines: string[] = [];
      const r = await announceSignIn({ HAVEN_ADMIN_EMAIL: "env@haven.test", HAVEN_ADMIN_PASSWORD: "env-password-123", PORT: "3999" }, (l) => lines.push(l));
      expect(r).toBe("created");
      expect(lines.join("\n")).toMatch(/env@haven\.test.*http:\/\/localhost:3999\/sign-in/);
      expect(lines.join("\n")).not.toContain("env-password-123");
      expect(await t2.db.user.findUniqueOrThrow({ where: { email: "env@haven.test" } })).toMatchObject({ role: "admin" });
      expect(await announceSignIn({ HAVEN_ADMIN_EMAIL: "e@haven.test", HAVEN_ADMIN_PASSWORD: "short" }, () => {})).toBe("exists");
    } finally {
      (globalThis as unknown as { __havenDb?: unknown }).__havenDb = prev;
      await t2.cleanup();
    }
  });

  it("a too-short env password is not used: the setup page stays open", async () => {
    const t3 = await createTestDb();
    try {
      expect(await bootstrapAdminFromEnv(t3.db, { HAVEN_ADMIN_EMAIL: "e@haven.test", HAVEN_ADMIN_PASSWORD: "short" })).toBe("invalid");
      expect(await t3.db.user.count()).toBe(0);
    } finally {
      await t3.cleanup();
    }
  });
});
