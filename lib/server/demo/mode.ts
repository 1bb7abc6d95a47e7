import "server-only";
// Demo mode: an in-process simulated agent fleet keeps the demo cluster's hosts alive and faults
// can be injected from the console. It is explicit and lives in the store (`Cluster.demo`): on
// for a store seeded with the demo cluster (`npm run seed`, `seed:large`, `npm start` on an
// empty store), off for any store created otherwise (a scenario or a real cluster import), and
// off for good once a real agent has registered one of its hosts (registerAgent clears it).
// HAVEN_DEMO=0 forces it off; nothing forces it on.
import type { PrismaClient } from "@prisma/client";

const g = globalThis as unknown as { __havenDemoMode?: boolean };

/** HAVEN_DEMO=0 (false, off, no): no demo, whatever the store says. */
export function isDemoForcedOff(): boolean {
  const v = (process.env.HAVEN_DEMO ?? "").trim().toLowerCase();
  return v === "0" || v === "false" || v === "off" || v === "no";
}

/** Whether this store runs the demo: a demo cluster in it, and HAVEN_DEMO not 0. */
export async function isDemoModeFor(db: PrismaClient): Promise<boolean> {
  if (isDemoForcedOff()) return false;
  return (await db.cluster.count({ where: { demo: true } })) > 0;
}

/** Marks a cluster as the demo's (the demo seed and seed:large only). */
export async function markDemoCluster(db: PrismaClient, clusterId: string): Promise<void> {
  await db.cluster.update({ where: { id: clusterId }, data: { demo: true } });
}

/**
 * This process's demo mode, for code that cannot wait for the store: what the store said when
 * the demo fleet started here (startDemoFleet records it). Before a fleet start it answers as
 * the environment allows (true unless HAVEN_DEMO=0), so a caller that starts the fleet when this
 * is true lets the fleet ask the store; a fleet on a store without the demo simulates nothing.
 */
export function isDemoMode(): boolean {
  if (isDemoForcedOff()) return false;
  return g.__havenDemoMode ?? true;
}

/** Records (or, with undefined, forgets) the demo mode the store gave this process's fleet. */
export function setProcessDemoMode(on: boolean | undefined): void {
  g.__havenDemoMode = on;
}

/** Hosts the demo fleet simulates at most (the first by name); HAVEN_DEMO_MAX_HOSTS, default 1000. */
export function demoMaxHosts(): number {
  const n = Number(process.env.HAVEN_DEMO_MAX_HOSTS ?? "1000");
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : 1000;
}
