// One schema source: prisma/schema.prisma (SQLite) is the truth; prisma/postgres/schema.prisma is
// derived from it (provider postgresql, its own generated client in prisma/postgres/client) by
// `npm run db:postgres-schema`, and tests/postgres/schema-sync.test.ts fails when it is stale.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./proc";

export const MAIN_SCHEMA = path.join(ROOT, "prisma", "schema.prisma");
export const POSTGRES_SCHEMA = path.join(ROOT, "prisma", "postgres", "schema.prisma");
export const POSTGRES_MIGRATIONS = path.join(ROOT, "prisma", "migrations-postgresql");

const HEADER = "// GENERATED from prisma/schema.prisma by `npm run db:postgres-schema` — edit that file, not this one.\n";

/** The PostgreSQL schema text for the main (SQLite) schema text. */
export function postgresSchema(main: string): string {
  let out = main.replace(/generator client \{([^}]*)\}/, (_m, body: string) => {
    if (/\boutput\s*=/.test(body)) throw new Error("prisma/schema.prisma: the client generator must not set output (the PostgreSQL client sets its own)");
    return `generator client {${body.replace(/\n$/, "")}\n  output          = "./client"\n}`;
  });
  out = out.replace(/datasource db \{[^}]*\}/, 'datasource db {\n  provider = "postgresql"\n  url      = "postgresql://placeholder/haven" // the real location comes from the driver adapter (lib/db-url.ts)\n}');
  if (!out.includes('provider = "postgresql"') || !out.includes('output          = "./client"')) throw new Error("prisma/schema.prisma: no generator client / datasource db block found");
  return HEADER + out;
}

/** Writes prisma/postgres/schema.prisma; true when it changed. */
export function writePostgresSchema(): boolean {
  const next = postgresSchema(fs.readFileSync(MAIN_SCHEMA, "utf8"));
  const prev = fs.existsSync(POSTGRES_SCHEMA) ? fs.readFileSync(POSTGRES_SCHEMA, "utf8") : "";
  if (prev === next) return false;
  fs.mkdirSync(path.dirname(POSTGRES_SCHEMA), { recursive: true });
  fs.writeFileSync(POSTGRES_SCHEMA, next);
  return true;
}

/** The PostgreSQL SQL taking the `from` schema file (or an empty database) to the `to` schema file; offline. */
export function postgresDiff(from: string | null, to: string): string {
  const args = ["migrate", "diff", ...(from ? ["--from-schema-datamodel", from] : ["--from-empty"]), "--to-schema-datamodel", to, "--script"];
  const r = spawnSync(path.join(ROOT, "node_modules", ".bin", "prisma"), args, {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
  if (r.status !== 0) throw new Error(`prisma migrate diff failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}
