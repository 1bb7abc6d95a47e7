// PostgreSQL for the test suites (HAVEN_TEST_DB=postgres, see test-db.ts): the admin URL of a
// server (HAVEN_TEST_PG_URL, or a throwaway server started once per test process and stopped
// when it exits), a template database migrated once per server, and a fresh database per test
// store copied from it (CREATE DATABASE … TEMPLATE: ~50 ms with fsync off).
import crypto from "node:crypto";
import pg from "pg";
import { migratePostgres } from "@/lib/server/cluster/pg-migrate";
import { pgMigrations } from "@/lib/server/cluster/pg-migrate";
import { startPostgres, type PostgresServer } from "@/scripts/lib/postgres-server";

let server: Promise<PostgresServer> | null = null;

/** The admin URL (database "postgres") of the test server. */
export async function testServerUrl(): Promise<string> {
  if (process.env.HAVEN_TEST_PG_URL) return process.env.HAVEN_TEST_PG_URL;
  if (!server) {
    server = startPostgres({ stopWithPid: process.pid });
    const s = await server;
    process.once("exit", () => s.stop());
  }
  return (await server).url();
}

function withDb(adminUrl: string, db: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${db}`;
  return u.toString();
}

async function admin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

/** The template's name: one per set of migrations (an edited migration makes a new one). */
function templateName(): string {
  const h = crypto.createHash("sha256");
  for (const m of pgMigrations()) h.update(m.name).update(m.checksum);
  return `haven_tpl_${h.digest("hex").slice(0, 12)}`;
}

async function ensureTemplate(adminUrl: string): Promise<string> {
  const name = templateName();
  await admin(adminUrl, async (c) => {
    await c.query("SELECT pg_advisory_lock(7313)");
    try {
      const r = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (r.rowCount) return;
      const building = `${name}_building`;
      await c.query(`DROP DATABASE IF EXISTS ${building}`);
      await c.query(`CREATE DATABASE ${building}`);
      await migratePostgres(withDb(adminUrl, building));
      await c.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
    } finally {
      await c.query("SELECT pg_advisory_unlock(7313)");
    }
  });
  return name;
}

let seq = 0;

/** A migrated empty database and how to drop it. */
export async function createPostgresTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = await testServerUrl();
  const template = await ensureTemplate(adminUrl);
  const name = `haven_t_${process.pid}_${Date.now().toString(36)}_${seq++}`;
  // CREATE DATABASE … TEMPLATE fails while another session is connected to the template: retry.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
      break;
    } catch (e) {
      if (attempt >= 20 || !/being accessed by other users/.test((e as Error).message)) throw e;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
    }
  }
  return {
    url: withDb(adminUrl, name),
    drop: () => admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}
