// npm run seed [-- --force]            the demo cluster (only into an empty store unless --force)
// npm run seed:large [-- --hosts N --vms N]   1,000 hosts / 20,000 VMs (resets the store first)
// The store is DATABASE_URL (default file:data/haven.db); its migrations are applied first (like
// `npm start`), so both commands work on a new or an older store.
import { Command } from "commander";
import { databaseUrl } from "../lib/db-url";
import { createDb } from "../lib/server/db";
import { isStoreEmpty, resetStore, seedDemo, seedLarge } from "../lib/server/seed";
import { migrate } from "../scripts/lib/app-setup";

const program = new Command()
  .name("seed")
  .option("--large", "seed the large synthetic cluster instead of the demo (resets the store)")
  .option("--force", "reset a store that already holds a cluster, then seed")
  .option("--hosts <n>", "hosts of the large cluster", (v) => Number(v), 1000)
  .option("--vms <n>", "VMs of the large cluster", (v) => Number(v), 20000)
  .parse();
const opts = program.opts<{ large?: boolean; force?: boolean; hosts: number; vms: number }>();

const migrated = await migrate(databaseUrl());
if (migrated !== 0) {
  console.error(`seed failed: prisma migrate deploy exited ${migrated}`);
  process.exit(migrated);
}

const db = createDb();
const t0 = performance.now();
try {
  const empty = await isStoreEmpty(db);
  if (opts.large) {
    if (!empty) await resetStore(db);
    const r = await seedLarge(db, { hosts: opts.hosts, vms: opts.vms });
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(`seeded the large cluster into ${databaseUrl()}: ${r.counts.hosts} hosts, ${r.counts.vms} VMs, ${r.counts.allocations} device allocations in ${s} s`);
  } else if (!empty && !opts.force) {
    console.log(`the store ${databaseUrl()} already holds a cluster; not seeding (use --force to reset it)`);
  } else {
    if (!empty) await resetStore(db);
    const r = await seedDemo(db);
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(`seeded the demo cluster into ${databaseUrl()}: ${r.counts.hosts} hosts, ${r.counts.vms} VMs in ${s} s`);
  }
} catch (e) {
  console.error(e instanceof Error ? `seed failed: ${e.message}` : e);
  if (e && typeof e === "object" && "fieldErrors" in e) console.error(JSON.stringify((e as { fieldErrors: unknown }).fieldErrors, null, 2));
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
