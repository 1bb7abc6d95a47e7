// The cluster dashboard at 1,000 hosts / 20,000 VMs, against the PRODUCTION server: `next start`
// (build in NEXT_DIST_DIR, default .next-dashboard-bench; built first when missing or older than
// the sources, or with HAVEN_BENCH_REBUILD=1) on a free port of 127.0.0.1 over a temporary store
// seeded with the large cluster, demo fleet and HA controller off (the store stays still, as a
// quiet cluster's would). A bench admin (HAVEN_ADMIN_EMAIL/PASSWORD, random password) signs in
// through the sign-in page in Chromium; its session cookie is used for the server timings.
//   dashboardServerMs      median time of GET / until the whole streamed answer arrived, over
//                          HAVEN_BENCH_DASH_REQUESTS (10) requests after 3 warm-up requests;
//   dashboardInteractiveMs median, over HAVEN_BENCH_DASH_LOADS (5) fresh page loads, from
//                          navigation start to the what-if host picker hydrated and enabled
//                          ([data-testid=what-if][data-ready=true] select:not([disabled])).
//   dashboardColdMs        the first request, which reads the snapshot and runs the engine
//                          (assessGuarantee, haEligibility, tag summary) before answering.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { createTempDb } from "../lib/sim/temp-db";
import { seedLarge } from "../lib/server/seed";
import { ensureBuild } from "./ensure-build";
import { freePort } from "./free-port";
import type { BenchModule } from "./run";

const ROOT = path.resolve(import.meta.dirname, "..");
const DIST = process.env.NEXT_DIST_DIR || ".next-dashboard-bench";
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const REQUESTS = Number(process.env.HAVEN_BENCH_DASH_REQUESTS ?? 10);
const LOADS = Number(process.env.HAVEN_BENCH_DASH_LOADS ?? 5);

export const goals: BenchModule["goals"] = {
  dashboardServerMs: { op: "<", value: 300 },
  dashboardInteractiveMs: { op: "<", value: 1500 },
};

async function waitUp(base: string, child: ChildProcess, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
    try {
      // 503 is fine: the HA controller is off on purpose.
      const r = await fetch(`${base}/api/health`);
      await r.arrayBuffer();
      return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("the server did not come up");
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

export async function run() {
  await ensureBuild(DIST, "dashboard bench");
  const tmp = createTempDb();
  const t0 = performance.now();
  const seeded = await seedLarge(tmp.db);
  console.error(`dashboard bench: seeded ${Object.keys(seeded.hostIds).length} hosts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const hosts = await tmp.db.host.count();
  const vms = await tmp.db.vm.count();
  await tmp.db.$disconnect();

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const email = "bench-admin@haven.test";
  const password = randomBytes(18).toString("base64url");
  const child = spawn(path.join(ROOT, "node_modules", ".bin", "next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_DIST_DIR: DIST,
      DATABASE_URL: `file:${tmp.file}`,
      HAVEN_DEMO: "0",
      HAVEN_CONTROLLER: "0",
      HAVEN_ADMIN_EMAIL: email,
      HAVEN_ADMIN_PASSWORD: password,
      HAVEN_BASE_URL: base,
      HAVEN_LOG_LEVEL: "warn",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"] });
  try {
    await waitUp(base, child);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    // Land on the hosts list, not the dashboard: the first dashboard request below is the cold one.
    await page.goto(`${base}/sign-in?next=${encodeURIComponent("/hosts")}`);
    const form = page.getByRole("form", { name: "Sign in" });
    await form.getByLabel("Email").fill(email);
    await form.getByLabel("Password").fill(password);
    const submit = form.getByRole("button", { name: "Sign in" });
    await submit.waitFor();
    await page.waitForFunction(() => !document.querySelector('form[aria-label="Sign in"] button[type=submit]')?.hasAttribute("disabled"));
    await submit.click();
    await page.waitForURL((u) => !u.pathname.startsWith("/sign-in"), { timeout: 120_000 });
    const cookie = (await context.cookies(base)).map((c) => `${c.name}=${c.value}`).join("; ");
    if (!/session_token/.test(cookie)) throw new Error("sign-in gave no session cookie");

    const get = async () => {
      const s = performance.now();
      const r = await fetch(`${base}/`, { headers: { cookie }, redirect: "manual" });
      const body = await r.text();
      if (r.status !== 200) throw new Error(`GET / answered ${r.status}`);
      if (!body.includes('data-testid="ha-card"')) throw new Error("the dashboard answer has no HA card");
      return performance.now() - s;
    };
    const cold = await get();
    for (let i = 0; i < 2; i++) await get();
    const server: number[] = [];
    for (let i = 0; i < REQUESTS; i++) server.push(await get());

    const interactive: number[] = [];
    for (let i = 0; i < LOADS + 1; i++) {
      const p = await context.newPage();
      await p.goto(`${base}/`, { waitUntil: "commit" });
      const at = await p.waitForFunction(
        () => (document.querySelector('[data-testid="what-if"][data-ready="true"] select:not([disabled])') ? performance.now() : false),
        undefined,
        { polling: "raf", timeout: 60_000 },
      );
      const ms = (await at.jsonValue()) as number;
      if (i > 0) interactive.push(ms); // the first load warms the browser's cache of the app's scripts
      await p.close();
    }
    await context.close();
    const out = {
      dashboardServerMs: r1(median(server)),
      dashboardServerMaxMs: r1(Math.max(...server)),
      dashboardInteractiveMs: r1(median(interactive)),
      dashboardInteractiveMaxMs: r1(Math.max(...interactive)),
      dashboardColdMs: r1(cold),
      dashboardHosts: hosts,
      dashboardVms: vms,
      dashboardLoad: Math.round(os.loadavg()[0] * 10) / 10,
    };
    console.error(`dashboard bench: server ${out.dashboardServerMs} ms (max ${out.dashboardServerMaxMs}), interactive ${out.dashboardInteractiveMs} ms, cold ${out.dashboardColdMs} ms`);
    return out;
  } catch (e) {
    console.error(`dashboard bench: server stderr:\n${stderr}`);
    throw e;
  } finally {
    await browser.close().catch(() => {});
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      /* already gone */
    }
    await new Promise((r) => setTimeout(r, 500));
    await tmp.dispose().catch(() => {});
  }
}
