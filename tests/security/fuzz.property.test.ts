// Hostile input (fast-check): malformed, wrong-typed and oversized input to the server actions,
// the admin/operator API routes and the scenario loader. Never a throw or a 5xx, never an
// unhandled rejection; a refusal names the field; a refused call stores nothing.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { createTestDb, type TestDb } from "@/tests/support/test-db";
import { runAs, seedRoleUsers, type RolePrincipals } from "@/tests/support/auth";
import * as hostActions from "@/app/(console)/hosts/actions";
import * as vmActions from "@/app/(console)/vms/actions";
import * as networkActions from "@/app/(console)/networks/actions";
import * as groupActions from "@/app/(console)/placement-groups/actions";
import * as powerActions from "@/app/(console)/vms/power-actions";
import * as maintenanceActions from "@/app/(console)/hosts/maintenance-actions";
import * as userActions from "@/app/(console)/users/actions";
import * as tokenActions from "@/app/(console)/hosts/[id]/agent/actions";
import { signInAction, setupAction } from "@/app/(auth)/actions";
import { POST as issueTokenRoute } from "@/app/api/v1/hosts/[id]/agent-token/route";
import { POST as batchTokensRoute } from "@/app/api/v1/agent-tokens/route";
import { POST as demoFaultRoute } from "@/app/api/v1/demo/faults/route";
import { ZScenario, formatScenarioIssues } from "@/lib/schemas/scenario";

let t: TestDb;
let users: RolePrincipals;
const rejections: unknown[] = [];
const onRejection = (e: unknown) => rejections.push(e);

beforeAll(async () => {
  t = await createTestDb({ seed: "demo" });
  (globalThis as unknown as { __havenDb?: unknown }).__havenDb = t.db;
  users = await seedRoleUsers(t.db, "fz");
  process.on("unhandledRejection", onRejection);
});
afterAll(async () => {
  process.off("unhandledRejection", onRejection);
  delete (globalThis as unknown as { __havenDb?: unknown }).__havenDb;
  await t?.cleanup();
});

async function fingerprint(): Promise<string> {
  const db = t.db;
  return JSON.stringify(
    await Promise.all([
      db.host.count(),
      db.gpu.count(),
      db.nic.count(),
      db.vm.count(),
      db.network.count(),
      db.placementGroup.count(),
      db.user.count(),
      db.auditLog.count(),
      db.host.count({ where: { agentTokenHash: { not: null } } }),
      db.vm.count({ where: { power: "running" } }),
      db.host.count({ where: { state: "maintenance" } }),
    ]),
  );
}

// Wrong-typed values, including big ones (100k characters, deep nesting, long arrays).
const hostile = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.integer(),
  fc.constantFrom("", " ", "-1", "NaN", "1e309", "0x10", "<script>alert(1)</script>", "'; DROP TABLE Host; --", "\u0000", "../../etc/passwd"),
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 5_000, maxLength: 5_000 }).map((s) => s.repeat(20)), // 100k characters
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.constant(Array.from({ length: 2000 }, (_, i) => String(i))),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.anything({ maxDepth: 2 }), { maxKeys: 4 }),
  fc.anything({ maxDepth: 3 }),
);

const FIELDS = ["id", "name", "hostId", "vmId", "cpus", "memoryGiB", "memoryMiB", "vcpus", "model", "pciAddress", "vlan", "cidr", "type", "tag", "email", "password", "role", "note", "devices", "nics", "redirectTo"];

/** An input: a record of known field names with hostile values, or something that is not a record at all. */
const input = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...FIELDS), hostile, { maxKeys: 6 }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
);

type Act = (prev: null, input: never) => Promise<{ ok: boolean; formError?: string; fieldErrors?: Record<string, string[]> }>;
const ACTIONS: [string, Act][] = [
  ["createHostAction", hostActions.createHostAction as Act],
  ["updateHostAction", hostActions.updateHostAction as Act],
  ["createGpuAction", hostActions.createGpuAction as Act],
  ["createNicAction", hostActions.createNicAction as Act],
  ["setNicTagAction", hostActions.setNicTagAction as Act],
  ["deleteHostAction", hostActions.deleteHostAction as Act],
  ["createVmAction", vmActions.createVmAction as Act],
  ["updateVmAction", vmActions.updateVmAction as Act],
  ["createNetworkAction", networkActions.createNetworkAction as Act],
  ["createPlacementGroupAction", groupActions.createPlacementGroupAction as Act],
  ["createUserAction", userActions.createUserAction as Act],
  ["setUserRoleAction", userActions.setUserRoleAction as Act],
  ["deleteUserAction", userActions.deleteUserAction as Act],
  ["issueAgentTokenAction", tokenActions.issueAgentTokenAction as Act],
  ["revokeAgentTokenAction", tokenActions.revokeAgentTokenAction as Act],
  // The VM and host pages' actions take an id argument: fuzz that argument.
  ["powerOnAction", ((_: null, raw: unknown) => powerActions.powerOnAction(raw as string)) as Act],
  ["powerOffAction", ((_: null, raw: unknown) => powerActions.powerOffAction(raw as string)) as Act],
  ["enterMaintenanceAction", ((_: null, raw: unknown) => maintenanceActions.enterMaintenanceAction(raw as string, raw as boolean)) as Act],
];

describe("server actions under hostile input (as an admin: every check past the role)", () => {
  for (const [name, act] of ACTIONS) {
    it(`${name}: answers a refusal that names the problem, stores nothing`, async () => {
      await fc.assert(
        fc.asyncProperty(input, async (raw) => {
          const before = await fingerprint();
          let r: Awaited<ReturnType<Act>>;
          try {
            r = await runAs(users.admin, () => act(null, raw as never));
          } catch (e) {
            // Only Next's redirect (a same-site redirectTo after success) may be thrown.
            expect(String((e as { digest?: string }).digest ?? e)).toMatch(/NEXT_REDIRECT/);
            return;
          }
          if (r.ok) return; // a random input that happens to be valid (an id that exists…)
          expect(typeof r.formError).toBe("string");
          expect(r.formError!.length).toBeGreaterThan(0);
          expect(r.formError).not.toMatch(/\bat .*\.ts:\d+|PrismaClient|SQLITE|TypeError/);
          if (r.fieldErrors) for (const [k, v] of Object.entries(r.fieldErrors) as [string, string[]][]) expect(k.length > 0 && v.every((m) => typeof m === "string" && m.length > 0)).toBe(true);
          expect(await fingerprint()).toBe(before);
        }),
        { numRuns: 40, seed: 5 },
      );
    });
  }

  it("wrong-typed known fields get an error under that field's name", async () => {
    const r = await runAs(users.admin, () => hostActions.createHostAction(null, { name: 12, cpus: "many", memoryGiB: { x: 1 } }));
    expect(r.ok).toBe(false);
    expect(Object.keys((r as { fieldErrors: object }).fieldErrors)).toEqual(expect.arrayContaining(["cpus", "memoryGiB"]));
    const u = await runAs(users.admin, () => userActions.createUserAction(null, { email: "x".repeat(100_000), name: "n", password: "short", role: "root" }));
    expect(u.ok).toBe(false);
    expect(Object.keys((u as { fieldErrors: object }).fieldErrors)).toEqual(expect.arrayContaining(["email", "password", "role"]));
  });

  it("the public sign-in and setup actions refuse junk with field errors and never throw", async () => {
    await fc.assert(
      fc.asyncProperty(input, async (raw) => {
        await t.db.signInThrottle.deleteMany();
        const before = await fingerprint();
        for (const act of [signInAction, setupAction]) {
          let r;
          try {
            r = await act(null, raw as never);
          } catch (e) {
            expect(String((e as { digest?: string }).digest ?? e)).toMatch(/NEXT_REDIRECT/);
            continue;
          }
          expect(r.ok).toBe(false);
          expect((r as { formError?: string }).formError).toBeTruthy();
        }
        expect(await fingerprint()).toBe(before);
      }),
      { numRuns: 40, seed: 9 },
    );
  });
});

describe("admin/operator API routes under hostile bodies: never a 5xx, problem+json", () => {
  const bodies = fc.oneof(
    input.map((v) => JSON.stringify(v) ?? "null"),
    fc.string({ maxLength: 200 }),
    fc.constantFrom("{", "[]", "null", '{"hosts": "h1"}', '{"limit": 1e9}', '{"action":"host-down"}', "\u0000\u0001"),
  );
  const call = (route: (r: Request, c: never) => Promise<Response>, url: string, body: string, ctype = "application/json") =>
    runAs(users.admin, () => route(new Request(`http://haven.test${url}`, { method: "POST", headers: { "content-type": ctype }, body }), { params: Promise.resolve({ id: body.slice(0, 30) }) } as never));

  it("POST /api/v1/agent-tokens, /api/v1/demo/faults, /api/v1/hosts/{id}/agent-token", async () => {
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        for (const [route, url] of [
          [batchTokensRoute, "/api/v1/agent-tokens"],
          [demoFaultRoute, "/api/v1/demo/faults"],
        ] as const) {
          const before = await fingerprint();
          const res = await call(route as never, url, body);
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) expect(res.headers.get("content-type")).toBe("application/problem+json");
          if (res.status >= 400) expect(await fingerprint()).toBe(before);
        }
        const res = await call(issueTokenRoute as never, "/api/v1/hosts/x/agent-token", body);
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 60, seed: 3 },
    );
  });

  it("refuses an oversized body with 413 before parsing", async () => {
    const big = JSON.stringify({ hosts: Array.from({ length: 40_000 }, (_, i) => `host-${i}`) });
    const res = await call(batchTokensRoute as never, "/api/v1/agent-tokens", big);
    expect(res.status).toBe(413);
    const fault = await call(demoFaultRoute as never, "/api/v1/demo/faults", JSON.stringify({ action: "host-down", host: "x".repeat(20_000) }));
    expect([404, 413]).toContain(fault.status); // demo mode off here: 404 before the body is read
  });

  it("saw no unhandled rejection", () => {
    expect(rejections).toEqual([]);
  });
});

// ------------------------------------------------------------------ scenario loader

const base = {
  name: "s",
  hosts: [{ name: "h1", cpus: 8, memoryGiB: 32, nics: [{ name: "ens2f0", role: "storage", bond: "stor0" }] }],
  vms: [{ name: "v1", vcpus: 1, memoryGiB: 1, host: "h1" }],
  runUntil: 60,
  events: [{ at: 1, do: "host-down", host: "h1" }],
};

/** Puts `value` at a random path of the valid scenario (replacing what was there). */
function mutate(doc: unknown, pathKeys: string[], value: unknown): unknown {
  if (pathKeys.length === 0) return value;
  const [k, ...rest] = pathKeys;
  if (Array.isArray(doc)) {
    const i = Number(k) % Math.max(1, doc.length);
    const copy = [...doc];
    copy[i] = mutate(copy[i], rest, value);
    return copy;
  }
  if (doc && typeof doc === "object") return { ...(doc as object), [k]: mutate((doc as Record<string, unknown>)[k], rest, value) };
  return { [k]: mutate(undefined, rest, value) };
}

describe("scenario loader under hostile input", () => {
  it("never throws; every refusal names the field path", () => {
    const keys = fc.array(fc.constantFrom("name", "hosts", "vms", "events", "runUntil", "cluster", "timing", "0", "1", "cpus", "memoryGiB", "nics", "host", "at", "do", "vm", "bond", "role"), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(keys, hostile, (k, v) => {
        const doc = mutate(base, k, v);
        const r = ZScenario.safeParse(doc);
        if (r.success) return;
        const text = formatScenarioIssues(r.error);
        expect(text.length).toBeGreaterThan(0);
        // The field is named: an issue has a path, or (an unknown top-level key) the message names it.
        expect(r.error.issues.some((i) => i.path.length > 0) || k.some((key) => text.includes(key))).toBe(true);
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it("npm run scenario exits 2 with a message on a non-JSON, wrong-typed or oversized file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scn-fuzz-"));
    const files = {
      "notjson.json": "{ this is not json",
      "wrongtype.json": JSON.stringify({ ...base, hosts: "h1" }),
      "huge.json": " ".repeat(9 * 1024 * 1024) + "{}",
    };
    try {
      for (const [name, content] of Object.entries(files)) {
        const f = path.join(dir, name);
        fs.writeFileSync(f, content);
        const r = spawnSync(path.resolve("node_modules/.bin/tsx"), ["--conditions=react-server", "scripts/scenario.ts", f], { encoding: "utf8", cwd: path.resolve(import.meta.dirname, "../..") });
        expect(r.status, name).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr).toMatch(name === "wrongtype.json" ? /hosts/ : name === "huge.json" ? /at most \d+ bytes/ : /JSON|Unexpected|Expected/);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
