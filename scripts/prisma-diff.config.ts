// Prisma config used only by scripts/new-migration.ts: `migrate diff --from-migrations`
// replays prisma/migrations into a throwaway shadow SQLite file (HAVEN_DIFF_SHADOW_URL)
// with the JS schema engine, offline.
//
// Workaround: Prisma 6.19's JS schema engine sends each migration file to the adapter as one
// executeRaw call, which better-sqlite3 refuses ("more than one statement"); parameterless
// multi-statement SQL is routed to executeScript instead.
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

type Adapter = {
  executeRaw: (q: { sql: string; args?: unknown[] }) => Promise<number>;
  executeScript: (sql: string) => Promise<void>;
};

function scriptAware<T>(adapter: T): T {
  const a = adapter as unknown as Adapter;
  const raw = a.executeRaw.bind(a);
  a.executeRaw = async (q) => {
    if ((!q.args || q.args.length === 0) && q.sql.includes(";")) {
      await a.executeScript(q.sql);
      return 0;
    }
    return raw(q);
  };
  return adapter;
}

const root = process.env.HAVEN_ROOT || process.cwd();

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join(root, "prisma", "schema.prisma"),
  migrations: { path: path.join(root, "prisma", "migrations") },
  async adapter() {
    const main = process.env.HAVEN_DIFF_MAIN_URL;
    const shadow = process.env.HAVEN_DIFF_SHADOW_URL;
    if (!main || !shadow) throw new Error("scripts/prisma-diff.config.ts is for scripts/new-migration.ts (HAVEN_DIFF_MAIN_URL, HAVEN_DIFF_SHADOW_URL)");
    const factory = new PrismaBetterSQLite3({ url: main }, { shadowDatabaseUrl: shadow });
    const connect = factory.connect.bind(factory);
    const connectShadow = factory.connectToShadowDb.bind(factory);
    return Object.assign(factory, {
      connect: async () => scriptAware(await connect()),
      connectToShadowDb: async () => scriptAware(await connectShadow()),
    });
  },
});
