// A throwaway store for integration tests. SQLite (the default): a temp file with every migration
// of prisma/migrations applied in order (directly with better-sqlite3: fast, no CLI).
// HAVEN_TEST_DB=postgres: a throwaway PostgreSQL database per createTestDb call, copied from a
// template migrated once by the runner (prisma/migrations-postgresql), on the server at
// HAVEN_TEST_PG_URL (an admin URL; `npm run test:postgres` starts one) or, when unset, on a
// throwaway server this test process starts and stops (tests/support/postgres.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import type { PrismaClient } from "@prisma/client";
import { createDb } from "@/lib/server/db";

const MIGRATIONS = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

/** The migration SQL files in the order Prisma applies them. */
export function migrationFiles(dir = MIGRATIONS): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((n) => path.join(dir, n, "migration.sql"));
}

/** Applies every migration to the SQLite file at `file` (created if missing). */
export function migrateSqliteFile(file: string): void {
  const sqlite = new Database(file);
  try {
    sqlite.pragma("foreign_keys = ON");
    for (const f of migrationFiles()) sqlite.exec(fs.readFileSync(f, "utf8"));
  } finally {
    sqlite.close();
  }
}

export interface TestDb {
  db: PrismaClient;
  url: string;
  file: string;
  cleanup: () => Promise<void>;
}

/** Whether the tests run on PostgreSQL (HAVEN_TEST_DB=postgres). */
export function testingOnPostgres(): boolean {
  return process.env.HAVEN_TEST_DB === "postgres";
}

/** A migrated throwaway store; `{ seed: "demo" }` also imports the demo cluster with its history. */
export async function createTestDb(opts: { seed?: "demo"; now?: Date } = {}): Promise<TestDb> {
  if (testingOnPostgres()) {
    const { createPostgresTestDatabase } = await import("./postgres");
    const { url, drop } = await createPostgresTestDatabase();
    const db = createDb(url);
    if (opts.seed === "demo") {
      const { seedDemo } = await import("@/lib/server/seed");
      await seedDemo(db, { now: opts.now });
    }
    return {
      db,
      url,
      file: "",
      cleanup: async () => {
        await db.$disconnect().catch(() => {});
        await drop();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "haven-test-"));
  const file = path.join(dir, "test.db");
  migrateSqliteFile(file);
  const url = `file:${file}`;
  const db = createDb(url);
  if (opts.seed === "demo") {
    const { seedDemo } = await import("@/lib/server/seed");
    await seedDemo(db, { now: opts.now });
  }
  return {
    db,
    url,
    file,
    cleanup: async () => {
      await db.$disconnect().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
