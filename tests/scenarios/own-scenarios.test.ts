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

  it("isolation: the host fences every guest (priority off too): nothing runs twice when it rejoins; the HA VM keeps its IP", async () => {
    const r = await run("isolation-stale-copy");
    expect(r.recovery.find((x) => x.vm === "scratch")).toEqual({ vm: "scratch", downAt: 29, runningAt: null });
    expect(r.events.some((e) => e.kind === "stale-copy-stop-sent" && e.vm === "scratch")).toBe(false);
    expect(r.recovery.find((x) => x.vm === "db1")?.downAt).toBe(29);
  });
});

// Issue 10: one scenario per rule (fixtures NAME.json + NAME.expect.json), plus what the expect format cannot say.
describe("issue 10 scenarios", () => {
  it("isolation fences every guest; an opted-out VM is unknown, its power-on refused, adopted on rejoin", async () => {
    const r = await run("isolation-fences-every-guest");
    expect(r.events.some((e) => e.kind === "scenario-action-refused" && e.vm === "keep" && /unknown/.test(e.message))).toBe(true);
    expect(r.recovery.map((x) => x.vm).sort()).toEqual(["db1", "scratch"]);
  });

  it("an opted-out VM on a failed host stays unknown (HA disabled); a fenced one is powered on elsewhere", async () => {
    const r = await run("unknown-on-failed-host");
    expect(r.final.vms.keep.host).toBe("h2");
  });

  it("host-confirm-off acts at once: opted-out HA VM rebuilt before the failure timeout, the other stopped then powered on", async () => {
    const r = await run("host-confirm-off");
    expect(r.events.find((e) => e.kind === "host-failed")?.at).toBe(20);
    expect(r.events.some((e) => e.kind === "scenario-action-refused" && e.vm === "keepoff" && e.at === 16)).toBe(true);
  });

  it("restart policy: spent → error with HA_REBUILD_FAILED; maxRestarts 0 relocates at once; defaults unchanged", async () => {
    const r = await run("restart-policy-spent");
    expect(r.alerts.find((a) => a.kind === "HA_REBUILD_FAILED" && a.vm === "web1")?.message).toMatch(/restart policy/);
    expect(r.events.filter((e) => e.vm === "web2" && e.kind === "vm-planned").map((e) => e.host)).toEqual(["h2"]);
  });

  it("vm-migrate: a standard VM moves; a device VM or a host without room is refused and the VM stays", async () => {
    const r = await run("admin-live-migration");
    expect(r.events.filter((e) => e.kind === "vm-migrate-refused").map((e) => e.vm).sort()).toEqual(["big", "gpu1"]);
  });

  it("device-fail: its VM is rebuilt elsewhere (in recovery), the device is not allocated until device-ok", async () => {
    const r = await run("device-fail-rebuilds-its-vm");
    expect(r.events.some((e) => e.kind === "scenario-action-refused" && e.vm === "gpu2" && e.at === 20)).toBe(true);
  });
});

describe("issue 10 scenarios (maintenance, host order, HA disabled)", () => {
  it("a device VM powered off for maintenance starts again on that host at exit, not where it would score better", async () => {
    const r = await run("maintenance-device-vm-comes-home");
    expect(r.events.filter((e) => e.vm === "gpu1" && e.kind === "vm-planned").map((e) => e.host)).toEqual(["h1"]);
  });

  it("a device VM is rebuilt elsewhere when its host stays in maintenance past maintenanceRebuildAfter", async () => {
    const r = await run("maintenance-rebuild-after-delay");
    expect(r.events.find((e) => e.vm === "gpu1" && e.kind === "vm-planned")?.at).toBe(40);
  });

  it("hostOrder ranks failover hosts; start-fails of one VM follows it wherever it starts", async () => {
    const r = await run("host-order-failover-and-vm-start-fails");
    expect(r.events.filter((e) => e.vm === "web2" && e.kind === "vm-start-failed").map((e) => e.host)).toEqual(["h2", "h2"]);
  });

  it("HA disabled: the isolated host still fences its guests; a power-on elsewhere after the failure runs one copy", async () => {
    const r = await run("ha-disabled-isolation-no-second-copy");
    expect(r.events.some((e) => e.kind === "scenario-action-refused" && e.vm === "a" && e.at === 20)).toBe(true);
  });
});
