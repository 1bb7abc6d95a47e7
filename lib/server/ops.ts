import "server-only";
// The console's operator and admin operations that live outside the inventory services, each
// behind its role check and written to the audit log:
//   operator+: power a VM on/off, host maintenance, acknowledge/resolve alerts, demo faults
//   admin:     agent tokens (issue = rotate, revoke)
// The HA functions themselves (lib/server/ha) stay role-agnostic: the controller and the
// scenario runner call them as the system; people reach them only through here.
import { getDb, type Db } from "@/lib/server/db";
import { AppError, appErrorFromZod } from "@/lib/server/errors";
import { writeAuditRow, type AuditCtx } from "@/lib/server/audit";
import { actorOf, authorize } from "@/lib/server/auth/principal";
import { ZAlertInput, ZHostTokenInput, ZMaintenanceInput, ZVmPowerInput } from "@/lib/schemas/auth";
import { issueAgentToken, revokeAgentToken, type IssuedAgentToken } from "@/lib/server/agent/tokens";
import { getController } from "@/lib/server/ha/controller";
import { acknowledgeAlert, resolveAlert } from "@/lib/server/ha/index";
import { control } from "@/lib/server/control/client";
import type { z } from "zod";

export type OpsCtx = AuditCtx;

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw appErrorFromZod(r.error, "Check the highlighted fields");
  return r.data;
}

const storeOf = (ctx?: OpsCtx): Db => ctx?.db ?? getController()?.db ?? getDb();

// ------------------------------------------------------------------ operator

export async function powerOnVmAs(input: unknown, ctx?: OpsCtx) {
  authorize(ctx, "operator");
  const { vmId } = parse(ZVmPowerInput, input);
  const r = await control("powerOnVm", vmId, { by: actorOf(ctx).actor });
  await writeAuditRow(storeOf(ctx), ctx, "power-on-vm", `vm:${vmId}`, null, r);
  return r;
}

export async function powerOffVmAs(input: unknown, ctx?: OpsCtx) {
  authorize(ctx, "operator");
  const { vmId } = parse(ZVmPowerInput, input);
  const r = await control("powerOffVm", vmId, { by: actorOf(ctx).actor });
  await writeAuditRow(storeOf(ctx), ctx, "power-off-vm", `vm:${vmId}`, null, r);
  return r;
}

export async function enterMaintenanceAs(input: unknown, ctx?: OpsCtx) {
  authorize(ctx, "operator");
  const { hostId, rebuildDeviceVms } = parse(ZMaintenanceInput, input);
  const r = await control("enterMaintenance", hostId, { by: actorOf(ctx).actor, rebuildDeviceVms });
  await writeAuditRow(storeOf(ctx), ctx, "enter-maintenance", `host:${hostId}`, null, r);
  return r;
}

export async function exitMaintenanceAs(input: unknown, ctx?: OpsCtx) {
  authorize(ctx, "operator");
  const { hostId } = parse(ZMaintenanceInput, input);
  const r = await control("exitMaintenance", hostId, { by: actorOf(ctx).actor });
  await writeAuditRow(storeOf(ctx), ctx, "exit-maintenance", `host:${hostId}`, null, r);
  return r;
}

const alertView = (a: { status: string; ackBy?: string | null; ackNote?: string | null; resolvedBy?: string | null }) => ({
  status: a.status,
  ackBy: a.ackBy ?? null,
  ackNote: a.ackNote ?? null,
  resolvedBy: a.resolvedBy ?? null,
});

export async function acknowledgeAlertAs(input: unknown, ctx?: OpsCtx) {
  authorize(ctx, "operator");
  const { id, note } = parse(ZAlertInput, input);
  const db = storeOf(ctx);
  const before = await db.alert.findUnique({ where: { id }, select: { status: true, ackBy: true, ackNote: true, resolvedBy: true } });
  if (!before) throw new AppError("NOT_FOUND", `Alert ${id} does not exist`);
  const row = await acknowledgeAlert(id, actorOf(ctx).actor, note ?? null);
  await writeAuditRow(db, ctx, "acknowledge-alert", `alert:${id}`, alertView(before), alertView(row));
  return row;
}

export async function resolveAlertAs(input: unknown, ctx?: OpsCtx) {
  authorize(ctx, "operator");
  const { id } = parse(ZAlertInput, input);
  const db = storeOf(ctx);
  const before = await db.alert.findUnique({ where: { id }, select: { status: true, ackBy: true, ackNote: true, resolvedBy: true } });
  if (!before) throw new AppError("NOT_FOUND", `Alert ${id} does not exist`);
  const row = await resolveAlert(id, actorOf(ctx).actor);
  await writeAuditRow(db, ctx, "resolve-alert", `alert:${id}`, alertView(before), alertView(row));
  return row;
}

/** Demo mode only (NOT_FOUND otherwise); operator+. */
export async function applyDemoFaultAs(input: unknown, ctx?: OpsCtx) {
  authorize(ctx, "operator");
  const r = await control("demoFault", input);
  await writeAuditRow(storeOf(ctx), ctx, "demo-fault", r.vm ? `vm:${r.vm}` : `host:${r.host}`, null, r);
  return r;
}

// ------------------------------------------------------------------ admin

/** Issues (or rotates) a host's agent token: shown once in the answer; the old one stops working. */
export async function issueAgentTokenAs(input: unknown, ctx?: OpsCtx): Promise<IssuedAgentToken> {
  authorize(ctx, "admin");
  const { hostId } = parse(ZHostTokenInput, input);
  const db = storeOf(ctx);
  const before = await db.host.findFirst({ where: { OR: [{ id: hostId }, { name: hostId }] }, select: { agentTokenIssuedAt: true } });
  const r = await issueAgentToken(db, hostId);
  // The token never goes into the audit row: only that one was issued, and when.
  await writeAuditRow(db, ctx, before?.agentTokenIssuedAt ? "rotate-agent-token" : "issue-agent-token", `host:${r.hostId}`, { tokenIssuedAt: before?.agentTokenIssuedAt ?? null }, { tokenIssuedAt: r.issuedAt });
  return r;
}

export async function revokeAgentTokenAs(input: unknown, ctx?: OpsCtx) {
  authorize(ctx, "admin");
  const { hostId } = parse(ZHostTokenInput, input);
  const db = storeOf(ctx);
  const r = await revokeAgentToken(db, hostId);
  if (r.revoked) await writeAuditRow(db, ctx, "revoke-agent-token", `host:${r.hostId}`, { token: "issued" }, { token: null });
  return r;
}

/** Admin: whether a host has an agent token and when it was issued (never the token: only its hash is kept). */
export async function getAgentTokenStatus(hostId: string, ctx?: OpsCtx): Promise<{ id: string; name: string; issuedAt: Date | null; hasToken: boolean; simulated: boolean } | null> {
  authorize(ctx, "admin");
  const h = await storeOf(ctx).host.findUnique({ where: { id: hostId }, select: { id: true, name: true, agentTokenHash: true, agentTokenIssuedAt: true, simulated: true } });
  return h ? { id: h.id, name: h.name, issuedAt: h.agentTokenIssuedAt, hasToken: h.agentTokenHash !== null, simulated: h.simulated } : null;
}
