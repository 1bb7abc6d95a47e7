import fs from "node:fs";
import Database from "better-sqlite3";
import { PrismaClient } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as PostgresPrismaClient } from "../../prisma/postgres/client";
import { databaseUrl, isPostgresUrl } from "../db-url";

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

/**
 * The better-sqlite3 adapter with its transactions begun IMMEDIATE (the writer lock taken at
 * BEGIN, waiting up to the busy timeout) instead of DEFERRED. With a deferred BEGIN, a transaction
 * that reads and then writes gets SQLITE_BUSY at once — no wait — when another process (the
 * console beside the controller, a second CLI) committed in between: its WAL snapshot is stale
 * and cannot become a writer. Read-only transactions are rare here; they pay a short lock wait.
 * The adapter's own mutex already runs one transaction at a time per connection.
 */
class ImmediateTransactions extends PrismaBetterSQLite3 {
  override async connect() {
    const adapter = await super.connect();
    const client = (adapter as unknown as { client: Database.Database }).client;
    const prepare = client.prepare.bind(client);
    client.prepare = ((sql: string) => prepare(sql === "BEGIN" ? "BEGIN IMMEDIATE" : sql)) as typeof client.prepare;
    return adapter;
  }
}

/** The store URL each client was made for (hot paths open their own read statement on it). */
const urls = new WeakMap<PrismaClient, string>();

/** PostgreSQL refused to commit a SERIALIZABLE transaction (SQLSTATE 40001, Prisma P2034). */
function isSerializationFailure(e: unknown): boolean {
  const err = e as { code?: string; message?: string } | null;
  return err?.code === "P2034" || /could not serialize|40001|write conflict|deadlock/i.test(err?.message ?? "");
}

/**
 * On PostgreSQL a SERIALIZABLE transaction that conflicts with a concurrent one fails at once
 * (SQLite's BEGIN IMMEDIATE makes it wait instead): an interactive transaction asked for with
 * isolationLevel Serializable runs again, up to 10 times with a short random backoff. Such a
 * callback must only work on the store (it may run more than once); no other transaction is retried.
 */
function retrySerializable(client: PrismaClient): void {
  const run = client.$transaction.bind(client) as (a: unknown, o?: { isolationLevel?: string }) => Promise<unknown>;
  const retrying = async (arg: unknown, opts?: { isolationLevel?: string }) => {
    if (typeof arg !== "function" || opts?.isolationLevel !== "Serializable") return run(arg, opts);
    for (let attempt = 0; ; attempt++) {
      try {
        return await run(arg, opts);
      } catch (e) {
        if (attempt >= 9 || !isSerializationFailure(e)) throw e;
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
      }
    }
  };
  Object.defineProperty(client, "$transaction", { value: retrying, configurable: true, writable: true });
}

/** Connections in each PostgreSQL client's pool (HAVEN_PG_POOL, default 10). */
function pgPoolSize(): number {
  const n = Number(process.env.HAVEN_PG_POOL ?? "");
  return Number.isInteger(n) && n > 0 ? n : 10;
}

/**
 * A Prisma client for the given store URL: `postgresql://…` → the PostgreSQL client generated from
 * prisma/postgres/schema.prisma (derived from the one schema, same models and API) over the pg
 * driver adapter; anything else → the better-sqlite3 driver adapter.
 */
export function createDb(url = databaseUrl(), opts: { fenceEpoch?: number; idleInTransactionMs?: number } = {}): PrismaClient {
  if (isPostgresUrl(url)) {
    // The elected controller's client (lib/server/cluster): every connection carries its epoch, and
    // the store refuses its writes once that epoch no longer holds the lease (the haven_fence
    // trigger). A transaction left idle (a stopped process) is ended by the server, so its lock on
    // the lease row cannot hold a takeover back.
    const fence =
      opts.fenceEpoch !== undefined
        ? `-c haven.fence_epoch=${Math.trunc(opts.fenceEpoch)} -c idle_in_transaction_session_timeout=${Math.trunc(opts.idleInTransactionMs ?? 2000)}`
        : undefined;
    const adapter = new PrismaPg({ connectionString: url, max: pgPoolSize(), idleTimeoutMillis: 10_000, connectionTimeoutMillis: 5_000, ...(fence ? { options: fence } : {}) });
    // Same models, same query API: the two generated clients differ by provider only.
    const client = new PostgresPrismaClient({ adapter }) as unknown as PrismaClient;
    retrySerializable(client);
    urls.set(client, url);
    return client;
  }
  enableWal(url);
  // `timeout` is better-sqlite3's busy timeout for the adapter's connection.
  const adapter = new ImmediateTransactions({ url, timeout: SQLITE_BUSY_TIMEOUT_MS });
  const client = new PrismaClient({ adapter });
  urls.set(client, url);
  return client;
}

const readers = new WeakMap<PrismaClient, Database.Database | null>();

/**
 * A read-only better-sqlite3 connection to the client's SQLite file, for per-request reads on hot
 * paths (an agent token per heartbeat: ~10 µs instead of ~0.9 ms through the ORM). In WAL mode
 * it sees every committed write at once: it reads the store, it does not cache it. Null when the
 * store is not a SQLite file (callers fall back to the client).
 */
export function sqliteReader(db: PrismaClient): Database.Database | null {
  if (readers.has(db)) return readers.get(db)!;
  const url = urls.get(db);
  const file = url ? sqliteFile(url) : null;
  let conn: Database.Database | null = null;
  if (file) {
    try {
      conn = new Database(file, { readonly: true, fileMustExist: true, timeout: SQLITE_BUSY_TIMEOUT_MS });
    } catch {
      conn = null;
    }
  }
  readers.set(db, conn);
  return conn;
}

const statements = new WeakMap<PrismaClient, Map<string, Database.Statement>>();

/**
 * `sql` prepared once per client on its read-only SQLite connection (sqliteReader), or null when
 * the store is not a SQLite file. Each run reads the store afresh.
 */
export function readStatement<P extends unknown[], R>(db: PrismaClient, sql: string): Database.Statement<P, R> | null {
  let m = statements.get(db);
  const hit = m?.get(sql);
  if (hit) return hit as unknown as Database.Statement<P, R>;
  const reader = sqliteReader(db);
  if (!reader) return null;
  const stmt = reader.prepare<P, R>(sql);
  if (!m) statements.set(db, (m = new Map()));
  m.set(sql, stmt as unknown as Database.Statement);
  return stmt;
}

/** Whether the client works on PostgreSQL (else SQLite). */
export function isPostgres(db: PrismaClient): boolean {
  const url = urls.get(db);
  return !!url && isPostgresUrl(url);
}

export type Db = PrismaClient;

const g = globalThis as unknown as { __havenDb?: PrismaClient };

/**
 * Makes `db` the process-wide client (the controller process of an elected instance installs its
 * fenced client before the controller starts). Refused once another client is in use.
 */
export function setProcessDb(db: PrismaClient): void {
  if (g.__havenDb && g.__havenDb !== db) throw new Error("the process-wide store client is already in use");
  g.__havenDb = db;
}

/** The process-wide client (one per server process; survives dev hot reload). */
export function getDb(): PrismaClient {
  if (!g.__havenDb) g.__havenDb = createDb();
  return g.__havenDb;
}
