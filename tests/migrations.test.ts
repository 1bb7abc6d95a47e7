// The migrations and prisma/schema.prisma agree, and db:new-migration makes a migration that
// applies (offline: Prisma's JS schema engine over a throwaway shadow SQLite file).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { migrateSqliteFile } from "./support/test-db";

const ROOT = path.resolve(import.meta.dirname, "..");

function newMigration(...args: string[]) {
  return spawnSync(path.join(ROOT, "node_modules", ".bin", "tsx"), ["--conditions=react-server", "scripts/new-migration.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
}

describe("migrations", () => {
  it("prisma/schema.prisma matches prisma/migrations (no migration is missing)", () => {
    const r = newMigration("--print");
    expect(r.stderr + r.stdout).toMatch(/nothing to migrate/);
    expect(r.status).toBe(1);
  });

  it("db:new-migration turns a schema change into SQL that applies to the migrated store", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "haven-mig-"));
    try {
      const schema = fs.readFileSync(path.join(ROOT, "prisma", "schema.prisma"), "utf8");
      const changed = schema.replace(/model DeviceTag \{/, "model DeviceTag {\n  colour String?");
      expect(changed).not.toBe(schema);
      const file = path.join(dir, "schema.prisma");
      fs.writeFileSync(file, changed);
      const r = newMigration("--print", `--schema=${file}`);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/"colour" TEXT/);
      const db = path.join(dir, "store.db");
      migrateSqliteFile(db);
      const sqlite = new Database(db);
      try {
        sqlite.exec(r.stdout);
        const cols = sqlite.prepare(`PRAGMA table_info("DeviceTag")`).all() as { name: string }[];
        expect(cols.map((c) => c.name)).toContain("colour");
      } finally {
        sqlite.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
