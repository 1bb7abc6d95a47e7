// Shared steps of npm start, db:reset, the e2e web server and the test runner:
// migrate the store, seed it when empty, build the app when the build is stale.
import fs from "node:fs";
import path from "node:path";
import { databaseFile, databaseUrl, isPostgresUrl } from "../../lib/db-url";
import { ROOT, bin, run, type Env } from "./proc";

/** Creates the directory of the SQLite file. */
export function ensureDataDir(url = databaseUrl()): void {
  fs.mkdirSync(path.dirname(path.resolve(ROOT, databaseFile(url))), { recursive: true });
}

/** Deletes the SQLite file and its journals (PostgreSQL: see resetPostgres). */
export function deleteDatabase(url = databaseUrl()): void {
  if (isPostgresUrl(url)) throw new Error("deleteDatabase is for the SQLite file; a PostgreSQL store is emptied with resetPostgres");
  const file = path.resolve(ROOT, databaseFile(url));
  for (const f of [file, `${file}-journal`, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}

/** Drops every table of a PostgreSQL store (its public schema), for --fresh and db:reset. */
export async function resetPostgres(url: string): Promise<void> {
  const { default: pg } = await import("pg");
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
  } finally {
    await c.end();
  }
}

/**
 * Migrates the store: SQLite with `prisma migrate deploy` (the JS schema engine: offline);
 * PostgreSQL with Haven's runner (lib/server/cluster/pg-migrate.ts, prisma/migrations-postgresql).
 */
export async function migrate(url = databaseUrl()): Promise<number> {
  if (isPostgresUrl(url)) {
    const { migratePostgres } = await import("../../lib/server/cluster/pg-migrate");
    try {
      const applied = await migratePostgres(url, { log: (s) => console.log(s) });
      if (!applied.length) console.log("PostgreSQL store up to date");
      return 0;
    } catch (e) {
      console.error((e as Error).message);
      return 1;
    }
  }
  ensureDataDir(url);
  return run(bin("prisma"), ["migrate", "deploy"], { env: { DATABASE_URL: url } });
}

/** Seeds the demo cluster when the store holds none. Returns true when it seeded. */
/**
 * HAVEN_SEED_TIMINGS="failureTimeoutS=5,isolationTimeoutS=4": HA timings for the freshly seeded
 * cluster (the e2e server uses shorter ones so its stories stay quick). The rule
 * isolation < missed × heartbeat + failure timeout must hold, else nothing is changed.
 */
async function applySeedTimings(db: import("../../lib/server/db").Db): Promise<void> {
  const spec = process.env.HAVEN_SEED_TIMINGS?.trim();
  if (!spec) return;
  const allowed = ["heartbeatS", "missedHeartbeats", "failureTimeoutS", "isolationTimeoutS", "vmStartS"] as const;
  const patch: Record<string, number> = {};
  for (const part of spec.split(",")) {
    const [k, v] = part.split("=").map((x) => x.trim());
    const n = Number(v);
    if ((allowed as readonly string[]).includes(k) && Number.isFinite(n) && n > 0) patch[k] = k === "missedHeartbeats" ? Math.round(n) : n;
  }
  const c = await db.cluster.findFirst({ orderBy: { createdAt: "asc" } });
  if (!c) return;
  const t = { heartbeatS: c.heartbeatS, missedHeartbeats: c.missedHeartbeats, failureTimeoutS: c.failureTimeoutS, isolationTimeoutS: c.isolationTimeoutS, vmStartS: c.vmStartS, ...patch };
  if (!(t.isolationTimeoutS < t.missedHeartbeats * t.heartbeatS + t.failureTimeoutS)) {
    console.error(`HAVEN_SEED_TIMINGS ignored: isolation ${t.isolationTimeoutS}s must be < ${t.missedHeartbeats} × ${t.heartbeatS}s + ${t.failureTimeoutS}s`);
    return;
  }
  await db.cluster.update({ where: { id: c.id }, data: patch });
  console.log(`HA timings of the seeded cluster: ${JSON.stringify(patch)}`);
}

export async function seedIfEmpty(url = databaseUrl(), opts: { large?: boolean } = {}): Promise<boolean> {
  const { createDb } = await import("../../lib/server/db");
  const { isStoreEmpty, seedDemo, seedLarge } = await import("../../lib/server/seed");
  const db = createDb(url);
  try {
    if (!(await isStoreEmpty(db))) return false;
    const t0 = performance.now();
    const r = opts.large ? await seedLarge(db) : await seedDemo(db);
    console.log(`seeded ${opts.large ? "the large" : "the demo"} cluster: ${r.counts.hosts} hosts, ${r.counts.vms} VMs (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    await applySeedTimings(db);
    return true;
  } finally {
    await db.$disconnect();
  }
}

export function distDir(): string {
  return process.env.NEXT_DIST_DIR || ".next";
}

const SOURCES = [
  "app",
  "components",
  "lib",
  "public",
  "proxy.ts",
  "middleware.ts",
  "instrumentation.ts",
  "next.config.ts",
  "postcss.config.mjs",
  "package.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "prisma/schema.prisma",
  "prisma/postgres/schema.prisma",
];

function newestMtime(p: string): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return /\.test\.tsx?$/.test(p) ? 0 : st.mtimeMs;
  let max = 0;
  for (const e of fs.readdirSync(p)) max = Math.max(max, newestMtime(path.join(p, e)));
  return max;
}

/** Why the production build must be made again, or null when it is up to date. */
export function buildStaleReason(dir = distDir()): string | null {
  const id = path.join(ROOT, dir, "BUILD_ID");
  if (!fs.existsSync(id)) return `no build in ${dir}/`;
  const built = fs.statSync(id).mtimeMs;
  const newest = Math.max(...SOURCES.map((s) => newestMtime(path.join(ROOT, s))));
  return newest > built ? "sources changed since the last build" : null;
}

/**
 * `next build` into NEXT_DIST_DIR (default .next). Next adds `<distDir>/types/**` to the
 * tsconfig's include for every dist dir it builds into; the tsconfig files are put back
 * afterwards (content and mtime) so builds into .next-test (tests) or .next-<helper> do not
 * rewrite a shared config or make the build look stale.
 */
export async function build(dir = distDir(), env: Env = {}): Promise<number> {
  const saved = ["tsconfig.json", "tsconfig.build.json"]
    .map((f) => path.join(ROOT, f))
    .filter((f) => fs.existsSync(f))
    .map((f) => ({ f, text: fs.readFileSync(f, "utf8"), stat: fs.statSync(f) }));
  try {
    return await run(bin("next"), ["build"], { env: { NEXT_DIST_DIR: dir, ...env } });
  } finally {
    if (dir !== ".next") {
      for (const { f, text, stat } of saved) {
        if (fs.readFileSync(f, "utf8") === text) continue;
        fs.writeFileSync(f, text);
        fs.utimesSync(f, stat.atime, stat.mtime);
      }
    }
  }
}
