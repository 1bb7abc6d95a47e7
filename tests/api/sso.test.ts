// Single sign-on against a real OpenID Connect provider (oidc-provider, started here): the console
// starts the sign-in (state + PKCE), the IdP's login form is filled in as a browser would, the
// IdP's redirect comes back through the console's /sso/callback route, and the group claim
// decides the role — or refuses the user with a clear reason and no account.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/tests/support/test-db";
import { ssoEnv, startIdp, type TestIdp } from "@/tests/support/oidc-idp";
import { GET as callbackRoute } from "@/app/(auth)/sso/callback/[providerId]/route";
import { startSsoSignIn } from "@/lib/server/auth/sign-in";
import { principalFromHeaders } from "@/lib/server/auth/session";
import { groupsOf, roleForGroups, ssoConfig } from "@/lib/server/auth/sso";

const BASE = "http://127.0.0.1:3999";
let t: TestDb;
let idp: TestIdp;
const saved: Record<string, string | undefined> = {};
const g = globalThis as unknown as { __havenDb?: unknown };

beforeAll(async () => {
  idp = await startIdp(BASE);
  for (const [k, v] of Object.entries(ssoEnv(idp.issuer, BASE))) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  t = await createTestDb();
  g.__havenDb = t.db;
}, 60_000);
afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  delete g.__havenDb;
  await t?.cleanup();
  await idp?.close();
});

/** A tiny cookie jar: name → value, from Set-Cookie headers. */
class Jar {
  private c = new Map<string, string>();
  take(res: Response) {
    for (const s of res.headers.getSetCookie()) {
      const [pair] = s.split(";");
      const i = pair.indexOf("=");
      const v = pair.slice(i + 1);
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(s) || v === "") this.c.delete(pair.slice(0, i));
      else this.c.set(pair.slice(0, i), v);
    }
  }
  header() {
    return [...this.c].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

/** A browser's trip: the console's sign-in start, the IdP's login and consent, back to the console's callback. */
async function signInAs(login: string): Promise<{ res: Response; consoleCookies: Jar }> {
  const consoleJar = new Jar();
  // The console's server action: the state cookie goes to the browser, the browser goes to the IdP.
  const startHeaders = new Headers({ origin: BASE, host: "127.0.0.1:3999" });
  const { getAuth } = await import("@/lib/server/auth/auth");
  const start = await getAuth().api.signInSocial({
    body: { provider: "oidc", callbackURL: "/", errorCallbackURL: "/sso/refused", disableRedirect: true },
    headers: startHeaders,
    asResponse: true,
  });
  expect(start.status).toBe(200);
  consoleJar.take(start);
  let url: string = ((await start.json()) as { url: string }).url;
  expect(url.startsWith(idp.issuer)).toBe(true);
  expect(new URL(url).searchParams.get("code_challenge")).toBeTruthy();

  const idpJar = new Jar();
  for (let hop = 0; hop < 20; hop++) {
    if (url.startsWith(BASE)) break;
    let res = await fetch(url, { redirect: "manual", headers: { cookie: idpJar.header() } });
    idpJar.take(res);
    if (res.status === 200 && /\/interaction\//.test(url)) {
      const html = await res.text();
      const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
      const action = new URL(/action="([^"]+)"/.exec(html)![1], url).toString();
      const form = prompt === "login" ? new URLSearchParams({ prompt, login, password: "any" }) : new URLSearchParams({ prompt: prompt ?? "consent" });
      res = await fetch(action, { method: "POST", redirect: "manual", headers: { cookie: idpJar.header(), "content-type": "application/x-www-form-urlencoded" }, body: form });
      idpJar.take(res);
    }
    const loc = res.headers.get("location");
    expect(loc, `IdP answered ${res.status} at ${url}`).toBeTruthy();
    url = new URL(loc!, url).toString();
  }
  expect(url.startsWith(`${BASE}/sso/callback/oidc?`)).toBe(true);
  const cb = await callbackRoute(new Request(url, { headers: { cookie: consoleJar.header(), host: "127.0.0.1:3999" } }), { params: Promise.resolve({ providerId: "oidc" }) });
  consoleJar.take(cb);
  return { res: cb, consoleCookies: consoleJar };
}

describe("group claim → role", () => {
  it("the highest role a group gives wins; a nested claim path works; no matching group gives none", () => {
    const m = { admin: ["a"], operator: ["o"], viewer: ["v"] };
    expect(roleForGroups(["v", "o"], m)).toBe("operator");
    expect(roleForGroups(["x", "a", "v"], m)).toBe("admin");
    expect(roleForGroups(["x"], m)).toBeNull();
    expect(groupsOf({ realm_access: { roles: ["a", 3] } }, "realm_access.roles")).toEqual(["a"]);
    expect(groupsOf({ groups: "a b" }, "groups")).toEqual(["a", "b"]);
    expect(groupsOf({}, "groups")).toEqual([]);
  });

  it("a half-configured SSO names the missing setting", () => {
    expect(() => ssoConfig({ HAVEN_OIDC_ISSUER: "https://idp", HAVEN_OIDC_CLIENT_ID: "x" })).toThrow(/HAVEN_OIDC_CLIENT_SECRET/);
    expect(() => ssoConfig({ HAVEN_OIDC_ISSUER: "https://idp", HAVEN_OIDC_CLIENT_ID: "x", HAVEN_OIDC_CLIENT_SECRET: "y", HAVEN_BASE_URL: "https://h" })).toThrow(/HAVEN_OIDC_ADMIN_GROUPS/);
    expect(ssoConfig({})).toBeNull();
  });
});

describe("OpenID Connect sign-in against oidc-provider", () => {
  it("the console's sign-in start points at the IdP with PKCE and the registered redirect URI", async () => {
    const url = new URL(await startSsoSignIn("/", new Headers({ origin: BASE })));
    expect(url.origin).toBe(idp.issuer);
    expect(url.searchParams.get("redirect_uri")).toBe(`${BASE}/sso/callback/oidc`);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("scope")).toContain("groups");
  });

  it("a member of the admin group signs in as an admin; the session works on the fast path", async () => {
    const { res, consoleCookies } = await signInAs("alice");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/");
    const p = await principalFromHeaders(new Headers({ cookie: consoleCookies.header() }));
    expect(p).toMatchObject({ email: "alice@idp.test", name: "Alice Admin", role: "admin" });
    const acct = await t.db.account.findFirstOrThrow({ where: { providerId: "oidc", user: { email: "alice@idp.test" } } });
    expect(acct.accountId).toBe("alice");
  });

  it("an operator-group member is an operator; moving her groups at the IdP changes her role at the next sign-in (audited)", async () => {
    const first = await signInAs("olga");
    expect((await principalFromHeaders(new Headers({ cookie: first.consoleCookies.header() })))?.role).toBe("operator");
    idp.setGroups("olga", ["haven-admins"]);
    const second = await signInAs("olga");
    expect((await principalFromHeaders(new Headers({ cookie: second.consoleCookies.header() })))?.role).toBe("admin");
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "sso-set-role" } });
    expect(JSON.parse(audit.before!)).toEqual({ role: "operator" });
    expect(audit.actor).toBe("sso:oidc");
  });

  it("a user whose groups give no role is refused with the reason, and no account is kept", async () => {
    const { res, consoleCookies } = await signInAs("eve");
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get("location")!, BASE);
    expect(to.pathname).toBe("/sso/refused");
    expect(to.searchParams.get("error")).toBe("no_haven_role");
    expect(to.searchParams.get("error_description")).toMatch(/contractors.*haven-admins/);
    expect(consoleCookies.header()).not.toMatch(/session_token/);
    expect(await t.db.user.count({ where: { email: "eve@idp.test" } })).toBe(0);
  });

  it("a known user whose groups were taken away is refused too (no session)", async () => {
    idp.setGroups("olga", ["former-staff"]);
    const { res, consoleCookies } = await signInAs("olga");
    expect(new URL(res.headers.get("location")!, BASE).searchParams.get("error")).toBe("no_haven_role");
    expect(consoleCookies.header()).not.toMatch(/session_token/);
  });

  it("a callback with a forged state is refused", async () => {
    const res = await callbackRoute(new Request(`${BASE}/sso/callback/oidc?code=abc&state=forged`), { params: Promise.resolve({ providerId: "oidc" }) });
    expect(res.status).toBeGreaterThanOrEqual(300);
    expect(res.status).toBeLessThan(400);
    expect(res.headers.get("location")).toMatch(/^\/sso\/refused\?error=/);
    expect(res.headers.getSetCookie().join(";")).not.toMatch(/session_token=[^;]/);
  });
});
