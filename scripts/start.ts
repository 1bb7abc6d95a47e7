// npm start: migrate the store, seed the demo cluster when it is empty, build when the
// build is missing or older than the sources, then `next start` (PORT, default 3000).
//   --fresh         delete the SQLite file first (the e2e web server uses this); on PostgreSQL
//                   (DATABASE_URL=postgresql://…) drop every table of the store first
//   --prepare-only  stop before serving (the test runner uses this to build)
//   --rebuild       build even when the build looks fresh
//   --large         seed the large cluster instead of the demo when the store is empty
import { spawn } from "node:child_process";
import { databaseUrl, isPostgresUrl } from "../lib/db-url";
import { build, buildStaleReason, deleteDatabase, distDir, migrate, resetPostgres, seedIfEmpty } from "./lib/app-setup";
import { QUIET_ENV, ROOT, bin } from "./lib/proc";

const args = new Set(process.argv.slice(2));
const url = databaseUrl();
const dir = distDir();

if (args.has("--fresh")) {
  if (isPostgresUrl(url)) await resetPostgres(url);
  else deleteDatabase(url);
}
console.log(`store: ${url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@")}`);
let code = await migrate(url);
if (code !== 0) {
  console.error("migrating the store failed");
  process.exit(code);
}
await seedIfEmpty(url, { large: args.has("--large") });

const stale = args.has("--rebuild") ? "--rebuild" : buildStaleReason(dir);
if (stale) {
  console.log(`building the app into ${dir}/ (${stale})`);
  code = await build(dir, { DATABASE_URL: url });
  if (code !== 0) {
    console.error("next build failed");
    process.exit(code);
  }
}
if (args.has("--prepare-only")) process.exit(0);

const port = process.env.PORT || "3000";
console.log(`Haven on http://localhost:${port}`);
const child = spawn(bin("next"), ["start", "-p", port], {
  cwd: ROOT,
  stdio: "inherit",
  env: { ...process.env, ...QUIET_ENV, DATABASE_URL: url, NEXT_DIST_DIR: dir, NODE_ENV: "production" } as NodeJS.ProcessEnv,
});
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(sig, () => {
    if (child.exitCode === null) child.kill(sig);
  });
}
child.on("exit", (c, signal) => process.exit(c ?? (signal === "SIGINT" ? 130 : signal === "SIGTERM" ? 143 : 1)));
