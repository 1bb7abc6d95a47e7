// The automation API (/api/v1) as an OpenAPI 3.1 document, generated from the zod schemas the
// routes parse their input and output with (lib/server/api-v1/schemas.ts), so the document
// cannot drift from what the routes accept and answer (tests/api/openapi.test.ts validates every
// answer of the routes against the served document).
import { z } from "zod";
import {
  apiSchemas,
  ZAcknowledgeBody,
  ZAlertListParams,
  ZEnterMaintenanceBody,
  ZGpuListParams,
  ZHostListParams,
  ZIncidentListParams,
  ZTagListParams,
  ZVmListParams,
} from "./schemas";

type Json = Record<string, unknown>;

const ERROR_TEXT: Record<number, string> = {
  400: "A query parameter or body field is invalid (`errors` names each one), or the body is not JSON",
  401: "No session cookie and no API token, or an unknown, expired or revoked token",
  403: "The caller's role (the lower of the token's and its owner's) may not do this",
  404: "No such resource",
  409: "Refused by the cluster's rules (`detail` and `errors` say why: every host's rejection reasons, blocking VMs, an alert already resolved)",
  413: "Body larger than 16 KiB",
  415: "Content-Type is not JSON",
  503: "The HA controller is not running for this console",
};

const problems = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { description: ERROR_TEXT[c], content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } }]));

function inputSchema(s: z.ZodType): Json {
  const out = z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as Json;
  delete out.$schema;
  return out;
}

/** Query parameters of a strict zod object, one OpenAPI parameter each. */
function queryParams(schema: z.ZodObject): Json[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const s = inputSchema(field as z.ZodType);
    const description = (s.description as string | undefined) ?? undefined;
    delete s.description;
    return { name, in: "query", required: false, schema: s, ...(description ? { description } : {}) };
  });
}

const idPath = (what: string, byName = false) => ({ name: "id", in: "path", required: true, schema: { type: "string" }, description: byName ? `The ${what}'s id or name` : `The ${what}'s id` });

interface Op {
  path: string;
  method: "get" | "post";
  operationId: string;
  summary: string;
  detail?: string;
  tag: string;
  role: "viewer" | "operator";
  answer: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  pathParams?: Json[];
  csv?: boolean;
  errors: number[];
}

export const API_V1_OPERATIONS: Op[] = [
  { path: "/api/v1/hosts", method: "get", operationId: "listHosts", summary: "List hosts", tag: "Hosts", role: "viewer", answer: "HostPage", query: ZHostListParams, csv: true, errors: [400, 401, 403] },
  { path: "/api/v1/hosts/{id}", method: "get", operationId: "getHost", summary: "Get a host", detail: "With its GPUs, NICs, device pools, VMs and open alerts.", tag: "Hosts", role: "viewer", answer: "HostDetail", pathParams: [idPath("host", true)], errors: [401, 403, 404] },
  { path: "/api/v1/hosts/{id}/maintenance/enter", method: "post", operationId: "enterMaintenance", summary: "Enter maintenance", detail: "Standard VMs live-migrate away; device VMs are powered off (started here again on exit), or rebuilt on other hosts with `rebuildDeviceVms`. Refused (409) with every blocking VM's reasons.", tag: "Hosts", role: "operator", answer: "EnterMaintenanceResult", body: ZEnterMaintenanceBody, pathParams: [idPath("host", true)], errors: [400, 401, 403, 404, 409, 413, 415, 503] },
  { path: "/api/v1/hosts/{id}/maintenance/exit", method: "post", operationId: "exitMaintenance", summary: "Exit maintenance", detail: "VMs powered off for the maintenance start again on this host.", tag: "Hosts", role: "operator", answer: "ExitMaintenanceResult", pathParams: [idPath("host", true)], errors: [401, 403, 404, 409, 503] },
  { path: "/api/v1/vms", method: "get", operationId: "listVms", summary: "List VMs", tag: "VMs", role: "viewer", answer: "VmPage", query: ZVmListParams, csv: true, errors: [400, 401, 403] },
  { path: "/api/v1/vms/{id}", method: "get", operationId: "getVm", summary: "Get a VM", detail: "With its device requests, allocations, NICs, disks, recent events and open alerts.", tag: "VMs", role: "viewer", answer: "VmDetail", pathParams: [idPath("VM", true)], errors: [401, 403, 404] },
  { path: "/api/v1/vms/{id}/power-on", method: "post", operationId: "powerOnVm", summary: "Power a VM on", detail: "The engine places it; when no host fits, 409 lists every host's rejection reasons (`errors`: `hosts.<name>`).", tag: "VMs", role: "operator", answer: "PowerOnResult", pathParams: [idPath("VM", true)], errors: [401, 403, 404, 409, 503] },
  { path: "/api/v1/vms/{id}/power-off", method: "post", operationId: "powerOffVm", summary: "Power a VM off", tag: "VMs", role: "operator", answer: "PowerOffResult", pathParams: [idPath("VM", true)], errors: [401, 403, 404, 409, 503] },
  { path: "/api/v1/gpus", method: "get", operationId: "listGpus", summary: "List GPUs", detail: "With their usage and the VMs holding them.", tag: "GPUs", role: "viewer", answer: "GpuPage", query: ZGpuListParams, csv: true, errors: [400, 401, 403] },
  { path: "/api/v1/gpus/{id}", method: "get", operationId: "getGpu", summary: "Get a GPU", tag: "GPUs", role: "viewer", answer: "Gpu", pathParams: [idPath("GPU")], errors: [401, 403, 404] },
  { path: "/api/v1/tags", method: "get", operationId: "listTags", summary: "List device tags", detail: "With their devices, free units (on online hosts too), hosts and requesting VMs.", tag: "Device tags", role: "viewer", answer: "TagList", query: ZTagListParams, csv: true, errors: [400, 401, 403] },
  {
    path: "/api/v1/tags/{type}/{tag}",
    method: "get",
    operationId: "getTag",
    summary: "Get a device tag", detail: "The tag may contain slashes (vGPU tags do): send them as they are.",
    tag: "Device tags",
    role: "viewer",
    answer: "Tag",
    pathParams: [
      { name: "type", in: "path", required: true, schema: { type: "string", enum: ["gpu", "vgpu", "sriov"] } },
      { name: "tag", in: "path", required: true, schema: { type: "string" }, description: "e.g. `NVIDIA Tesla M60/M60-2Q`, `trading-a`" },
    ],
    errors: [400, 401, 403, 404],
  },
  { path: "/api/v1/alerts", method: "get", operationId: "listAlerts", summary: "List alerts", detail: "Newest first; by default the open and acknowledged ones.", tag: "Alerts", role: "viewer", answer: "AlertPage", query: ZAlertListParams, csv: true, errors: [400, 401, 403] },
  { path: "/api/v1/alerts/{id}", method: "get", operationId: "getAlert", summary: "Get an alert", detail: "With its other episodes on the same entity.", tag: "Alerts", role: "viewer", answer: "AlertDetail", pathParams: [idPath("alert")], errors: [401, 403, 404] },
  { path: "/api/v1/alerts/{id}/acknowledge", method: "post", operationId: "acknowledgeAlert", summary: "Acknowledge an alert", detail: "With an optional note for the next person on call.", tag: "Alerts", role: "operator", answer: "AlertChange", body: ZAcknowledgeBody, pathParams: [idPath("alert")], errors: [400, 401, 403, 404, 409, 413, 415] },
  { path: "/api/v1/alerts/{id}/resolve", method: "post", operationId: "resolveAlert", summary: "Resolve an alert by hand", tag: "Alerts", role: "operator", answer: "AlertChange", pathParams: [idPath("alert")], errors: [401, 403, 404, 409] },
  { path: "/api/v1/incidents", method: "get", operationId: "listIncidents", summary: "List incidents", detail: "HA incidents, newest first.", tag: "Incidents", role: "viewer", answer: "IncidentPage", query: ZIncidentListParams, csv: true, errors: [400, 401, 403] },
  { path: "/api/v1/incidents/{id}", method: "get", operationId: "getIncident", summary: "Get an incident", detail: "Timings, recovery summary, VMs and alerts.", tag: "Incidents", role: "viewer", answer: "IncidentDetail", pathParams: [idPath("incident")], errors: [401, 403, 404] },
];

function operation(op: Op): Json {
  const ok: Json = { "application/json": { schema: { $ref: `#/components/schemas/${op.answer}` } } };
  if (op.csv) ok["text/csv"] = { schema: { type: "string" }, example: "id,name,…\r\n" };
  return {
    operationId: op.operationId,
    summary: op.summary,
    description: `${op.detail ? `${op.detail} ` : ""}Role: ${op.role} or above.${op.csv ? " With `format=csv`, every matching row (all pages, up to 100,000) as CSV; nested objects become `<field>.<key>` columns." : ""}`,
    tags: [op.tag],
    parameters: [...(op.pathParams ?? []), ...(op.query ? queryParams(op.query) : [])],
    ...(op.body ? { requestBody: { required: false, content: { "application/json": { schema: inputSchema(op.body) } } } } : {}),
    responses: { "200": { description: "OK", content: ok }, ...problems(...op.errors) },
  };
}

/** The OpenAPI 3.1 document of /api/v1. */
export function apiV1OpenApi(serverUrl?: string): Json {
  const components = z.toJSONSchema(apiSchemas, { io: "output", unrepresentable: "any", uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, Json> };
  for (const s of Object.values(components.schemas)) {
    delete s.$schema;
    delete s.$id; // the registry's uri: a fragment $id is not allowed in JSON Schema 2020-12
  }
  const paths: Record<string, Json> = {};
  for (const op of API_V1_OPERATIONS) (paths[op.path] ??= {})[op.method] = operation(op);
  paths["/api/v1/openapi.json"] = {
    get: { operationId: "openapi", summary: "This document", tags: ["Meta"], responses: { "200": { description: "OpenAPI 3.1 document", content: { "application/json": { schema: { type: "object" } } } }, ...problems(401, 403) } },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "Haven automation API",
      version: "1",
      description:
        "Scripts read the cluster (hosts, VMs, GPUs, device tags, alerts, incidents; lists also as CSV) and act on it (power, maintenance, alerts). Authenticate with a personal API token — Settings → API tokens in the console — as `Authorization: Bearer haven_…`; it acts as its owner with the lower of its own role and the owner's. A browser session cookie works too (state-changing calls must then come from the console's own origin). Errors are RFC 9457 `application/problem+json`; `errors` maps each invalid field or query parameter to messages. Every change is in the audit log.",
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ apiToken: [] }, { sessionCookie: [] }],
    tags: ["Hosts", "VMs", "GPUs", "Device tags", "Alerts", "Incidents", "Meta"].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        apiToken: { type: "http", scheme: "bearer", description: "A personal API token (`haven_` + 48 letters) from Settings → API tokens" },
        sessionCookie: { type: "apiKey", in: "cookie", name: "haven.session_token", description: "The console's session cookie (`__Secure-haven.session_token` over HTTPS)" },
      },
      schemas: components.schemas,
    },
  };
}
