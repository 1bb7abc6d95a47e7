// Haven's own scenario files (tests/scenarios/fixtures): each NAME.json runs through runScenario
// and is checked against NAME.expect.json with the check.mjs rules, plus a few timeline checks.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runScenario, type ScenarioReport } from "@/lib/sim/scenario-runner";
import { checkScenarioReport, type ScenarioExpect } from "@/lib/sim/expect";
import { silentLogger } from "@/lib/server/ha/log";

const DIR = path.resolve(import.meta.dirname, "fixtures");
const load = (name: string) => JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), "utf8"));

async function run(name: string): Promise<ScenarioReport> {
  const spec = load(name);
  const exp = load(`${name}.expect`) as ScenarioExpect;
  const report = await runScenario(spec, { log: silentLogger });
  const baseline = Object.values(exp.vms ?? {}).some((w) => w.ipsKept) ? await runScenario({ ...spec, events: [], runUntil: 5 }, { log: silentLogger }) : null;
  expect(checkScenarioReport(report, exp, baseline)).toEqual([]);
  expect(report.violations).toEqual([]);
  return report;
}

const kinds = (r: ScenarioReport, vm: string) => r.events.filter((e) => e.vm === vm).map((e) => e.kind);

describe("own scenarios", () => {
  it("start fails: retried once on the same host, then relocated avoiding it", async () => {
    const r = await run("start-fails-relocate");
    const planned = r.events.filter((e) => e.vm === "web1" && e.kind === "vm-planned").map((e) => e.host);
    expect(planned).toEqual(["h2", "h3"]);
    expect(kinds(r, "web1").filter((k) => k === "vm-start-failed")).toHaveLength(3);
    expect(r.final.vms.web1.host).toBe("h3");
  });

  it("vm crash: restarted in place; with localRestartFails, LOCAL_REBUILD_FAILED and rebuilt elsewhere, IP kept", async () => {
    const r = await run("crash-local-restart-fails");
    expect(r.recovery.find((x) => x.vm === "web1")).toEqual({ vm: "web1", downAt: 10, runningAt: 15 });
    expect(kinds(r, "t1")).toContain("vm-start-failed");
    expect(r.final.vms.t1.devices.map((d) => d.device)).toEqual(["h2/ens1f0/vf0"]);
  });

  it("maintenance: standard VM live-migrates, GPU VM powered off and started again on exit", async () => {
    const r = await run("maintenance-gpu");
    expect(kinds(r, "std1")).toContain("vm-migrated");
    expect(kinds(r, "gpu1")).toEqual(expect.arrayContaining(["vm-stopped", "vm-planned", "vm-running"]));
    expect(r.recovery).toEqual([]);
  });

  it("guarantee mode: power-ons that break the reserve are refused with the reason", async () => {
    const r = await run("guarantee-refusal");
    const refused = r.events.filter((e) => e.kind === "vm-power-on-refused");
    expect(refused.map((e) => e.vm)).toEqual(["d", "e"]);
    expect(refused[0].message).toMatch(/Guarantee reserve/);
  });

  it("isolation: the stale copy on the rejoining host is told to stop; the HA VM keeps its IP", async () => {
    const r = await run("isolation-stale-copy");
    expect(r.events.some((e) => e.kind === "stale-copy-stop-sent" && e.vm === "scratch" && e.host === "h2")).toBe(true);
    expect(r.recovery.find((x) => x.vm === "db1")?.downAt).toBe(29);
  });
});
