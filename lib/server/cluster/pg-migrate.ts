// The PostgreSQL migration runner (Prisma's JS schema engine cannot `migrate deploy` on
// PostgreSQL): applies prisma/migrations-postgresql/NNNN_name/migration.sql in name order, each
// in its own transaction, recording it in "_migrations"(name, checksum, applied_at). Several
// instances starting together take turns on a session advisory lock (on its own connection, not
// Prisma's pool). A migration edited after it was applied is refused (its checksum changed), as
// is a store migrated by a newer Haven (an applied migration this checkout does not have).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";

export const POSTGRES_MIGRATIONS_DIR = path.join(process.cwd(), "prisma", "migrations-postgresql");
/** pg_advisory_lock key of the runner ("haven-migrate"). */
const LOCK_KEY = 0x68617665;

export interface PgMigration {
  name: string;
  sql: string;
  checksum: string;
}

export function pgMigrations(dir = POSTGRES_MIGRATIONS_DIR): PgMigration[] {
  if (!fs.existsSync(dir)) throw new Error(`no PostgreSQL migrations at ${dir}`);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: crypto.createHash("sha256").update(sql).digest("hex") };
    });
}

/** Applies the pending migrations; returns the names applied by this call. */
export async function migratePostgres(url: string, opts: { dir?: string; log?: (s: string) => void } = {}): Promise<string[]> {
  const migrations = pgMigrations(opts.dir);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const applied: string[] = [];
  try {
    await c.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    await c.query(
      'CREATE TABLE IF NOT EXISTS "_migrations" ("name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "applied_at" TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const done = new Map((await c.query<{ name: string; checksum: string }>('SELECT "name", "checksum" FROM "_migrations"')).rows.map((r) => [r.name, r.checksum]));
    const known = new Set(migrations.map((m) => m.name));
    const unknown = [...done.keys()].filter((n) => !known.has(n));
    if (unknown.length) throw new Error(`the store has migrations this Haven does not know (${unknown.join(", ")}): it was migrated by a newer version`);
    for (const m of migrations) {
      const sum = done.get(m.name);
      if (sum !== undefined) {
        if (sum !== m.checksum) throw new Error(`migration ${m.name} was edited after it was applied (checksum ${sum.slice(0, 12)}… in the store, ${m.checksum.slice(0, 12)}… on disk); add a new migration instead`);
        continue;
      }
      await c.query("BEGIN");
      try {
        await c.query(m.sql);
        await c.query('INSERT INTO "_migrations" ("name", "checksum") VALUES ($1, $2)', [m.name, m.checksum]);
        await c.query("COMMIT");
      } catch (e) {
        await c.query("ROLLBACK").catch(() => {});
        throw new Error(`migration ${m.name} failed: ${(e as Error).message}`);
      }
      applied.push(m.name);
      opts.log?.(`applied ${m.name}`);
    }
    // The controller's fence (0002_controller_lease) on tables of later migrations too.
    const fence = await c.query("SELECT to_regprocedure('haven_fence_tables()') AS f");
    if (fence.rows[0]?.f) await c.query("SELECT haven_fence_tables()");
  } finally {
    await c.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => {});
    await c.end().catch(() => {});
  }
  return applied;
}
