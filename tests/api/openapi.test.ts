// The automation API against its own OpenAPI document: the document served at
// /api/v1/openapi.json is valid OpenAPI 3.1, every /api/v1 resource route is in it, and every
// answer of every documented operation (success, CSV and errors) validates against it (Ajv,
// JSON Schema 2020-12), so the document cannot drift from the routes. Called the way scripts
// call them: with a personal API token as `Authorization: Bearer`, on the demo store with a
// running HA controller (virtual clock) for power and maintenance.
/* eslint-disable @typescript-eslint/no-explicit-any -- answers are parsed JSON, checked against the document by Ajv */
import fs from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/tests/support/test-db";
import { seedRoleUsers, type RolePrincipals } from "@/tests/support/auth";
import { seedDemo } from "@/lib/server/seed";
import { startController, stopController } from "@/lib/server/ha/controller";
import { VirtualClock } from "@/lib/server/ha/clock";
import { createApiTokenAs } from "@/lib/server/auth/api-tokens";
import { GET as openapiRoute } from "@/app/api/v1/openapi.json/route";
import * as hostsList from "@/app/api/v1/hosts/route";
import * as hostGet from "@/app/api/v1/hosts/[id]/route";
import * as mEnter from "@/app/api/v1/hosts/[id]/maintenance/enter/route";
import * as mExit from "@/app/api/v1/hosts/[id]/maintenance/exit/route";
import * as vmsList from "@/app/api/v1/vms/route";
import * as vmGet from "@/app/api/v1/vms/[id]/route";
import * as powerOn from "@/app/api/v1/vms/[id]/power-on/route";
import * as powerOff from "@/app/api/v1/vms/[id]/power-off/route";
import * as gpusList from "@/app/api/v1/gpus/route";
import * as gpuGet from "@/app/api/v1/gpus/[id]/route";
import * as tagsList from "@/app/api/v1/tags/route";
import * as tagGet from "@/app/api/v1/tags/[type]/[...name]/route";
import * as alertsList from "@/app/api/v1/alerts/route";
import * as alertGet from "@/app/api/v1/alerts/[id]/route";
import * as ack from "@/app/api/v1/alerts/[id]/acknowledge/route";
import * as resolve from "@/app/api/v1/alerts/[id]/resolve/route";
import * as incidentsList from "@/app/api/v1/incidents/route";
import * as incidentGet from "@/app/api/v1/incidents/[id]/route";

type Json = Record<string, any>;
type Handler = (req: Request, ctx: { params: Promise<any> }) => Promise<Response>;

let t: TestDb;
let users: RolePrincipals;
let doc: Json;
let ajv: Ajv2020;
const tokens: Record<string, string> = {};
const g = globalThis as unknown as { __havenDb?: unknown };
/** operationId → statuses seen (and validated). */
const seen = new Map<string, Set<string>>();

beforeAll(async () => {
  t = await createTestDb();
  g.__havenDb = t.db;
  await seedDemo(t.db);
  users = await seedRoleUsers(t.db, "oas");
  startController({ db: t.db, clock: new VirtualClock(Date.now()) });
  for (const role of ["viewer", "operator"] as const) tokens[role] = (await createApiTokenAs({ name: `oas-${role}`, role, expiresInDays: 1 }, { principal: users[role], db: t.db })).token;
  expect((await openapiRoute(new Request("http://127.0.0.1/api/v1/openapi.json"))).status).toBe(401);
  const res = await openapiRoute(new Request("http://127.0.0.1/api/v1/openapi.json", { headers: { authorization: `Bearer ${tokens.viewer}` } }));
  expect(res.status).toBe(200);
  doc = await res.json();
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: "haven-v1", ...{ components: doc.components } });
}, 120_000);
afterAll(async () => {
  stopController();
  delete g.__havenDb;
  await t?.cleanup();
});

/** The documented operation for a path template and method. */
function operationOf(template: string, method: string): Json {
  const op = doc.paths[template]?.[method];
  if (!op) throw new Error(`${method.toUpperCase()} ${template} is not in the document`);
  return op;
}

/** Calls a route as a script would and validates the answer against the served document. */
async function call(
  handler: Handler,
  template: string,
  opts: { method?: "GET" | "POST"; params?: Record<string, unknown>; query?: string; body?: unknown; role?: "viewer" | "operator" | null } = {},
): Promise<{ status: number; body: any; text: string }> {
  const method = opts.method ?? "GET";
  const filled = template.replace(/\{(\w+)\}/g, (_m, k) => encodeURIComponent(String(opts.params?.[k] ?? "")));
  const headers: Record<string, string> = {};
  const role = opts.role === undefined ? "operator" : opts.role;
  if (role) headers.authorization = `Bearer ${tokens[role]}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const req = new Request(`http://127.0.0.1${filled}${opts.query ? `?${opts.query}` : ""}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const res = await handler(req, { params: Promise.resolve(opts.params ?? {}) });
  const op = operationOf(template, method.toLowerCase());
  const status = String(res.status);
  const documented = op.responses[status];
  expect(documented, `${method} ${template} answered ${status}, which the document does not list`).toBeTruthy();
  const ctype = (res.headers.get("content-type") ?? "").split(";")[0].trim();
  const media = documented.content?.[ctype];
  expect(media, `${method} ${template} ${status} answered ${ctype}, which the document does not list`).toBeTruthy();
  const text = await res.text();
  let body: unknown = text;
  if (ctype.endsWith("json")) {
    body = JSON.parse(text);
    const validate = ajv.compile({ $ref: `haven-v1${media.schema.$ref ?? ""}`, ...(media.schema.$ref ? {} : media.schema) });
    const ok = validate(body);
    expect(ok, `${method} ${template} ${status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  }
  const s = seen.get(op.operationId) ?? new Set<string>();
  s.add(status);
  seen.set(op.operationId, s);
  return { status: res.status, body, text };
}

describe("the served OpenAPI document", () => {
  it("is valid OpenAPI 3.1", async () => {
    const r = await new Validator().validate(doc as never);
    expect(r.errors ?? []).toEqual([]);
    expect(r.valid).toBe(true);
    expect(doc.openapi).toBe("3.1.0");
  });

  it("the validator this test relies on refuses an answer that drifted from the document", () => {
    const validate = ajv.compile({ $ref: "haven-v1#/components/schemas/Host" });
    expect(validate({ id: "h", name: "h" })).toBe(false);
    expect(ajv.errorsText(validate.errors)).toMatch(/required property 'state'/);
  });

  it("documents every /api/v1 resource route (and nothing that does not exist)", () => {
    const root = path.join(process.cwd(), "app", "api", "v1");
    const routes: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(dir, e.name));
        else if (e.name === "route.ts") routes.push("/api/v1/" + path.relative(root, dir).split(path.sep).join("/"));
      }
    };
    walk(root);
    // Not for scripts: the console's live refresh, demo fault injection, agent-token admin (documented in docs/agent-protocol.md).
    const internal = ["/api/v1/changes", "/api/v1/demo/faults", "/api/v1/hosts/[id]/agent-token", "/api/v1/agent-tokens"];
    const asTemplate = (r: string) => r.replace("[...name]", "{tag}").replace(/\[(\w+)\]/g, "{$1}");
    const documented = Object.keys(doc.paths).sort();
    expect(routes.filter((r) => !internal.includes(r)).map(asTemplate).sort()).toEqual(documented);
  });
});

describe("every answer matches the document", () => {
  it("hosts: list (JSON, CSV, filters, bad parameters), get by id and by name, 404", async () => {
    const list = await call(hostsList.GET as Handler, "/api/v1/hosts", { role: "viewer", query: "size=25&sort=name" });
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(10);
    expect(list.body.rows).toHaveLength(10);
    const online = await call(hostsList.GET as Handler, "/api/v1/hosts", { query: "state=online&zone=az-a" });
    expect(online.body.rows.every((h: Json) => h.state === "online" && h.zone === "az-a")).toBe(true);
    const csv = await call(hostsList.GET as Handler, "/api/v1/hosts", { query: "format=csv&size=25" });
    const lines = csv.text.trim().split("\r\n");
    expect(lines[0].split(",")).toContain("name");
    expect(lines).toHaveLength(11); // header + every host, not one page
    const bad = await call(hostsList.GET as Handler, "/api/v1/hosts", { query: "state=sideways&size=7&bogus=1" });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors).sort()).toEqual(["bogus", "size", "state"]);
    expect(bad.body.errors.bogus[0]).toBe("Unknown query parameter bogus");
    expect(bad.body.errors.state[0]).toMatch(/state must be one of/);
    expect(bad.body.errors.size[0]).toMatch(/size must be one of/);
    const first = list.body.rows[0];
    const byId = await call(hostGet.GET as Handler, "/api/v1/hosts/{id}", { params: { id: first.id } });
    expect(byId.body.name).toBe(first.name);
    const byName = await call(hostGet.GET as Handler, "/api/v1/hosts/{id}", { params: { id: first.name } });
    expect(byName.body.id).toBe(first.id);
    expect((await call(hostGet.GET as Handler, "/api/v1/hosts/{id}", { params: { id: "no-such-host" } })).status).toBe(404);
  });

  it("VMs: list (JSON, CSV, tag filter), get, 404", async () => {
    const list = await call(vmsList.GET as Handler, "/api/v1/vms", { role: "viewer", query: "size=100" });
    expect(list.body.total).toBe(60);
    const gpuVms = await call(vmsList.GET as Handler, "/api/v1/vms", { query: "devices=yes&size=100" });
    const withDevices = list.body.rows.filter((v: Json) => v.devices.length > 0).length;
    expect(withDevices).toBeGreaterThan(0);
    expect(gpuVms.body.total).toBe(withDevices);
    const tagged = await call(vmsList.GET as Handler, "/api/v1/vms", { query: "tag=sriov:trading-a" });
    expect(tagged.body.rows.length).toBeGreaterThan(0);
    expect((await call(vmsList.GET as Handler, "/api/v1/vms", { query: "tag=nope" })).status).toBe(400);
    const csv = await call(vmsList.GET as Handler, "/api/v1/vms", { query: "format=csv" });
    expect(csv.text.trim().split("\r\n")).toHaveLength(61);
    expect(csv.text.split("\r\n")[0]).toContain("host.name");
    const vm = await call(vmGet.GET as Handler, "/api/v1/vms/{id}", { params: { id: gpuVms.body.rows[0].name } });
    expect(vm.body.deviceRequests.length).toBeGreaterThan(0);
    expect((await call(vmGet.GET as Handler, "/api/v1/vms/{id}", { params: { id: "nope" } })).status).toBe(404);
  });

  it("GPUs and device tags: lists, CSV, get, a tag with a slash", async () => {
    const gpus = await call(gpusList.GET as Handler, "/api/v1/gpus", { query: "kind=vgpu" });
    expect(gpus.body.rows.every((x: Json) => x.kind === "vgpu")).toBe(true);
    await call(gpusList.GET as Handler, "/api/v1/gpus", { query: "format=csv" });
    const one = await call(gpuGet.GET as Handler, "/api/v1/gpus/{id}", { params: { id: gpus.body.rows[0].id } });
    expect(one.body.id).toBe(gpus.body.rows[0].id);
    expect((await call(gpuGet.GET as Handler, "/api/v1/gpus/{id}", { params: { id: "nope" } })).status).toBe(404);
    const tags = await call(tagsList.GET as Handler, "/api/v1/tags", {});
    const vgpuTag = tags.body.rows.find((x: Json) => x.type === "vgpu" && x.name.includes("/"));
    expect(vgpuTag).toBeTruthy();
    await call(tagsList.GET as Handler, "/api/v1/tags", { query: "type=sriov&format=csv" });
    expect((await call(tagsList.GET as Handler, "/api/v1/tags", { query: "type=disk" })).status).toBe(400);
    const tagReq = (type: string, name: string) =>
      call(((req: Request) => tagGet.GET(req, { params: Promise.resolve({ type, name: name.split("/") }) })) as Handler, "/api/v1/tags/{type}/{tag}", { params: { type, tag: name } });
    expect((await tagReq("vgpu", vgpuTag.name)).body.name).toBe(vgpuTag.name);
    expect((await tagReq("sriov", "no-such-tag")).status).toBe(404);
    expect((await tagReq("disk", "x")).status).toBe(400);
  });

  it("alerts: list, CSV, get, acknowledge with a note, resolve, and the refusals", async () => {
    const list = await call(alertsList.GET as Handler, "/api/v1/alerts", { role: "viewer", query: "status=open" });
    expect(list.body.rows.length).toBeGreaterThan(0);
    await call(alertsList.GET as Handler, "/api/v1/alerts", { query: "status=all&format=csv" });
    expect((await call(alertsList.GET as Handler, "/api/v1/alerts", { query: "severity=loud" })).status).toBe(400);
    const a = list.body.rows[0];
    const detail = await call(alertGet.GET as Handler, "/api/v1/alerts/{id}", { params: { id: a.id } });
    expect(detail.body.id).toBe(a.id);
    expect((await call(alertGet.GET as Handler, "/api/v1/alerts/{id}", { params: { id: "nope" } })).status).toBe(404);
    expect((await call(ack.POST as Handler, "/api/v1/alerts/{id}/acknowledge", { method: "POST", role: "viewer", params: { id: a.id }, body: {} })).status).toBe(403);
    expect((await call(ack.POST as Handler, "/api/v1/alerts/{id}/acknowledge", { method: "POST", role: null, params: { id: a.id }, body: {} })).status).toBe(401);
    const badNote = await call(ack.POST as Handler, "/api/v1/alerts/{id}/acknowledge", { method: "POST", params: { id: a.id }, body: { note: "x".repeat(600) } });
    expect(badNote.status).toBe(400);
    expect(badNote.body.errors.note).toBeTruthy();
    const acked = await call(ack.POST as Handler, "/api/v1/alerts/{id}/acknowledge", { method: "POST", params: { id: a.id }, body: { note: "looking" } });
    expect(acked.body).toMatchObject({ id: a.id, status: "acknowledged", ackNote: "looking" });
    expect(acked.body.ackBy).toContain('API token "oas-operator"');
    const resolved = await call(resolve.POST as Handler, "/api/v1/alerts/{id}/resolve", { method: "POST", params: { id: a.id } });
    expect(resolved.body.status).toBe("resolved");
    expect((await call(ack.POST as Handler, "/api/v1/alerts/{id}/acknowledge", { method: "POST", params: { id: a.id } })).status).toBe(409);
    expect((await call(resolve.POST as Handler, "/api/v1/alerts/{id}/resolve", { method: "POST", params: { id: "nope" } })).status).toBe(404);
  });

  it("incidents: list, CSV, get", async () => {
    const list = await call(incidentsList.GET as Handler, "/api/v1/incidents", { role: "viewer" });
    expect(list.body.total).toBe(3);
    await call(incidentsList.GET as Handler, "/api/v1/incidents", { query: "format=csv&status=closed" });
    const one = await call(incidentGet.GET as Handler, "/api/v1/incidents/{id}", { params: { id: list.body.rows[0].id } });
    expect(one.body.recovery).toHaveProperty("durationS");
    expect((await call(incidentGet.GET as Handler, "/api/v1/incidents/{id}", { params: { id: "nope" } })).status).toBe(404);
  });

  it("power off and on, maintenance enter and exit, with refusals", async () => {
    const running = (await call(vmsList.GET as Handler, "/api/v1/vms", { query: "power=running&devices=no&size=25" })).body.rows[0];
    expect((await call(powerOff.POST as Handler, "/api/v1/vms/{id}/power-off", { method: "POST", role: "viewer", params: { id: running.name } })).status).toBe(403);
    const off = await call(powerOff.POST as Handler, "/api/v1/vms/{id}/power-off", { method: "POST", params: { id: running.name } });
    expect(off.status).toBe(200);
    expect(off.body.vmId).toBe(running.id);
    // Powering the same VM on again while it stops is refused with the reason.
    const again = await call(powerOn.POST as Handler, "/api/v1/vms/{id}/power-on", { method: "POST", params: { id: running.id } });
    expect(again.status).toBe(409);
    expect(again.body.detail).toBeTruthy();
    const stopped = (await call(vmsList.GET as Handler, "/api/v1/vms", { query: "power=stopped&devices=no&size=100" })).body.rows;
    expect(stopped.length).toBeGreaterThan(0);
    const on = await call(powerOn.POST as Handler, "/api/v1/vms/{id}/power-on", { method: "POST", params: { id: stopped[0].name } });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(on.body.hostName).toBeTruthy();
    expect((await call(powerOn.POST as Handler, "/api/v1/vms/{id}/power-on", { method: "POST", params: { id: "nope" } })).status).toBe(404);

    const hosts = (await call(hostsList.GET as Handler, "/api/v1/hosts", { query: "state=online&sort=vms&dir=asc" })).body.rows;
    let entered: Json | null = null;
    for (const h of hosts) {
      const r = await call(mEnter.POST as Handler, "/api/v1/hosts/{id}/maintenance/enter", { method: "POST", params: { id: h.name }, body: { rebuildDeviceVms: false } });
      if (r.status === 200) {
        entered = r.body;
        break;
      }
      expect(r.status, JSON.stringify(r.body)).toBe(409);
    }
    expect(entered).not.toBeNull();
    const badBody = await call(mEnter.POST as Handler, "/api/v1/hosts/{id}/maintenance/enter", { method: "POST", params: { id: hosts[0].name }, body: { rebuildDeviceVms: "yes" } });
    expect(badBody.status).toBe(400);
    expect(badBody.body.errors.rebuildDeviceVms).toBeTruthy();
    const exit = await call(mExit.POST as Handler, "/api/v1/hosts/{id}/maintenance/exit", { method: "POST", params: { id: entered!.hostId } });
    expect(exit.body.hostId).toBe(entered!.hostId);
    expect((await call(mExit.POST as Handler, "/api/v1/hosts/{id}/maintenance/exit", { method: "POST", params: { id: "nope" } })).status).toBe(404);
    const audit = await t.db.auditLog.findMany({ where: { action: { in: ["power-off-vm", "enter-maintenance", "exit-maintenance"] }, actor: { contains: "oas-operator" } } });
    expect(audit.length).toBeGreaterThanOrEqual(3);
  });

  it("exercised every documented operation with a 200", () => {
    const ops = Object.values(doc.paths).flatMap((p: any) => Object.values(p) as Json[]).filter((o) => o.operationId !== "openapi");
    for (const o of ops) expect(seen.get(o.operationId)?.has("200"), `${o.operationId} never answered 200 in this test`).toBe(true);
  });
});
