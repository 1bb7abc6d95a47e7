// npm run test:postgres [-- <vitest files/filters>]: the service and controller suites on
// PostgreSQL. Starts one throwaway PostgreSQL server (scripts/lib/postgres-server.ts), runs
// vitest with HAVEN_TEST_DB=postgres (each test store a fresh database copied from a migrated
// template, tests/support/postgres.ts), and stops the server.
import { startPostgres } from "./lib/postgres-server";
import { bin, run } from "./lib/proc";

/** The suites that run on both stores (the SQLite-only ones — WAL, file locks — are left out). */
export const POSTGRES_SUITES = [
  "tests/postgres",
  "tests/ha/controller.test.ts",
  "tests/ha/agent-service.test.ts",
  "tests/ha/failback.test.ts",
  "tests/ha/lost-start.test.ts",
  "tests/ha/deleted-host.test.ts",
  "tests/ha/recovery-ops.test.ts",
  "tests/ha/alert-size.test.ts",
  // tests/integration but store-concurrency (SQLite's writer lock across processes)
  "tests/integration/agent-api.test.ts",
  "tests/integration/agent-listener.test.ts",
  "tests/integration/dashboard.test.ts",
  "tests/integration/demo-fleet.test.ts",
  "tests/integration/demo-mode.test.ts",
  "tests/integration/ha-settings-policy.test.ts",
  "tests/integration/ha-settings.test.ts",
  "tests/integration/inventory-actions.test.ts",
  "tests/integration/inventory-ha-policy.test.ts",
  "tests/integration/inventory-hosts.test.ts",
  "tests/integration/inventory-vms.test.ts",
  "tests/ops",
  "tests/scenarios/public-scenarios.test.ts",
  "tests/security/auth.test.ts",
];

const args = process.argv.slice(2);
const server = await startPostgres();
let code = 1;
try {
  console.log(`PostgreSQL ${server.url()} (throwaway)`);
  code = await run(bin("vitest"), ["run", ...(args.length ? args : POSTGRES_SUITES)], {
    env: { HAVEN_TEST_DB: "postgres", HAVEN_TEST_PG_URL: server.url() },
  });
} finally {
  server.stop();
}
process.exit(code);
