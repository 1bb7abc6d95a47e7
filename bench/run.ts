// Benchmark driver: runs every bench/*.bench.ts module's exported run(), prints a table and
// MERGES the numbers into bench/results.json (other modules' keys are kept).
// Usage: npm run bench [-- <name-filter>]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export type BenchResult = Record<string, number | string | boolean | null>;
export interface BenchModule {
  run: () => Promise<BenchResult> | BenchResult;
  /** Goals for the table: key → "≥ 20000" / "< 5" etc. */
  goals?: Record<string, { op: ">=" | "<=" | "<" | ">"; value: number }>;
}

const dir = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts") && (!filter || f.includes(filter)))
  .sort();

const resultsPath = path.join(dir, "results.json");
let results: Record<string, unknown> = {};
try {
  results = JSON.parse(fs.readFileSync(resultsPath, "utf8"));
} catch {
  results = {};
}

const rows: { module: string; key: string; value: unknown; goal: string; ok: string }[] = [];
for (const f of files) {
  const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as BenchModule;
  if (typeof mod.run !== "function") continue;
  const started = performance.now();
  const out = await mod.run();
  const took = performance.now() - started;
  for (const [key, value] of Object.entries(out)) {
    results[key] = value;
    const g = mod.goals?.[key];
    let ok = "";
    if (g && typeof value === "number") {
      const pass = g.op === ">=" ? value >= g.value : g.op === ">" ? value > g.value : g.op === "<=" ? value <= g.value : value < g.value;
      ok = pass ? "ok" : "MISSED";
    }
    rows.push({ module: f, key, value, goal: g ? `${g.op} ${g.value}` : "", ok });
  }
  console.error(`${f}: ${(took / 1000).toFixed(1)} s`);
}

results.machine = {
  cores: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? "unknown",
  memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
};
results.updatedAt = new Date().toISOString();
fs.writeFileSync(resultsPath, JSON.stringify(results, null, 2) + "\n");

const w = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));
console.log(`${w("module", 22)} ${w("key", 26)} ${w("value", 14)} ${w("goal", 12)} result`);
for (const r of rows) {
  const v = typeof r.value === "number" ? String(Math.round(r.value * 100) / 100) : String(r.value);
  console.log(`${w(r.module, 22)} ${w(r.key, 26)} ${w(v, 14)} ${w(r.goal, 12)} ${r.ok}`);
}
const m = results.machine as { cores: number; memoryGiB: number };
console.log(`machine: ${m.cores} cores, ${m.memoryGiB} GiB; results merged into bench/results.json`);
