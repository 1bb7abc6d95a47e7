import { PrismaClient } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { databaseUrl } from "../db-url";

/** A Prisma client over the better-sqlite3 driver adapter, for the given store URL. */
export function createDb(url = databaseUrl()): PrismaClient {
  const adapter = new PrismaBetterSQLite3({ url });
  return new PrismaClient({ adapter });
}

export type Db = PrismaClient;

const g = globalThis as unknown as { __havenDb?: PrismaClient };

/** The process-wide client (one per server process; survives dev hot reload). */
export function getDb(): PrismaClient {
  if (!g.__havenDb) g.__havenDb = createDb();
  return g.__havenDb;
}
