// `npm run seed` / `npm run seed:large` (prisma/seed.ts) on a store that does not exist yet: the
// script applies the migrations first, like `npm start`, instead of failing on a missing table.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");

function seedScript(dbFile: string, ...args: string[]) {
  return spawnSync(path.join(ROOT, "node_modules", ".bin", "tsx"), ["--conditions=react-server", "prisma/seed.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, DATABASE_URL: `file:${dbFile}`, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
  });
}

describe("prisma/seed.ts", () => {
  it("seed:large migrates a new store first, then seeds it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "haven-seed-"));
    try {
      const file = path.join(dir, "sub", "new.db"); // neither the file nor its folder exists
      const r = seedScript(file, "--large", "--hosts", "6", "--vms", "20");
      expect(r.status, r.stderr + r.stdout).toBe(0);
      expect(r.stdout).toMatch(/seeded the large cluster .*: 6 hosts, 20 VMs/);
      const db = new Database(file, { readonly: true });
      try {
        expect((db.prepare(`SELECT COUNT(*) AS n FROM "Host"`).get() as { n: number }).n).toBe(6);
        const applied = db.prepare(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`).all() as { migration_name: string }[];
        const all = fs.readdirSync(path.join(ROOT, "prisma", "migrations")).filter((d) => fs.existsSync(path.join(ROOT, "prisma", "migrations", d, "migration.sql")));
        expect(applied.map((m) => m.migration_name).sort()).toEqual(all.sort());
      } finally {
        db.close();
      }
      // Again on the now-populated store: nothing left to migrate, the cluster is replaced.
      const again = seedScript(file, "--large", "--hosts", "4", "--vms", "8");
      expect(again.status, again.stderr + again.stdout).toBe(0);
      expect(again.stdout).toMatch(/4 hosts, 8 VMs/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
