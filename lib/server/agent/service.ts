import "server-only";
// The host agent protocol as service functions (no HTTP): register, heartbeat, fetch commands,
// acknowledge a command. Routes under app/api/agent/v1 wrap them (bearer token → hostId with
// `authenticateAgent`). Every request's token is checked against the store (one indexed read of
// Host.agentTokenHash): no token decision rests on process or module memory, which a bundler
// can duplicate and a second console instance does not share, so a revoked or rotated token
// stops working at once on every port and in every process.
import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import {
  ZCommandAck,
  ZHeartbeat,
  ZRegisterRequest,
  type TAgentCommand,
  type TCommandAckResponse,
  type TFetchCommandsResponse,
  type THeartbeatResponse,
  type TRegisterResponse,
} from "@/lib/schemas/agent";
import { AppError, appErrorFromZod } from "@/lib/server/errors";
import { readStatement } from "@/lib/server/db";
import type { HaController } from "@/lib/server/ha/controller";
import { reconcileInventory } from "./reconcile";

export interface AgentServiceDeps {
  db: PrismaClient;
  controller: HaController;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** An agent introduces itself by host name and gets its id, a bearer token and the timings. */
export async function registerAgent(deps: AgentServiceDeps, input: unknown): Promise<TRegisterResponse> {
  const parsed = ZRegisterRequest.safeParse(input);
  if (!parsed.success) throw appErrorFromZod(parsed.error, "Invalid registration");
  const req = parsed.data;
  const host = await deps.db.host.findUnique({ where: { name: req.hostName }, select: { id: true, clusterId: true, agentTokenHash: true, simulated: true, cluster: { select: { demo: true } } } });
  if (!host) throw new AppError("NOT_FOUND", `No host named ${req.hostName} in the inventory`);
  const token = randomBytes(24).toString("hex");
  const at = new Date(deps.controller.clock.now());
  // A real agent's inventory is reconciled before the token changes hands (a failure here leaves
  // the agent's token valid; reconciling twice changes nothing), in the controller's turn so no
  // placement runs on half of it; the controller re-reads capacity and eligibility after it.
  let inventory: Awaited<ReturnType<typeof reconcileInventory>> | undefined;
  if (req.reconcile) {
    inventory = await deps.controller.exclusive(() => reconcileInventory(deps.db, host.id, req, at));
    if (inventory.changed) deps.controller.notifyChanged({ capacity: true, inventory: true });
  }
  // The new token keeps the kind of the host's token: the demo fleet's simulated agent presents
  // the simulated token it was issued; any other registration is a real agent's (it came with an
  // admin's token, which cleared `simulated`): it claims the host for good, so the demo fleet
  // never takes it again, and ends the demo mode of its cluster (from the next start). The write
  // is conditional on the token and kind read: a token issued or revoked meanwhile wins.
  const real = !host.simulated;
  const swap = (db: Pick<PrismaClient, "host">) =>
    db.host.updateMany({
      where: { id: host.id, agentTokenHash: host.agentTokenHash, simulated: host.simulated },
      data: { agentTokenHash: hashToken(token), agentTokenIssuedAt: at, ...(real ? { agentClaimedAt: at } : {}) },
    });
  // One conditional write; a transaction only when a real agent's registration ends a demo.
  const registered = !(real && host.cluster.demo)
    ? (await swap(deps.db)).count > 0
    : await deps.db.$transaction(async (tx) => {
        if ((await swap(tx)).count === 0) return false;
        await tx.cluster.updateMany({ where: { id: host.clusterId, demo: true }, data: { demo: false } });
        return true;
      });
  if (!registered) throw new AppError("UNAUTHORIZED", `The agent token of ${req.hostName} changed during the registration; register again with the current token`);
  const t = deps.controller.timing;
  return {
    hostId: host.id,
    token,
    heartbeatS: t.heartbeatMs / 1000,
    isolationTimeoutS: t.isolationTimeoutMs / 1000,
    vmStartS: t.vmStartMs / 1000,
    // The isolation response fences the host whatever the HA mode (DESIGN invariant 1: a VM of a
    // silent host is known off once the failure timeout has passed, or it opted out and is unknown).
    isolationResponse: "power-off",
    ...(inventory ? { inventory: { gpus: inventory.gpus, nics: inventory.nics, added: inventory.added, discovered: inventory.discovered, missing: inventory.missing, back: inventory.back, ...(inventory.autoAddSkipped ? { autoAddSkipped: inventory.autoAddSkipped } : {}) } } : {}),
  };
}

/** The host whose token hash this is, read from the store (a prepared statement on SQLite). */
async function hostOfTokenHash(db: PrismaClient, hash: string): Promise<string | null> {
  const stmt = readStatement<[string], { id: string }>(db, 'SELECT "id" FROM "Host" WHERE "agentTokenHash" = ?');
  if (stmt) return stmt.get(hash)?.id ?? null;
  const rows = await db.$queryRaw<{ id: string }[]>`SELECT "id" FROM "Host" WHERE "agentTokenHash" = ${hash}`;
  return rows[0]?.id ?? null;
}

/** Bearer token → host id, read from the store on every call (revocation takes effect at once). */
export async function authenticateAgent(deps: Pick<AgentServiceDeps, "db">, token: string | null | undefined): Promise<string> {
  if (!token) throw new AppError("UNAUTHORIZED", "An agent token is required");
  if (token.length > 512) throw new AppError("UNAUTHORIZED", "Unknown agent token");
  const hostId = await hostOfTokenHash(deps.db, hashToken(token));
  if (!hostId) throw new AppError("UNAUTHORIZED", "Unknown agent token");
  return hostId;
}

export async function agentHeartbeat(deps: AgentServiceDeps, hostId: string, input: unknown): Promise<THeartbeatResponse> {
  const parsed = ZHeartbeat.safeParse(input);
  if (!parsed.success) throw appErrorFromZod(parsed.error, "Invalid heartbeat");
  if (parsed.data.hostId !== hostId) throw new AppError("FORBIDDEN", "The heartbeat names another host");
  const r = deps.controller.noteHeartbeat(parsed.data);
  if (!r.known) throw new AppError("NOT_FOUND", `Host ${hostId} is not known to the controller`);
  return { ok: true, commandsPending: r.commandsPending, serverTime: deps.controller.clock.now() };
}

/** Commands waiting for the host, marked sent. Empty without a store read when none are hinted. */
export async function fetchAgentCommands(deps: AgentServiceDeps, hostId: string): Promise<TFetchCommandsResponse> {
  const ctl = deps.controller;
  if (!ctl.shouldFetchCommands(hostId)) return { commands: [] };
  ctl.noteCommandsFetched(hostId);
  const rows = await deps.db.agentCommand.findMany({ where: { hostId, status: "pending" }, orderBy: { createdAt: "asc" } });
  if (!rows.length) return { commands: [] };
  await deps.db.agentCommand.updateMany({ where: { id: { in: rows.map((r) => r.id) }, status: "pending" }, data: { status: "sent", sentAt: new Date(ctl.clock.now()) } });
  const commands = rows
    .filter((r) => r.vmId)
    .map((r) => ({ id: r.id, kind: r.kind, vmId: r.vmId!, generation: r.generation, payload: JSON.parse(r.payload) }) as TAgentCommand);
  return { commands };
}

/** The agent reports a command's outcome. Acknowledging twice changes nothing. */
export async function ackAgentCommand(deps: AgentServiceDeps, hostId: string, input: unknown): Promise<TCommandAckResponse> {
  const parsed = ZCommandAck.safeParse(input);
  if (!parsed.success) throw appErrorFromZod(parsed.error, "Invalid acknowledgement");
  const ack = parsed.data;
  if (ack.hostId !== hostId) throw new AppError("FORBIDDEN", "The acknowledgement names another host");
  const cmd = await deps.db.agentCommand.findUnique({ where: { id: ack.commandId } });
  if (!cmd || cmd.hostId !== hostId) throw new AppError("NOT_FOUND", `Command ${ack.commandId} not found for this host`);
  const upd = await deps.db.agentCommand.updateMany({
    where: { id: cmd.id, status: { in: ["pending", "sent"] } },
    data: { status: ack.status, result: ack.error ?? (ack.status === "done" ? "ok" : "failed"), ackedAt: new Date(deps.controller.clock.now()) },
  });
  if (upd.count === 0) return { ok: true, duplicate: true };
  await deps.controller.onCommandAck(cmd.id, ack, cmd);
  return { ok: true, duplicate: false };
}
