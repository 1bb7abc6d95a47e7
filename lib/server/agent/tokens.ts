import "server-only";
// Agent tokens issued by an admin: 32 random bytes (base64url), shown once, stored only as a
// SHA-256 hash in Host.agentTokenHash. Issuing replaces the host's previous token; revoking
// clears it. Either takes effect at once: every agent request checks its token against the store.
import { randomBytes, timingSafeEqual, createHash } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import { AppError } from "@/lib/server/errors";
import { hashToken } from "./service";

export interface IssuedAgentToken {
  hostId: string;
  hostName: string;
  /** The token itself: shown once, never stored. */
  token: string;
  issuedAt: string;
}

async function findHost(db: PrismaClient, hostIdOrName: string) {
  const host = (await db.host.findUnique({ where: { id: hostIdOrName }, select: { id: true, name: true } })) ?? (await db.host.findUnique({ where: { name: hostIdOrName }, select: { id: true, name: true } }));
  if (!host) throw new AppError("NOT_FOUND", `No host ${hostIdOrName}`);
  return host;
}

export function newAgentToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * Issues a new token for a host (by id or name); the previous one stops working. The host now
 * belongs to a real agent: a simulated agent of the demo loses it (its token stops working) and
 * the demo fleet never takes it again, across restarts (Host.agentClaimedAt).
 */
export async function issueAgentToken(db: PrismaClient, hostIdOrName: string, now = new Date()): Promise<IssuedAgentToken> {
  const host = await findHost(db, hostIdOrName);
  const token = newAgentToken();
  await db.host.update({ where: { id: host.id }, data: { agentTokenHash: hashToken(token), agentTokenIssuedAt: now, simulated: false, agentClaimedAt: now } });
  return { hostId: host.id, hostName: host.name, token, issuedAt: now.toISOString() };
}

/** Revokes a host's token: its agent gets 401 until an admin issues a new one. */
export async function revokeAgentToken(db: PrismaClient, hostIdOrName: string): Promise<{ hostId: string; hostName: string; revoked: boolean }> {
  const host = await findHost(db, hostIdOrName);
  const r = await db.host.updateMany({ where: { id: host.id, agentTokenHash: { not: null } }, data: { agentTokenHash: null, agentTokenIssuedAt: null } });
  return { hostId: host.id, hostName: host.name, revoked: r.count > 0 };
}

/**
 * Tokens for the demo fleet's simulated agents (lib/server/demo/fleet.ts), which then register
 * and call like real agents. Only for hosts of a demo cluster that no admin token and no real
 * registration ever claimed, checked in the same statement that stores the token (an admin
 * issuing a token at the same moment wins); each host taken is marked simulated. Returns host
 * id → token for the hosts taken; the others are left alone.
 */
export async function issueSimulatedAgentTokens(db: PrismaClient, hostIds: string[], now = new Date()): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  // In slices: one transaction per slice, so a large fleet costs a few commits, not one per host.
  for (let i = 0; i < hostIds.length; i += 200) {
    const slice = hostIds.slice(i, i + 200).map((id) => ({ id, token: newAgentToken() }));
    const counts = await db.$transaction(
      slice.map(({ id, token }) =>
        db.host.updateMany({
          where: { id, agentClaimedAt: null, cluster: { demo: true } },
          data: { agentTokenHash: hashToken(token), agentTokenIssuedAt: now, simulated: true },
        }),
      ),
    );
    slice.forEach(({ id, token }, k) => {
      if (counts[k].count > 0) out.set(id, token);
    });
  }
  return out;
}

/**
 * A VM the store says runs on a host, as an agent taking the host over adopts it (the one
 * mapping: the simulated agents of the demo fleet, the scenario runner and the HA tests adopt
 * these; the agent-tokens API hands them to an external simulator).
 */
export interface HostRunningVm {
  vmId: string;
  name: string;
  generation: number;
  haPriority: "high" | "medium" | "low" | "off";
  vcpus: number;
  memoryMiB: number;
  deviceKeys: string[];
  ips: string[];
  /** Opted out of the isolation response (when the row it came from says). */
  keepRunningWhenIsolated?: boolean;
}

/** The columns hostRunningVm needs. */
export const HOST_RUNNING_VM_SELECT = {
  id: true,
  name: true,
  hostId: true,
  generation: true,
  haPriority: true,
  vcpus: true,
  memoryMiB: true,
  allocations: { select: { deviceKey: true } },
  ipLeases: { select: { address: true } },
} as const;

/** A VM row (HOST_RUNNING_VM_SELECT, or a full row with allocations and leases) as a taking-over agent adopts it. */
export function hostRunningVm(v: {
  id: string;
  name: string;
  generation: number;
  haPriority: string;
  vcpus: number;
  memoryMiB: number;
  allocations: { deviceKey: string }[];
  ipLeases: { address: string }[];
  keepRunningWhenIsolated?: boolean;
}): HostRunningVm {
  return {
    vmId: v.id,
    name: v.name,
    generation: v.generation,
    haPriority: v.haPriority as HostRunningVm["haPriority"],
    vcpus: v.vcpus,
    memoryMiB: v.memoryMiB,
    deviceKeys: v.allocations.map((a) => a.deviceKey),
    ips: v.ipLeases.map((l) => l.address),
    ...(v.keepRunningWhenIsolated !== undefined ? { keepRunningWhenIsolated: v.keepRunningWhenIsolated } : {}),
  };
}

/**
 * Tokens for many hosts at once (the simulator): the named hosts, or the first `limit` by name.
 * With `withVms`, each comes with the VMs the store says run there, so a simulated agent that
 * takes the host over reports them instead of looking like a host that lost power.
 */
export async function issueAgentTokens(
  db: PrismaClient,
  sel: { hosts?: string[]; limit?: number; withVms?: boolean },
  now = new Date(),
): Promise<(IssuedAgentToken & { vms?: HostRunningVm[]; nics?: string[] })[]> {
  const names = sel.hosts?.length
    ? sel.hosts
    : (await db.host.findMany({ select: { name: true }, orderBy: { name: "asc" }, take: sel.limit ?? 10 })).map((h) => h.name);
  const out: (IssuedAgentToken & { vms?: HostRunningVm[]; nics?: string[] })[] = [];
  for (const n of names) out.push(await issueAgentToken(db, n, now));
  if (!sel.withVms || !out.length) return out;
  const allIds = out.map((o) => o.hostId);
  const vms = [];
  const nics = [];
  // In slices: a store caps the parameters of one query (SQLite: 999 by default).
  for (let i = 0; i < allIds.length; i += 200) {
    const ids = allIds.slice(i, i + 200);
    vms.push(
      ...(await db.vm.findMany({
        where: { hostId: { in: ids }, power: { in: ["running", "stopping", "migrating"] } },
        select: HOST_RUNNING_VM_SELECT,
      })),
    );
    nics.push(...(await db.nic.findMany({ where: { hostId: { in: ids } }, select: { hostId: true, name: true }, orderBy: { name: "asc" } })));
  }
  for (const o of out) {
    o.vms = vms.filter((v) => v.hostId === o.hostId).map(hostRunningVm);
    o.nics = nics.filter((n) => n.hostId === o.hostId).map((n) => n.name);
  }
  return out;
}

/**
 * Whether `given` is the admin token configured in HAVEN_ADMIN_TOKEN (constant time). With no
 * admin token configured the admin API is off.
 */
export function isAdminToken(given: string | null): boolean {
  const want = process.env.HAVEN_ADMIN_TOKEN;
  if (!want || want.length < 16 || !given) return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(want).digest();
  return timingSafeEqual(a, b);
}

export function adminApiEnabled(): boolean {
  const want = process.env.HAVEN_ADMIN_TOKEN;
  return !!want && want.length >= 16;
}
