// The agent protocol as an OpenAPI 3.1 document, generated from the zod schemas of
// lib/schemas/agent.ts (z.toJSONSchema), so the document cannot drift from what the routes accept.
import { z } from "zod";
import {
  ZAgentCommand,
  ZCommandAck,
  ZCommandAckResponse,
  ZFetchCommandsResponse,
  ZHeartbeat,
  ZHeartbeatResponse,
  ZRegisterRequest,
  ZRegisterResponse,
} from "@/lib/schemas/agent";

type Json = Record<string, unknown>;

function schema(s: z.ZodType, io: "input" | "output"): Json {
  const out = z.toJSONSchema(s, { io, unrepresentable: "any" }) as Json;
  delete out.$schema;
  return out;
}

const ZProblem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  errors: z.record(z.string(), z.array(z.string())).optional().describe("Field path (\"vms.0.generation\") → messages"),
});

const problemRef = { $ref: "#/components/schemas/Problem" };
const problems = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      {
        description:
          {
            400: "Malformed JSON or a field that does not match the schema (`errors` names the fields)",
            401: "No token, an unknown token or a revoked token",
            403: "The token belongs to another host than the one the body names",
            404: "Unknown host or command",
            413: "Body larger than 256 KiB",
            415: "Content-Type is not JSON",
            503: "The HA controller is not running in this console instance",
          }[c] ?? "Error",
        content: { "application/problem+json": { schema: problemRef } },
      },
    ]),
  );
const body = (ref: string) => ({ required: true, content: { "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } } });
const ok = (ref: string, description = "OK") => ({ description, content: { "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } } });

export function agentOpenApi(serverUrl?: string): Json {
  return {
    openapi: "3.1.0",
    info: {
      title: "Haven host agent protocol",
      version: "1",
      description:
        "How a hypervisor host's agent talks to the Haven console. Every call but the document itself carries `Authorization: Bearer <token>`. An admin issues a token for a host; the agent registers with it and gets its own token back. Errors are RFC 9457 `application/problem+json`. See docs/agent-protocol.md.",
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ agentToken: [] }],
    paths: {
      "/api/agent/v1/register": {
        post: {
          operationId: "register",
          summary: "Register the agent of the token's host with its inventory; returns the agent's token (the issued one is replaced) and the timings",
          requestBody: body("RegisterRequest"),
          responses: { "200": ok("RegisterResponse"), ...problems(400, 401, 403, 404, 413, 415, 503) },
        },
      },
      "/api/agent/v1/heartbeat": {
        post: {
          operationId: "heartbeat",
          summary: "Liveness and the agent's report: VMs it runs or boots (with their placement generation), NIC links, storage controller health",
          requestBody: body("Heartbeat"),
          responses: { "200": ok("HeartbeatResponse"), ...problems(400, 401, 403, 404, 413, 415, 503) },
        },
      },
      "/api/agent/v1/commands": {
        get: {
          operationId: "fetchCommands",
          summary: "Commands waiting for the token's host (start-vm, stop-vm, migrate-vm); they are marked sent",
          responses: { "200": ok("FetchCommandsResponse"), ...problems(401, 503) },
        },
      },
      "/api/agent/v1/commands/{id}/ack": {
        post: {
          operationId: "ackCommand",
          summary: "Report a command's outcome. Acknowledging a command again changes nothing (`duplicate: true`)",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          requestBody: body("CommandAck"),
          responses: { "200": ok("CommandAckResponse"), ...problems(400, 401, 403, 404, 413, 415, 503) },
        },
      },
      "/api/agent/v1/openapi.json": {
        get: { operationId: "openapi", summary: "This document", security: [], responses: { "200": { description: "OpenAPI 3.1 document" } } },
      },
    },
    components: {
      securitySchemes: { agentToken: { type: "http", scheme: "bearer", description: "The host's agent token (base64url, 43 characters)" } },
      schemas: {
        RegisterRequest: schema(ZRegisterRequest, "input"),
        RegisterResponse: schema(ZRegisterResponse, "output"),
        Heartbeat: schema(ZHeartbeat, "input"),
        HeartbeatResponse: schema(ZHeartbeatResponse, "output"),
        AgentCommand: schema(ZAgentCommand, "output"),
        FetchCommandsResponse: schema(ZFetchCommandsResponse, "output"),
        CommandAck: schema(ZCommandAck, "input"),
        CommandAckResponse: schema(ZCommandAckResponse, "output"),
        Problem: schema(ZProblem, "output"),
      },
    },
  };
}
