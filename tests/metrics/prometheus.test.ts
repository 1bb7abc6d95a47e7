// GET /api/metrics scraped by a real Prometheus (Debian's `prometheus`, issue 14): the route
// handler is served by a real HTTP server over the demo store, with an HA controller running in
// this process (its registry comes through the `metrics` control op, as from the controller
// process); Prometheus scrapes it with the scrape token and its HTTP API returns the series.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setProcessDb } from "@/lib/server/db";
import { startController, stopController, type HaController } from "@/lib/server/ha/controller";
import { systemClock } from "@/lib/server/ha/clock";
import { silentLogger } from "@/lib/server/ha/log";
import { instrumentController } from "@/lib/server/metrics/controller";
import { createTestDb, type TestDb } from "../support/test-db";

const PROMETHEUS = process.env.PROMETHEUS_BIN || "/usr/bin/prometheus";
const TOKEN = "scrape-token-for-the-test-0123456789";

let t: TestDb;
let server: http.Server;
let port = 0;
let prom: ChildProcess | null = null;
let promPort = 0;
let dir = "";
let ctl: HaController;
let promLog = "";

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

async function get(pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; type: string | null }> {
  const res = await fetch(`http://127.0.0.1:${port}${pathname}`, { headers });
  return { status: res.status, text: await res.text(), type: res.headers.get("content-type") };
}

type Sample = { metric: Record<string, string>; value: [number, string] };
async function query(q: string): Promise<Sample[]> {
  const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { status: string; data: { result: Sample[] } };
  expect(body.status).toBe("success");
  return body.data.result;
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n--- prometheus log ---\n${promLog.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  expect(fs.existsSync(PROMETHEUS), `${PROMETHEUS} missing: apt-get install prometheus (scripts/lib/system-packages.ts)`).toBe(true);
  process.env.HAVEN_METRICS_TOKEN = TOKEN;
  t = await createTestDb({ seed: "demo" });
  setProcessDb(t.db);
  ctl = startController({ db: t.db, clock: systemClock, log: silentLogger });
  await ctl.start();
  instrumentController(ctl);
  const hosts = await t.db.host.findMany({ take: 3, select: { id: true } });
  for (let i = 0; i < 3; i++) {
    for (const h of hosts) ctl.noteHeartbeat({ hostId: h.id, seq: i, vms: [] } as unknown as Parameters<HaController["noteHeartbeat"]>[0]);
    await ctl.step();
  }

  const { GET } = await import("@/app/api/metrics/route");
  server = http.createServer(async (req, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const answer = await GET(new Request(`http://127.0.0.1${req.url}`, { headers }));
    res.writeHead(answer.status, Object.fromEntries(answer.headers.entries()));
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;

  dir = fs.mkdtempSync(path.join(os.tmpdir(), "haven-prom-"));
  promPort = await freePort();
  fs.writeFileSync(path.join(dir, "token"), TOKEN);
  fs.writeFileSync(
    path.join(dir, "prometheus.yml"),
    [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 900ms",
      "scrape_configs:",
      "  - job_name: haven",
      "    metrics_path: /api/metrics",
      "    authorization:",
      `      credentials_file: ${path.join(dir, "token")}`,
      "    static_configs:",
      `      - targets: ["127.0.0.1:${port}"]`,
      "",
    ].join("\n"),
  );
  prom = spawn(PROMETHEUS, [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${promPort}`], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  prom.stdout?.on("data", (d) => (promLog += d));
  prom.stderr?.on("data", (d) => (promLog += d));
  await until("prometheus ready", async () => (await fetch(`http://127.0.0.1:${promPort}/-/ready`)).ok);
}, 120_000);

afterAll(async () => {
  if (prom && prom.exitCode === null) {
    prom.kill("SIGTERM");
    await new Promise((r) => prom!.once("exit", r));
  }
  await new Promise((r) => server?.close(r));
  stopController();
  await t?.cleanup();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  delete process.env.HAVEN_METRICS_TOKEN;
});

describe("GET /api/metrics", () => {
  it("needs the scrape token", async () => {
    expect((await get("/api/metrics")).status).toBe(401);
    const wrong = await get("/api/metrics", { authorization: "Bearer not-the-token-at-all" });
    expect(wrong.status).toBe(401);
    expect(wrong.type).toContain("application/problem+json");
    const ok = await get("/api/metrics", { authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(ok.type).toContain("text/plain");
    // Every metric family appears once (the three registries do not collide).
    const types = ok.text.split("\n").filter((l) => l.startsWith("# TYPE "));
    expect(new Set(types).size).toBe(types.length);
  });

  it("is scraped by Prometheus, whose API returns the series with the store's numbers", async () => {
    await until("the target up", async () => (await query('up{job="haven"}')).find((s) => s.value[1] === "1"));
    const hosts = await until("haven_hosts", async () => {
      const r = await query("haven_hosts");
      return r.length ? r : null;
    });
    const online = await t.db.host.count({ where: { state: "online" } });
    expect(Number(hosts.find((s) => s.metric.state === "online")?.value[1])).toBe(online);
    expect(hosts.map((s) => s.metric.state).sort()).toEqual(["failed", "isolated", "maintenance", "online", "unreachable"]);

    const vms = await query('sum(haven_vms{ha_priority="high"})');
    expect(Number(vms[0].value[1])).toBe(await t.db.vm.count({ where: { haPriority: "high" } }));
    const running = await query('sum(haven_vms{power="running"})');
    expect(Number(running[0].value[1])).toBe(await t.db.vm.count({ where: { power: "running" } }));

    // Devices: GPUs, vGPU slots per profile tag, VFs; free + used = the tag's units.
    const dev = await query("haven_devices");
    expect(new Set(dev.map((s) => s.metric.type))).toEqual(new Set(["gpu", "vgpu", "sriov"]));
    expect(dev.some((s) => s.metric.type === "vgpu" && s.metric.tag.includes("/"))).toBe(true);
    const vfs = await query('sum(haven_devices{type="sriov",tag="trading-a"})');
    const nics = await t.db.nic.findMany({ where: { tag: "trading-a" }, select: { sriovVfs: true } });
    expect(Number(vfs[0].value[1])).toBe(nics.reduce((n, x) => n + (x.sriovVfs ?? 0), 0));

    const tolerated = await query("haven_ha_tolerated_host_failures");
    expect(tolerated).toHaveLength(1);
    expect((await query("haven_guarantee_reserve_cpus")).length).toBeGreaterThan(0);

    const alerts = await query("sum(haven_alerts_open)");
    expect(Number(alerts[0].value[1])).toBe(await t.db.alert.count({ where: { status: { not: "resolved" } } }));
    expect((await query("haven_alerts_open")).every((s) => s.metric.kind && s.metric.severity)).toBe(true);

    expect(Number((await query("sum(haven_incidents)"))[0].value[1])).toBe(await t.db.incident.count());
    // Recovery seconds per VM from the demo's past incidents.
    const recovered = await query("haven_vm_recovery_seconds_count");
    expect(Number(recovered[0].value[1])).toBeGreaterThan(0);
    expect((await query('haven_vm_recovery_seconds_bucket{le="+Inf"}')).length).toBe(1);

    // From the controller's registry (the control op): steps, lag, heartbeats; and process defaults of both.
    expect(Number((await query("haven_controller_step_duration_seconds_count"))[0].value[1])).toBeGreaterThanOrEqual(3);
    expect((await query("haven_controller_lag_seconds")).length).toBe(1);
    expect(Number((await query("haven_heartbeats_received_total"))[0].value[1])).toBe(9);
    expect((await query("haven_heartbeats_late_total")).length).toBe(1);
    expect(Number((await query("haven_controller_reachable"))[0].value[1])).toBe(1);
    expect((await query("process_resident_memory_bytes")).length).toBe(1);
    expect((await query("haven_controller_process_resident_memory_bytes")).length).toBe(1);
    expect((await query("haven_notifications")).length).toBe(4);
  }, 120_000);

  it("backs every panel of the Grafana dashboard in docs/: each query is valid PromQL and names only series the console serves", async () => {
    const dash = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, "../../docs/grafana-haven.json"), "utf8")) as { panels: { type: string; title: string; targets?: { expr: string }[] }[] };
    const scraped = (await get("/api/metrics", { authorization: `Bearer ${TOKEN}` })).text;
    // Every family the console declares (a labelled counter with no sample yet is declared too).
    const served = new Set<string>();
    for (const m of scraped.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      served.add(m[1]);
      if (m[2] === "histogram") for (const x of ["_bucket", "_count", "_sum"]) served.add(m[1] + x);
    }
    const exprs = dash.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
    expect(exprs.length).toBeGreaterThan(20);
    for (const { panel, expr } of exprs) {
      const names = expr.match(/\b(?:haven|process)_[a-z0-9_]+/g) ?? [];
      expect(names.length, panel).toBeGreaterThan(0);
      for (const n of names) expect(served.has(n), `${panel}: ${n} is not served`).toBe(true);
      const q = expr.replaceAll("$job", ".*").replaceAll("$__rate_interval", "1m");
      const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
      const body = (await res.json()) as { status: string; error?: string };
      expect(body.status, `${panel}: ${q} → ${body.error}`).toBe("success");
    }
  }, 120_000);
});
