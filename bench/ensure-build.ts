// The production build a bench serves: built into `dist` when missing or older than the sources
// (or with HAVEN_BENCH_REBUILD=1; HAVEN_BENCH_REBUILD=0 serves an existing build as it is — the
// controller process runs from the sources anyway — e.g. while others edit the tree).
export async function ensureBuild(dist: string, label: string): Promise<void> {
  const { build, buildStaleReason } = await import("../scripts/lib/app-setup");
  if (process.env.HAVEN_BENCH_REBUILD === "0" && (await import("node:fs")).existsSync(`${dist}/BUILD_ID`)) return;
  const why = process.env.HAVEN_BENCH_REBUILD === "1" ? "HAVEN_BENCH_REBUILD=1" : buildStaleReason(dist);
  if (!why) return;
  console.error(`${label}: building into ${dist}/ (${why})`);
  if ((await build(dist)) !== 0) throw new Error("next build failed");
}
