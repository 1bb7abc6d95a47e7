// Who may do what: every server action and admin/operator API route called directly as each
// role (anonymous, viewer, operator, admin). A refused call answers a clear refusal
// (`{ ok: false, formError }` / problem+json 401 or 403) and stores nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "@/lib/schemas/auth";
import { createTestDb, type TestDb } from "@/tests/support/test-db";
import { runAs, seedRoleUsers, type RolePrincipals } from "@/tests/support/auth";
import type { Principal } from "@/lib/server/auth/principal";
import * as hostActions from "@/app/(console)/hosts/actions";
import * as vmActions from "@/app/(console)/vms/actions";
import * as networkActions from "@/app/(console)/networks/actions";
import * as groupActions from "@/app/(console)/placement-groups/actions";
import * as userActions from "@/app/(console)/users/actions";
import * as tokenActions from "@/app/(console)/hosts/[id]/agent/actions";
import * as alertActions from "@/app/(console)/alerts/actions";
import * as haSettingsActions from "@/app/(console)/settings/ha/actions";
import * as gpuModeActions from "@/app/(console)/gpus/dashboard/actions";
import * as powerActions from "@/app/(console)/vms/power-actions";
import * as maintenanceActions from "@/app/(console)/hosts/maintenance-actions";
import * as homeActions from "@/app/(console)/(home)/actions";
import { POST as issueTokenRoute, DELETE as revokeTokenRoute } from "@/app/api/v1/hosts/[id]/agent-token/route";
import { POST as batchTokensRoute } from "@/app/api/v1/agent-tokens/route";
import { POST as demoFaultRoute } from "@/app/api/v1/demo/faults/route";
import { GET as changesRoute } from "@/app/api/v1/changes/route";
import { GET as v1HostsRoute } from "@/app/api/v1/hosts/route";
import { GET as v1OpenapiRoute } from "@/app/api/v1/openapi.json/route";
import { POST as v1PowerOnRoute } from "@/app/api/v1/vms/[id]/power-on/route";
import { POST as v1PowerOffRoute } from "@/app/api/v1/vms/[id]/power-off/route";
import { POST as v1EnterRoute } from "@/app/api/v1/hosts/[id]/maintenance/enter/route";
import { POST as v1ExitRoute } from "@/app/api/v1/hosts/[id]/maintenance/exit/route";
import { POST as v1AckRoute } from "@/app/api/v1/alerts/[id]/acknowledge/route";
import { POST as v1ResolveRoute } from "@/app/api/v1/alerts/[id]/resolve/route";
import * as apiTokenActions from "@/app/(console)/settings/api-tokens/actions";
import { acknowledgeAlertAs, resolveAlertAs } from "@/lib/server/ops";
import { listAudit } from "@/lib/server/audit";
import { listUsers } from "@/lib/server/auth/users";
import { createHost } from "@/lib/server/inventory/hosts";

let t: TestDb;
let users: RolePrincipals;
let ref: { hostId: string; vmId: string; networkId: string; groupId: string; alertId: string; gpuId: string; nicId: string };

const WHO: (Role | "anonymous")[] = ["anonymous", "viewer", "operator", "admin"];
const principal = (who: Role | "anonymous"): Principal | null => (who === "anonymous" ? null : users[who]);
const RANK = { anonymous: -1, viewer: 0, operator: 1, admin: 2 } as const;

beforeAll(async () => {
  t = await createTestDb({ seed: "demo" });
  (globalThis as unknown as { __havenDb?: unknown }).__havenDb = t.db;
  users = await seedRoleUsers(t.db, "acc");
  const host = await t.db.host.findFirstOrThrow({ orderBy: { name: "asc" }, include: { gpus: true, nics: true } });
  const vm = await t.db.vm.findFirstOrThrow({ orderBy: { name: "asc" } });
  const net = await t.db.network.findFirstOrThrow();
  const group = await t.db.placementGroup.findFirst();
  const alert = await t.db.alert.findFirstOrThrow({ where: { status: "open" } });
  ref = {
    hostId: host.id,
    vmId: vm.id,
    networkId: net.id,
    groupId: group?.id ?? "none",
    alertId: alert.id,
    gpuId: host.gpus[0]?.id ?? "none",
    nicId: host.nics[0]?.id ?? "none",
  };
});
afterAll(async () => {
  delete (globalThis as unknown as { __havenDb?: unknown }).__havenDb;
  await t?.cleanup();
});

/** Everything a refused call could have changed. */
async function fingerprint(): Promise<string> {
  const db = t.db;
  const parts = await Promise.all([
    db.host.findMany({ select: { id: true, name: true, cpus: true, state: true, agentTokenHash: true }, orderBy: { id: "asc" } }),
    db.vm.findMany({ select: { id: true, name: true, power: true, vcpus: true }, orderBy: { id: "asc" } }),
    db.gpu.findMany({ select: { id: true, mode: true, vgpuProfile: true }, orderBy: { id: "asc" } }),
    db.cluster.findMany({ select: { haMode: true, faultTolerance: true, reservation: true, failureTimeoutS: true } }),
    db.nic.findMany({ select: { id: true, tag: true }, orderBy: { id: "asc" } }),
    db.network.count(),
    db.placementGroup.count(),
    db.alert.findMany({ select: { id: true, status: true }, orderBy: { id: "asc" } }),
    db.user.findMany({ select: { id: true, role: true }, orderBy: { id: "asc" } }),
    db.account.count(),
    db.auditLog.count(),
    db.agentCommand.count(),
    db.apiKey.count(),
  ]);
  return JSON.stringify(parts);
}

type Result = { ok: boolean; formError?: string; fieldErrors?: Record<string, string[]> };

interface ActionCase {
  name: string;
  need: Role;
  call: () => Promise<Result>;
}

const fd = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
};

const ACTIONS: ActionCase[] = [
  // personal API tokens: any signed-in user
  { name: "createApiTokenAction", need: "viewer", call: () => apiTokenActions.createApiTokenAction(null, fd({ name: "acc-token", role: "viewer", expiresInDays: "7" })) },
  { name: "revokeApiTokenAction", need: "viewer", call: () => apiTokenActions.revokeApiTokenAction(null, { id: "any" }) },
  // inventory: admin
  { name: "createHostAction", need: "admin", call: () => hostActions.createHostAction(null, fd({ name: "acc-new-host", cpus: "8", memoryGiB: "32" })) },
  { name: "updateHostAction", need: "admin", call: () => hostActions.updateHostAction(null, { id: ref.hostId, name: "acc-renamed", cpus: 8, memoryMiB: 32768 }) },
  { name: "deleteHostAction", need: "admin", call: () => hostActions.deleteHostAction(null, { id: ref.hostId }) },
  { name: "createGpuAction", need: "admin", call: () => hostActions.createGpuAction(null, { hostId: ref.hostId, model: "NVIDIA L4", pciAddress: "0000:ff:00.0" }) },
  { name: "updateGpuAction", need: "admin", call: () => hostActions.updateGpuAction(null, { id: ref.gpuId, model: "NVIDIA L4", pciAddress: "0000:fe:00.0" }) },
  { name: "deleteGpuAction", need: "admin", call: () => hostActions.deleteGpuAction(null, { id: ref.gpuId }) },
  { name: "createNicAction", need: "admin", call: () => hostActions.createNicAction(null, { hostId: ref.hostId, name: "acc9" }) },
  { name: "updateNicAction", need: "admin", call: () => hostActions.updateNicAction(null, { id: ref.nicId, name: "acc8" }) },
  { name: "deleteNicAction", need: "admin", call: () => hostActions.deleteNicAction(null, { id: ref.nicId }) },
  { name: "setNicTagAction", need: "admin", call: () => hostActions.setNicTagAction(null, { id: ref.nicId, tag: "acc-tag" }) },
  { name: "clearNicTagAction", need: "admin", call: () => hostActions.clearNicTagAction(null, { id: ref.nicId }) },
  { name: "createVmAction", need: "admin", call: () => vmActions.createVmAction(null, { name: "acc-vm", vcpus: 1, memoryGiB: 1 }) },
  { name: "updateVmAction", need: "admin", call: () => vmActions.updateVmAction(null, { id: ref.vmId, name: "acc-vm2", vcpus: 1, memoryGiB: 1 }) },
  { name: "deleteVmAction", need: "admin", call: () => vmActions.deleteVmAction(null, { id: ref.vmId }) },
  { name: "createNetworkAction", need: "admin", call: () => networkActions.createNetworkAction(null, { name: "acc-net", vlan: 999 }) },
  { name: "updateNetworkAction", need: "admin", call: () => networkActions.updateNetworkAction(null, { id: ref.networkId, name: "acc-net2" }) },
  { name: "deleteNetworkAction", need: "admin", call: () => networkActions.deleteNetworkAction(null, { id: ref.networkId }) },
  { name: "createPlacementGroupAction", need: "admin", call: () => groupActions.createPlacementGroupAction(null, { name: "acc-pg", type: "anti-affinity" }) },
  { name: "updatePlacementGroupAction", need: "admin", call: () => groupActions.updatePlacementGroupAction(null, { id: ref.groupId, name: "acc-pg2" }) },
  { name: "deletePlacementGroupAction", need: "admin", call: () => groupActions.deletePlacementGroupAction(null, { id: ref.groupId }) },
  // users and agent tokens: admin
  { name: "createUserAction", need: "admin", call: () => userActions.createUserAction(null, { email: "acc-new@haven.test", name: "New", password: "a-long-password-1", role: "admin" }) },
  { name: "setUserRoleAction", need: "admin", call: () => userActions.setUserRoleAction(null, { id: users.viewer.id, role: "admin" }) },
  { name: "deleteUserAction", need: "admin", call: () => userActions.deleteUserAction(null, { id: users.operator.id }) },
  { name: "issueAgentTokenAction", need: "admin", call: () => tokenActions.issueAgentTokenAction(null, { hostId: ref.hostId }) },
  { name: "revokeAgentTokenAction", need: "admin", call: () => tokenActions.revokeAgentTokenAction(null, { hostId: ref.hostId }) },
  // operations: operator
  { name: "acknowledgeAlertsAction", need: "operator", call: () => alertActions.acknowledgeAlertsAction({ ids: [ref.alertId], note: "x" }) },
  { name: "resolveAlertsAction", need: "operator", call: () => alertActions.resolveAlertsAction({ ids: [ref.alertId] }) },
  { name: "powerOnAction (VM page)", need: "operator", call: () => powerActions.powerOnAction(ref.vmId) },
  { name: "powerOffAction (VM page)", need: "operator", call: () => powerActions.powerOffAction(ref.vmId) },
  { name: "enterMaintenanceAction (host page)", need: "operator", call: () => maintenanceActions.enterMaintenanceAction(ref.hostId, false) },
  { name: "exitMaintenanceAction (host page)", need: "operator", call: () => maintenanceActions.exitMaintenanceAction(ref.hostId) },
  // HA settings and GPU modes: admin
  { name: "saveHaSettingsAction", need: "admin", call: () => haSettingsActions.saveHaSettingsAction(null, { haMode: "disabled" }) },
  { name: "previewHaSettingsAction", need: "admin", call: () => haSettingsActions.previewHaSettingsAction({ haMode: "disabled" }) },
  { name: "switchGpuModeAction", need: "admin", call: () => gpuModeActions.switchGpuModeAction(null, { gpuId: ref.gpuId, mode: "passthrough" }) },
  // reads: any signed-in user
  { name: "whatIfAction", need: "viewer", call: () => homeActions.whatIfAction(ref.hostId) },
  { name: "previewEvacuationAction", need: "viewer", call: () => maintenanceActions.previewEvacuationAction(ref.hostId, false) },
];

const REFUSAL = /^(Sign in first|Only an? .* may do this|Your role)/;

describe("server actions refuse roles below what they need, and store nothing", () => {
  for (const c of ACTIONS) {
    for (const who of WHO) {
      if (RANK[who] >= RANK[c.need]) continue;
      it(`${c.name} as ${who} → refused`, async () => {
        const before = await fingerprint();
        const r = await runAs(principal(who), c.call);
        expect(r.ok).toBe(false);
        expect(r.formError).toMatch(who === "anonymous" ? /^Sign in first/ : REFUSAL);
        expect(await fingerprint()).toBe(before);
      });
    }
  }
});

describe("the roles that may, get past the role check", () => {
  // Run as the lowest allowed role; the call may still fail on its own terms (a VM already
  // running, a host with VMs), but never with a role refusal.
  for (const c of ACTIONS.filter((a) => a.need === "operator")) {
    it(`${c.name} as operator is not refused for its role`, async () => {
      const r = await runAs(users.operator, c.call);
      if (!r.ok) expect(r.formError ?? "").not.toMatch(REFUSAL);
    });
  }

  it("an admin creates a host, and the audit row names the admin", async () => {
    const r = await runAs(users.admin, () => hostActions.createHostAction(null, fd({ name: "acc-admin-host", cpus: "8", memoryGiB: "32" })));
    expect(r.ok).toBe(true);
    const row = await t.db.auditLog.findFirstOrThrow({ where: { action: "create-host" }, orderBy: { at: "desc" } });
    expect(row).toMatchObject({ actor: users.admin.email, userId: users.admin.id });
    expect(JSON.parse(row.after!)).toMatchObject({ name: "acc-admin-host" });
  });

  it("an operator acknowledges and resolves an alert; the audit row has before and after", async () => {
    const alertId = (await t.db.alert.findFirstOrThrow({ where: { status: "open", id: { not: ref.alertId } } })).id;
    const a = await runAs(users.operator, () => acknowledgeAlertAs({ id: alertId, note: "on it" }, { principal: users.operator }));
    expect(a.status).toBe("acknowledged");
    const row = await t.db.auditLog.findFirstOrThrow({ where: { action: "acknowledge-alert", entity: `alert:${alertId}` } });
    expect(row.actor).toBe(users.operator.email);
    expect(JSON.parse(row.before!)).toMatchObject({ status: "open" });
    expect(JSON.parse(row.after!)).toMatchObject({ status: "acknowledged", ackBy: users.operator.email, ackNote: "on it" });
    await resolveAlertAs({ id: alertId }, { principal: users.operator });
    expect((await t.db.alert.findUniqueOrThrow({ where: { id: alertId } })).status).toBe("resolved");
  });

  it("a viewer cannot acknowledge an alert (service check) and nothing changes", async () => {
    const open = await t.db.alert.findFirstOrThrow({ where: { status: "open" } });
    const before = await fingerprint();
    await expect(acknowledgeAlertAs({ id: open.id }, { principal: users.viewer })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(acknowledgeAlertAs({ id: open.id }, { principal: null })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await fingerprint()).toBe(before);
  });

  it("inventory services refuse a non-admin principal themselves (not only the action)", async () => {
    const before = await fingerprint();
    await expect(createHost({ name: "svc-h", cpus: 8, memoryGiB: 32 }, { principal: users.operator })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(createHost({ name: "svc-h", cpus: 8, memoryGiB: 32 }, { principal: null })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await fingerprint()).toBe(before);
  });

  it("only admins read users and the audit log", async () => {
    for (const who of ["viewer", "operator"] as const) {
      await expect(listUsers({ principal: users[who] })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(listAudit({}, { principal: users[who] })).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    const page = await listAudit({ actor: users.admin.email, action: "create-host" }, { principal: users.admin });
    expect(page.rows.length).toBeGreaterThan(0);
    expect(page.rows.every((r) => r.actor === users.admin.email && r.action === "create-host")).toBe(true);
  });
});

// ------------------------------------------------------------------ API routes

const BASE = "http://haven.test";
function req(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Request {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers["content-type"] = "application/json";
  }
  return new Request(BASE + path, { method: init.method ?? "POST", headers, body });
}
const params = (id: string) => ({ params: Promise.resolve({ id }) });

async function problemStatus(res: Response): Promise<number> {
  if (res.status >= 400) {
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const p = await res.json();
    expect(p.status).toBe(res.status);
  }
  return res.status;
}

interface RouteCase {
  name: string;
  need: Role;
  call: () => Promise<Response>;
}

const ROUTES: RouteCase[] = [
  { name: "POST /api/v1/hosts/{id}/agent-token", need: "admin", call: () => issueTokenRoute(req(`/api/v1/hosts/${ref.hostId}/agent-token`), params(ref.hostId)) },
  { name: "DELETE /api/v1/hosts/{id}/agent-token", need: "admin", call: () => revokeTokenRoute(req(`/api/v1/hosts/${ref.hostId}/agent-token`, { method: "DELETE" }), params(ref.hostId)) },
  { name: "POST /api/v1/agent-tokens", need: "admin", call: () => batchTokensRoute(req("/api/v1/agent-tokens", { body: { limit: 2 } })) },
  { name: "POST /api/v1/demo/faults", need: "operator", call: () => demoFaultRoute(req("/api/v1/demo/faults", { body: { action: "host-down", host: "x" } })) },
  { name: "GET /api/v1/changes", need: "viewer", call: () => changesRoute(req("/api/v1/changes", { method: "GET" })) },
  { name: "GET /api/v1/hosts", need: "viewer", call: () => v1HostsRoute(req("/api/v1/hosts", { method: "GET" })) },
  { name: "GET /api/v1/openapi.json", need: "viewer", call: () => v1OpenapiRoute(req("/api/v1/openapi.json", { method: "GET" })) },
  { name: "POST /api/v1/vms/{id}/power-on", need: "operator", call: () => v1PowerOnRoute(req(`/api/v1/vms/${ref.vmId}/power-on`), params(ref.vmId)) },
  { name: "POST /api/v1/vms/{id}/power-off", need: "operator", call: () => v1PowerOffRoute(req(`/api/v1/vms/${ref.vmId}/power-off`), params(ref.vmId)) },
  { name: "POST /api/v1/hosts/{id}/maintenance/enter", need: "operator", call: () => v1EnterRoute(req(`/api/v1/hosts/${ref.hostId}/maintenance/enter`, { body: {} }), params(ref.hostId)) },
  { name: "POST /api/v1/hosts/{id}/maintenance/exit", need: "operator", call: () => v1ExitRoute(req(`/api/v1/hosts/${ref.hostId}/maintenance/exit`), params(ref.hostId)) },
  { name: "POST /api/v1/alerts/{id}/acknowledge", need: "operator", call: () => v1AckRoute(req("/api/v1/alerts/any/acknowledge", { body: { note: "x" } }), params("any")) },
  { name: "POST /api/v1/alerts/{id}/resolve", need: "operator", call: () => v1ResolveRoute(req("/api/v1/alerts/any/resolve"), params("any")) },
];

describe("API routes: 401 anonymous, 403 below the role, nothing stored", () => {
  for (const c of ROUTES) {
    for (const who of WHO) {
      if (RANK[who] >= RANK[c.need]) continue;
      it(`${c.name} as ${who} → ${who === "anonymous" ? 401 : 403}`, async () => {
        const before = await fingerprint();
        const status = await problemStatus(await runAs(principal(who), c.call));
        expect(status).toBe(who === "anonymous" ? 401 : 403);
        expect(await fingerprint()).toBe(before);
      });
    }
  }

  it("an admin session issues (rotates) and revokes a host's token; the audit row never holds the token", async () => {
    const res = await runAs(users.admin, () => issueTokenRoute(req(`/api/v1/hosts/${ref.hostId}/agent-token`), params(ref.hostId)));
    expect(res.status).toBe(201);
    const { token } = (await res.json()) as { token: string };
    const rows = await t.db.auditLog.findMany({ where: { entity: `host:${ref.hostId}`, action: { contains: "agent-token" } } });
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(`${r.before}${r.after}`).not.toContain(token);
    expect(rows.at(-1)!.actor).toBe(users.admin.email);
    const rev = await runAs(users.admin, () => revokeTokenRoute(req(`/api/v1/hosts/${ref.hostId}/agent-token`, { method: "DELETE" }), params(ref.hostId)));
    expect(rev.status).toBe(200);
    expect((await t.db.host.findUniqueOrThrow({ where: { id: ref.hostId } })).agentTokenHash).toBeNull();
  });

  it("a viewer reads /api/v1/changes", async () => {
    expect(await problemStatus(await runAs(users.viewer, ROUTES[4].call))).toBe(200);
  });

  it("an operator reaches the demo fault route (404 here: demo mode is off), not a role refusal", async () => {
    expect(await problemStatus(await runAs(users.operator, ROUTES[3].call))).toBe(404);
  });
});
