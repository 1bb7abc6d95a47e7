// npm test: every suite, then one summary line `N passed, N failed`.
//   1. Vitest (unit + integration + anything wired into vitest), JSON to test-reports/vitest.json,
//      then `tsc --noEmit` over the whole project (counted as one test; the build checks the app only)
//   2. the production build for e2e (NEXT_DIST_DIR=.next-test; skipped when fresh) and a fresh
//      demo-seeded store, via scripts/start.ts --prepare-only
//   3. Playwright against it (system Chromium), JSON to test-reports/playwright.json
//   4. optional: the public scenarios through ../shared/scenarios/check.mjs (--scenarios or
//      HAVEN_TEST_SCENARIOS=1); leave it off when a vitest test already runs them.
// Exit status non-zero when anything failed or no test ran at all.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { QUIET_ENV, ROOT, bin, run } from "./lib/proc";
import { ensureSystemPackages } from "./lib/system-packages";

const program = new Command()
  .name("test-all")
  .option("--unit-only", "run only the vitest suite")
  .option("--no-unit", "skip vitest")
  .option("--no-typecheck", "skip tsc --noEmit over the whole project (tests included)")
  .option("--no-e2e", "skip the build and Playwright")
  .option("--scenarios", "also run ../shared/scenarios/check.mjs (when no vitest test covers them)", process.env.HAVEN_TEST_SCENARIOS === "1")
  .option("--unit-filter <pattern>", "only vitest files matching this filter")
  .option("--e2e-grep <pattern>", "only Playwright tests whose title matches")
  .option("--rebuild", "build for e2e even when .next-test looks fresh")
  .parse();
const opts = program.opts<{ unitOnly?: boolean; unit: boolean; typecheck: boolean; e2e: boolean; scenarios?: boolean; unitFilter?: string; e2eGrep?: string; rebuild?: boolean }>();

const REPORTS = path.join(ROOT, "test-reports");
fs.mkdirSync(REPORTS, { recursive: true });
const DIST_DIR = process.env.E2E_DIST_DIR || ".next-test";
const E2E_DB = process.env.E2E_DATABASE_URL || `file:${path.join(ROOT, "data", "e2e.db")}`;

interface SuiteResult {
  suite: string;
  passed: number;
  failed: number;
  skipped: number;
  note?: string;
}
const results: SuiteResult[] = [];
/** Titles of the failed tests, for the summary. */
const failures: string[] = [];

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch {
    return null;
  }
}

async function vitest(): Promise<void> {
  const out = path.join(REPORTS, "vitest.json");
  fs.rmSync(out, { force: true });
  const args = ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`];
  if (opts.unitFilter) args.push(opts.unitFilter);
  const code = await run(bin("vitest"), args);
  type VitestJson = {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    testResults: { status: string; assertionResults: { status: string; fullName?: string; title: string }[]; name: string; message?: string }[];
  };
  const j = readJson<VitestJson>(out);
  if (!j) {
    results.push({ suite: "vitest", passed: 0, failed: 1, skipped: 0, note: `no JSON report (exit ${code})` });
    return;
  }
  for (const f of j.testResults) {
    const file = path.relative(ROOT, f.name);
    if (f.status === "failed" && f.assertionResults.length === 0) failures.push(`vitest ${file}: ${(f.message ?? "failed to load").split("\n")[0]}`);
    for (const a of f.assertionResults) if (a.status === "failed") failures.push(`vitest ${file} › ${a.fullName ?? a.title}`);
  }
  // A file that failed to load has no test results but is a failure.
  const brokenFiles = j.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
  const r: SuiteResult = {
    suite: "vitest",
    passed: j.numPassedTests,
    failed: j.numFailedTests + brokenFiles,
    skipped: j.numPendingTests + j.numTodoTests,
  };
  if (code !== 0 && r.failed === 0) {
    r.failed = 1;
    r.note = `vitest exited ${code}`;
  }
  results.push(r);
}

/** `tsc --noEmit` over tsconfig.json (tests, e2e, scripts included; the build checks only the app). */
async function typecheck(): Promise<void> {
  const code = await run(bin("tsc"), ["--noEmit", "-p", "tsconfig.json"]);
  if (code === 0) results.push({ suite: "typecheck", passed: 1, failed: 0, skipped: 0 });
  else {
    results.push({ suite: "typecheck", passed: 0, failed: 1, skipped: 0, note: "tsc --noEmit reported errors (above)" });
    failures.push("typecheck: tsc --noEmit -p tsconfig.json");
  }
}

async function buildForE2e(): Promise<boolean> {
  const args = ["--conditions=react-server", "scripts/start.ts", "--fresh", "--prepare-only"];
  if (opts.rebuild) args.push("--rebuild");
  const code = await run(bin("tsx"), args, { env: { DATABASE_URL: E2E_DB, NEXT_DIST_DIR: DIST_DIR } });
  if (code !== 0) results.push({ suite: "build", passed: 0, failed: 1, skipped: 0, note: `next build / store setup failed (exit ${code})` });
  return code === 0;
}

async function playwright(): Promise<void> {
  const out = path.join(REPORTS, "playwright.json");
  fs.rmSync(out, { force: true });
  const args = ["test", "--reporter=list,json"];
  if (opts.e2eGrep) args.push("--grep", opts.e2eGrep);
  const code = await run(bin("playwright"), args, {
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: out, E2E_DATABASE_URL: E2E_DB, E2E_DIST_DIR: DIST_DIR },
  });
  type PwSuite = { title: string; file?: string; specs?: { title: string; ok: boolean; file?: string }[]; suites?: PwSuite[] };
  type PwJson = { stats: { expected: number; unexpected: number; flaky: number; skipped: number }; errors?: { message?: string }[]; suites?: PwSuite[] };
  const j = readJson<PwJson>(out);
  if (!j) {
    results.push({ suite: "playwright", passed: 0, failed: 1, skipped: 0, note: `no JSON report (exit ${code})` });
    return;
  }
  const walk = (suite: PwSuite, trail: string[]) => {
    const t = suite.title && !suite.file?.endsWith(suite.title) ? [...trail, suite.title] : trail;
    for (const sp of suite.specs ?? []) if (!sp.ok) failures.push(`playwright ${sp.file ?? suite.file ?? ""} › ${[...t, sp.title].join(" › ")}`);
    for (const c of suite.suites ?? []) walk(c, t);
  };
  for (const s0 of j.suites ?? []) walk(s0, []);
  const r: SuiteResult = { suite: "playwright", passed: j.stats.expected, failed: j.stats.unexpected + j.stats.flaky, skipped: j.stats.skipped };
  if ((j.errors?.length ?? 0) > 0 && r.failed === 0) {
    r.failed = 1;
    r.note = (j.errors![0].message ?? "global error").split("\n")[0];
  }
  if (code !== 0 && r.failed === 0) {
    r.failed = 1;
    r.note = `playwright exited ${code}`;
  }
  results.push(r);
}

async function scenarios(): Promise<void> {
  const check = path.resolve(ROOT, "..", "shared", "scenarios", "check.mjs");
  if (!fs.existsSync(check)) {
    results.push({ suite: "scenarios", passed: 0, failed: 1, skipped: 0, note: `${check} not found` });
    return;
  }
  const child = spawn(process.execPath, [check, path.dirname(check)], { cwd: ROOT, env: { ...process.env, ...QUIET_ENV }, stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.on("data", (d) => {
    stdout += d;
    process.stdout.write(d);
  });
  const code: number = await new Promise((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
  const m = /(\d+)\/(\d+) scenarios pass/.exec(stdout);
  if (!m) results.push({ suite: "scenarios", passed: 0, failed: 1, skipped: 0, note: `no summary line (exit ${code})` });
  else results.push({ suite: "scenarios", passed: Number(m[1]), failed: Number(m[2]) - Number(m[1]), skipped: 0 });
}

const t0 = performance.now();
// The Debian packages the suites drive (Chromium): installed as root when missing, else the apt
// command is printed and nothing runs.
if (!opts.unitOnly && opts.e2e && !(await ensureSystemPackages())) process.exit(2);
if (opts.unit) await vitest();
if (!opts.unitOnly && opts.typecheck) await typecheck();
if (!opts.unitOnly && opts.e2e) {
  if (await buildForE2e()) await playwright();
}
if (!opts.unitOnly && opts.scenarios) await scenarios();

const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
console.log("");
for (const r of results)
  console.log(`  ${r.suite.padEnd(11)} ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ""}${r.note ? ` — ${r.note}` : ""}`);
if (failures.length) {
  console.log("  failed:");
  for (const f of failures.slice(0, 30)) console.log(`    ${f}`);
  if (failures.length > 30) console.log(`    … and ${failures.length - 30} more`);
}
console.log(`  (${((performance.now() - t0) / 1000).toFixed(0)} s; reports in test-reports/)`);
if (passed + failed === 0) console.log("no tests ran");
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
