import fs from "node:fs";
import Database from "better-sqlite3";
import { PrismaClient } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { databaseUrl } from "../db-url";

/** How long a statement waits for another connection's lock (the CLI, a backup) before failing. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** The SQLite file of a `file:` URL, or null (not a file store, in-memory, or not created yet). */
function sqliteFile(url: string): string | null {
  if (!url.startsWith("file:")) return null;
  const file = url.slice("file:".length).split("?")[0];
  if (!file || file === ":memory:" || !fs.existsSync(file)) return null;
  return file;
}

/**
 * Puts an existing SQLite file in WAL mode (persistent in the file): readers no longer wait for
 * a writer, nor a writer for readers, across connections. Best effort: the adapter reports errors.
 */
export function enableWal(url: string): void {
  const file = sqliteFile(url);
  if (!file) return;
  try {
    const db = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    try {
      db.pragma("journal_mode = WAL");
    } finally {
      db.close();
    }
  } catch {
    // a read-only or locked file keeps its journal mode
  }
}

/** A Prisma client over the better-sqlite3 driver adapter, for the given store URL. */
export function createDb(url = databaseUrl()): PrismaClient {
  enableWal(url);
  // `timeout` is better-sqlite3's busy timeout for the adapter's connection.
  const adapter = new PrismaBetterSQLite3({ url, timeout: SQLITE_BUSY_TIMEOUT_MS });
  return new PrismaClient({ adapter });
}

export type Db = PrismaClient;

const g = globalThis as unknown as { __havenDb?: PrismaClient };

/** The process-wide client (one per server process; survives dev hot reload). */
export function getDb(): PrismaClient {
  if (!g.__havenDb) g.__havenDb = createDb();
  return g.__havenDb;
}
