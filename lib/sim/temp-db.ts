import "server-only";
// A fresh, migrated, throwaway SQLite store for one scenario run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import type { PrismaClient } from "@prisma/client";
import { createDb } from "@/lib/server/db";

function migrationsDir(): string {
  const fromCwd = path.join(process.cwd(), "prisma", "migrations");
  if (fs.existsSync(fromCwd)) return fromCwd;
  return fileURLToPath(new URL("../../prisma/migrations", import.meta.url));
}

export interface TempDb {
  db: PrismaClient;
  file: string;
  dispose(): Promise<void>;
}

export function createTempDb(): TempDb {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "haven-scenario-"));
  const file = path.join(dir, "scenario.db");
  const mdir = migrationsDir();
  const sqlite = new Database(file);
  try {
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("foreign_keys = ON");
    const names = fs
      .readdirSync(mdir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && fs.existsSync(path.join(mdir, d.name, "migration.sql")))
      .map((d) => d.name)
      .sort();
    for (const n of names) sqlite.exec(fs.readFileSync(path.join(mdir, n, "migration.sql"), "utf8"));
  } finally {
    sqlite.close();
  }
  const db = createDb(`file:${file}`);
  return {
    db,
    file,
    dispose: async () => {
      await db.$disconnect().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
