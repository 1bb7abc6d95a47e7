// PostgreSQL as a store: the derived schema is in sync with the one schema source, the migration
// runner applies each migration once (even with runners racing) and refuses an edited one, and
// createDb on a postgresql:// URL gives the same client API (unique violations as P2002,
// interactive transactions). Runs on a throwaway PostgreSQL server (skipped when none is installed).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePostgres, pgMigrations } from "@/lib/server/cluster/pg-migrate";
import { createDb, isPostgres } from "@/lib/server/db";
import { MAIN_SCHEMA, POSTGRES_SCHEMA, postgresSchema } from "@/scripts/lib/postgres-schema";
import { postgresAvailable, startPostgres, type PostgresServer } from "@/scripts/lib/postgres-server";

describe("prisma/postgres/schema.prisma", () => {
  it("is derived from prisma/schema.prisma (run `npm run db:postgres-schema` after changing it)", () => {
    expect(fs.readFileSync(POSTGRES_SCHEMA, "utf8")).toBe(postgresSchema(fs.readFileSync(MAIN_SCHEMA, "utf8")));
  });
  it("has a PostgreSQL migration creating every model of the schema", () => {
    const sql = pgMigrations().map((m) => m.sql).join("\n");
    const models = [...fs.readFileSync(MAIN_SCHEMA, "utf8").matchAll(/^model (\w+) \{/gm)].map((m) => m[1]);
    expect(models.length).toBeGreaterThan(10);
    for (const m of models) expect(sql, m).toContain(`CREATE TABLE "${m}"`);
  });
});

describe.skipIf(!postgresAvailable())("PostgreSQL store", () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(() => server?.stop());

  it("two runners racing apply each migration once; a second run applies nothing", async () => {
    const url = await server.createDatabase("race");
    const [a, b] = await Promise.all([migratePostgres(url), migratePostgres(url)]);
    const names = pgMigrations().map((m) => m.name);
    expect([...a, ...b].sort()).toEqual(names.sort());
    expect(await migratePostgres(url)).toEqual([]);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const rows = (await c.query('SELECT "name" FROM "_migrations" ORDER BY "name"')).rows.map((r) => r.name);
    await c.end();
    expect(rows).toEqual(names);
  });

  it("refuses a migration edited after it was applied, and a store with a migration it does not know", async () => {
    const url = await server.createDatabase("edited");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "haven-pgmig-"));
    try {
      fs.mkdirSync(path.join(dir, "0001_a"));
      fs.writeFileSync(path.join(dir, "0001_a", "migration.sql"), 'CREATE TABLE "A" ("id" INT PRIMARY KEY);');
      expect(await migratePostgres(url, { dir })).toEqual(["0001_a"]);
      fs.writeFileSync(path.join(dir, "0001_a", "migration.sql"), 'CREATE TABLE "A" ("id" BIGINT PRIMARY KEY);');
      await expect(migratePostgres(url, { dir })).rejects.toThrow(/0001_a was edited after it was applied/);
      // A failing migration leaves nothing behind (its own transaction).
      fs.writeFileSync(path.join(dir, "0001_a", "migration.sql"), 'CREATE TABLE "A" ("id" INT PRIMARY KEY);');
      fs.mkdirSync(path.join(dir, "0002_b"));
      fs.writeFileSync(path.join(dir, "0002_b", "migration.sql"), 'CREATE TABLE "B" ("id" INT); SELECT no_such_function();');
      await expect(migratePostgres(url, { dir })).rejects.toThrow(/0002_b failed/);
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      expect((await c.query(`SELECT to_regclass('"B"') AS t`)).rows[0].t).toBeNull();
      await c.end();
      fs.rmSync(path.join(dir, "0002_b"), { recursive: true });
      fs.rmSync(path.join(dir, "0001_a"), { recursive: true });
      await expect(migratePostgres(url, { dir })).rejects.toThrow(/migrated by a newer version/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("createDb(postgresql://…) runs the same client: creates, P2002 on a duplicate, interactive transactions roll back", async () => {
    const url = await server.createDatabase("client");
    await migratePostgres(url);
    const db = createDb(url);
    try {
      expect(isPostgres(db)).toBe(true);
      const c = await db.cluster.create({ data: { name: "pg" } });
      expect(c.heartbeatS).toBe(1);
      await expect(db.cluster.create({ data: { name: "pg" } })).rejects.toMatchObject({ code: "P2002" });
      await expect(
        db.$transaction(async (tx) => {
          await tx.cluster.update({ where: { id: c.id }, data: { name: "renamed" } });
          throw new Error("abort");
        }),
      ).rejects.toThrow("abort");
      expect((await db.cluster.findUniqueOrThrow({ where: { id: c.id } })).name).toBe("pg");
      const rows = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "Cluster"`;
      expect(Number(rows[0].n)).toBe(1);
    } finally {
      await db.$disconnect();
    }
  });
});
