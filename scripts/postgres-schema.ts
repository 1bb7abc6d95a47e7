// npm run db:postgres-schema [-- <migration name>]
// Derives prisma/postgres/schema.prisma from prisma/schema.prisma (the one schema source) and,
// when the model changed, writes the PostgreSQL migration that takes the previous derived schema
// to the new one: prisma/migrations-postgresql/NNNN_<name>/migration.sql (offline: `prisma
// migrate diff` between two schema files needs no database). Then generates the PostgreSQL
// client (prisma/postgres/client). Run it after `npm run db:new-migration` (the SQLite one).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { POSTGRES_MIGRATIONS, POSTGRES_SCHEMA, postgresDiff, writePostgresSchema } from "./lib/postgres-schema";
import { bin, runOrExit } from "./lib/proc";

const name = (process.argv.slice(2).find((a) => !a.startsWith("--")) ?? "change")
  .toLowerCase()
  .replace(/[^a-z0-9]+/g, "_")
  .replace(/^_+|_+$/g, "");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "haven-pgschema-"));
const previous = path.join(tmp, "previous.prisma");
const hadPrevious = fs.existsSync(POSTGRES_SCHEMA);
if (hadPrevious) fs.copyFileSync(POSTGRES_SCHEMA, previous);
try {
  const changed = writePostgresSchema();
  const existing = fs.existsSync(POSTGRES_MIGRATIONS) ? fs.readdirSync(POSTGRES_MIGRATIONS).filter((d) => /^\d{4}_/.test(d)).sort() : [];
  if (changed || existing.length === 0) {
    const from = existing.length && hadPrevious ? previous : null;
    const sql = postgresDiff(from, POSTGRES_SCHEMA);
    if (/^\s*--\s*This is an empty migration\.?\s*$/m.test(sql) || !/[A-Z]+ /.test(sql.replace(/--.*$/gm, ""))) {
      console.log("prisma/postgres/schema.prisma rewritten; no change to the tables");
    } else {
      const n = String(existing.length + 1).padStart(4, "0");
      const dir = path.join(POSTGRES_MIGRATIONS, `${n}_${existing.length ? name : "init"}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "migration.sql"), sql);
      console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
    }
  } else console.log("prisma/postgres/schema.prisma is up to date");
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
await runOrExit("prisma generate (PostgreSQL client)", bin("prisma"), ["generate", "--schema", POSTGRES_SCHEMA]);
