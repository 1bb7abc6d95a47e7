import "server-only";
// The cluster part of /api/health (issue 13): which instance leads the HA controller, since when,
// with which epoch, and whether this instance is it. Read from the store's lease row (the truth),
// not from any process's memory. Absent on SQLite (one instance).
import { isPostgres, type Db } from "@/lib/server/db";
import { holderId, instanceName } from "./member";

export interface ClusterHealth {
  instance: string;
  role: "leader" | "follower";
  epoch: number | null;
  leader: { holder: string; since: string; expiresAt: string; live: boolean } | null;
}

export async function clusterHealth(db: Db, controllerPid: number | null): Promise<ClusterHealth | null> {
  if (!isPostgres(db) || process.env.HAVEN_CLUSTER === "0") return null;
  const rows = await db.$queryRaw<{ holder: string; epoch: bigint; acquired_at: Date; expires_at: Date; live: boolean }[]>`
    SELECT "holder", "epoch", "acquired_at", "expires_at", "expires_at" >= clock_timestamp() AS "live" FROM "haven_lease" WHERE "name" = 'controller'`;
  const r = rows[0];
  const mine = controllerPid !== null && !!r && r.live && r.holder === holderId(controllerPid);
  return {
    instance: instanceName(),
    role: mine ? "leader" : "follower",
    epoch: r ? Number(r.epoch) : null,
    leader: r ? { holder: r.holder, since: r.acquired_at.toISOString(), expiresAt: r.expires_at.toISOString(), live: r.live } : null,
  };
}
