// npm run db:new-migration -- <name>
// Writes prisma/migrations/NNNN_<name>/migration.sql with the SQL that takes the schema the
// existing migrations build to prisma/schema.prisma. Offline: Prisma's JS schema engine replays
// the migrations into a throwaway shadow SQLite file (see scripts/prisma-diff.config.ts).
// Refuses an empty diff. `--print` shows the SQL without writing it.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { QUIET_ENV, ROOT, bin } from "./lib/proc";

const argv = process.argv.slice(2);
const printOnly = argv.includes("--print");
const schemaArg = argv.find((a) => a.startsWith("--schema="))?.slice("--schema=".length);
const rawName = argv.find((a) => !a.startsWith("--"));
if (!rawName && !printOnly) {
  console.error("usage: npm run db:new-migration -- <name> [--print] [--schema=path]");
  process.exit(2);
}
const slug = (rawName ?? "preview")
  .toLowerCase()
  .replace(/[^a-z0-9]+/g, "_")
  .replace(/^_+|_+$/g, "");
if (!slug) {
  console.error(`"${rawName}" gives an empty migration name`);
  process.exit(2);
}

const migrationsDir = path.join(ROOT, "prisma", "migrations");
const schema = path.resolve(ROOT, schemaArg ?? path.join("prisma", "schema.prisma"));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "haven-diff-"));
let sql = "";
try {
  const r = spawnSync(
    bin("prisma"),
    ["migrate", "diff", "--config", path.join(ROOT, "scripts", "prisma-diff.config.ts"), "--from-migrations", migrationsDir, "--to-schema-datamodel", schema, "--script"],
    {
      cwd: ROOT,
      encoding: "utf8",
      env: {
        ...process.env,
        ...QUIET_ENV,
        HAVEN_ROOT: ROOT,
        HAVEN_DIFF_MAIN_URL: `file:${path.join(tmp, "main.db")}`,
        HAVEN_DIFF_SHADOW_URL: `file:${path.join(tmp, "shadow.db")}`,
      },
    },
  );
  if (r.status !== 0) {
    console.error(r.stderr || r.stdout);
    console.error("prisma migrate diff failed");
    process.exit(1);
  }
  sql = r.stdout;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

const statements = sql
  .split("\n")
  .filter((l) => l.trim() && !l.trim().startsWith("--") && !l.startsWith("Loaded Prisma config"))
  .join("\n")
  .trim();
if (!statements) {
  console.error("The schema matches the migrations: nothing to migrate (no migration written).");
  process.exit(1);
}
const body = sql.slice(sql.indexOf("--") >= 0 ? sql.indexOf("--") : 0).trimEnd() + "\n";
if (printOnly) {
  process.stdout.write(body);
  process.exit(0);
}

const taken = fs
  .readdirSync(migrationsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => /^(\d+)_/.exec(d.name)?.[1])
  .filter((n): n is string => !!n)
  .map(Number);
const next = String((taken.length ? Math.max(...taken) : 0) + 1).padStart(4, "0");
const dir = path.join(migrationsDir, `${next}_${slug}`);
fs.mkdirSync(dir);
fs.writeFileSync(path.join(dir, "migration.sql"), body);
console.log(`wrote ${path.relative(ROOT, dir)}/migration.sql (${statements.split(";").length - 1} statements)`);
