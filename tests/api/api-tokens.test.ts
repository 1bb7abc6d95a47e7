// Personal API tokens (better-auth's API key plugin) on a real store: issued once and stored
// hashed, role never above the owner's (when issued and on every request), expiry, revocation,
// audit, and `Authorization: Bearer` on /api/v1 routes.
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/tests/support/test-db";
import { seedRoleUsers, type RolePrincipals } from "@/tests/support/auth";
import { createApiTokenAs, listApiTokens, principalFromApiToken, revokeApiTokenAs } from "@/lib/server/auth/api-tokens";
import { GET as changesRoute } from "@/app/api/v1/changes/route";
import { POST as issueAgentTokenRoute } from "@/app/api/v1/hosts/[id]/agent-token/route";
import { isAppError } from "@/lib/server/errors";

let t: TestDb;
let users: RolePrincipals;

beforeAll(async () => {
  t = await createTestDb({ seed: "demo" });
  (globalThis as unknown as { __havenDb?: unknown }).__havenDb = t.db;
  users = await seedRoleUsers(t.db, "tok");
});
afterAll(async () => {
  delete (globalThis as unknown as { __havenDb?: unknown }).__havenDb;
  await t?.cleanup();
});

const bearer = (token: string, method = "GET", path = "/api/v1/changes") => new Request(`http://127.0.0.1${path}`, { method, headers: { authorization: `Bearer ${token}` } });

async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a refusal");
}

describe("personal API tokens", () => {
  it("are shown once, stored as a SHA-256 hash, and work as Bearer on /api/v1", async () => {
    const issued = await createApiTokenAs({ name: "ci", role: "viewer", expiresInDays: 30 }, { principal: users.operator, db: t.db });
    expect(issued.token).toMatch(/^haven_[A-Za-z]{48}$/);
    expect(issued.start).toBe(issued.token.slice(0, 12));
    const row = await t.db.apiKey.findUniqueOrThrow({ where: { id: issued.id } });
    expect(row.key).not.toContain(issued.token);
    expect(row.key).toBe(crypto.createHash("sha256").update(issued.token).digest("base64url"));
    const days = (row.expiresAt!.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);
    expect(JSON.stringify(await listApiTokens({}, { principal: users.operator, db: t.db }))).not.toContain(issued.token);

    const res = await changesRoute(bearer(issued.token));
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty("version");
    const audit = await t.db.auditLog.findMany({ where: { entity: `api-token:${issued.id}` } });
    expect(audit.map((a) => a.action)).toEqual(["create-api-token"]);
    expect(audit[0].after).not.toContain(issued.token);
  });

  it("refuses a role above the owner's, and bad input names the field", async () => {
    const e = await refusal(createApiTokenAs({ name: "x", role: "admin", expiresInDays: 7 }, { principal: users.operator, db: t.db }));
    expect(isAppError(e) && e.code).toBe("FORBIDDEN");
    const v = await refusal(createApiTokenAs({ name: "", role: "root", expiresInDays: 9999 }, { principal: users.viewer, db: t.db }));
    expect(isAppError(v) && v.code).toBe("VALIDATION");
    expect(Object.keys((v as { fieldErrors: object }).fieldErrors).sort()).toEqual(["expiresInDays", "name", "role"]);
    const anon = await refusal(createApiTokenAs({ name: "x", role: "viewer", expiresInDays: 7 }, { principal: null, db: t.db }));
    expect(isAppError(anon) && anon.code).toBe("UNAUTHORIZED");
  });

  it("acts with the lower of its role and the owner's current role", async () => {
    const u = await t.db.user.create({ data: { email: "demote@haven.test", name: "Demote", role: "admin" } });
    const p = { id: u.id, email: u.email, name: u.name, role: "admin" as const };
    const issued = await createApiTokenAs({ name: "admin-script", role: "admin", expiresInDays: 7 }, { principal: p, db: t.db });
    expect((await principalFromApiToken(issued.token, t.db))?.role).toBe("admin");
    const ok = await issueAgentTokenRoute(bearer(issued.token, "POST", "/api/v1/hosts/x/agent-token"), { params: Promise.resolve({ id: "no-such-host" }) });
    expect(ok.status).toBe(404); // admin accepted; the host does not exist
    await t.db.user.update({ where: { id: u.id }, data: { role: "viewer" } });
    expect((await principalFromApiToken(issued.token, t.db))?.role).toBe("viewer");
    const refused = await issueAgentTokenRoute(bearer(issued.token, "POST", "/api/v1/hosts/x/agent-token"), { params: Promise.resolve({ id: "no-such-host" }) });
    expect(refused.status).toBe(403);
    await t.db.user.delete({ where: { id: u.id } });
    expect(await t.db.apiKey.count({ where: { id: issued.id } })).toBe(0);
    expect(await principalFromApiToken(issued.token, t.db)).toBeNull();
  });

  it("stops working once revoked or expired; others cannot revoke it", async () => {
    const issued = await createApiTokenAs({ name: "short", role: "viewer", expiresInDays: 1 }, { principal: users.viewer, db: t.db });
    expect((await changesRoute(bearer(issued.token))).status).toBe(200);
    const notYours = await refusal(revokeApiTokenAs({ id: issued.id }, { principal: users.operator, db: t.db }));
    expect(isAppError(notYours) && notYours.code).toBe("NOT_FOUND");
    await revokeApiTokenAs({ id: issued.id }, { principal: users.viewer, db: t.db });
    const res = await changesRoute(bearer(issued.token));
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect((await res.json()).detail).toMatch(/unknown, expired or revoked/);
    expect((await t.db.auditLog.findMany({ where: { entity: `api-token:${issued.id}` }, orderBy: { at: "asc" } })).map((a) => a.action)).toEqual(["create-api-token", "revoke-api-token"]);

    const old = await createApiTokenAs({ name: "old", role: "viewer", expiresInDays: 1 }, { principal: users.viewer, db: t.db });
    await t.db.apiKey.update({ where: { id: old.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await changesRoute(bearer(old.token))).status).toBe(401);
    // A made-up token of the right shape, and a bearer that is no API token at all.
    expect((await changesRoute(bearer("haven_" + "a".repeat(48)))).status).toBe(401);
    expect((await changesRoute(bearer("not-a-haven-token"))).status).toBe(401);
  });

  it("an admin lists everybody's tokens; others only their own", async () => {
    await createApiTokenAs({ name: "mine", role: "viewer", expiresInDays: 7 }, { principal: users.admin, db: t.db });
    const own = await listApiTokens({ all: true }, { principal: users.viewer, db: t.db });
    expect(own.every((k) => k.owner.id === users.viewer.id)).toBe(true);
    const all = await listApiTokens({ all: true }, { principal: users.admin, db: t.db });
    expect(new Set(all.map((k) => k.owner.id)).size).toBeGreaterThan(1);
  });
});
