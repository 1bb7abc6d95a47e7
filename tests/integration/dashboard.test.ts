// The cluster dashboard's engine-backed reads against the demo store: the HA card agrees with
// the engine's Guarantee assessment, tag coverage with clusterTagSummary + haEligibility, the
// what-if with planFailover; the engine view is cached per inventory version.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/tests/support/test-db";
import { loadSnapshot } from "@/lib/server/snapshot";
import { assessGuarantee, clusterTagSummary, haEligibility, planFailover } from "@/lib/engine";
import { getHaCard, getTagCoverage, getWhatIf, listWhatIfHosts, splitUnabsorbableReason } from "@/lib/server/queries/dashboard";
import { dropEngineView, getEngineView, assessWithinBudget, MAX_PAIR_SETS } from "@/lib/server/dashboard/engine-view";
import { getInventoryVersion, getLiveVersion } from "@/lib/server/queries/changes";
import { getGpuDashboard, getGpuModeSwitch } from "@/lib/server/queries/gpu-dashboard";
import { snapshotFromSpec } from "@/lib/engine/testkit";

let t: TestDb;
const hostId = async (name: string) => (await t.db.host.findUniqueOrThrow({ where: { name }, select: { id: true } })).id;

beforeAll(async () => {
  t = await createTestDb({ seed: "demo" });
});
afterAll(async () => {
  dropEngineView(t.db);
  await t.cleanup();
});

describe("HA card", () => {
  it("reports the engine's tolerated failures and every failure set it cannot absorb, with the VM and hosts named", async () => {
    const card = await getHaCard(t.db, { fresh: true });
    const engine = assessGuarantee(await loadSnapshot(t.db));
    expect(card.toleratedFailures).toBe(engine.toleratedFailures);
    expect(card.unabsorbable.total).toBe(engine.unabsorbable.length);
    // The demo cluster: render-02 names its GPU on kvm-a01, so kvm-a01 failing cannot be absorbed.
    expect(card.toleratedFailures).toBe(0);
    const a01 = card.unabsorbable.sets.find((s) => s.hosts.map((h) => h.name).join() === "kvm-a01");
    expect(a01?.items.map((i) => i.vmName)).toContain("render-02");
    expect(a01?.items.find((i) => i.vmName === "render-02")?.vmId).toBe((await t.db.vm.findUniqueOrThrow({ where: { name: "render-02" } })).id);
    expect(a01?.items[0].details.length).toBeGreaterThan(0);
    // Reserve: every online host's reserve is counted once.
    const online = new Set((await t.db.host.findMany({ where: { state: "online" }, select: { id: true } })).map((h) => h.id));
    const cpus = engine.reservePerHost.filter((r) => online.has(r.hostId)).reduce((n, r) => n + r.cpus, 0);
    expect(card.reserve.totalCpus).toBe(cpus);
    expect(card.reserve.groups.reduce((n, g) => n + g.hostCount, 0)).toBeLessThanOrEqual(online.size);
    // Recovery with the demo timings: 3 × 1 s + 30 s + 5 s.
    expect(card.recovery.totalS).toBe(38);
  });

  it("splits the engine's failure-set wording into a headline and per-host details, or keeps it whole", () => {
    const ids = new Map([["db-01", "vm1"]]);
    const it1 = splitUnabsorbableReason("if h1 + h2 fail, db-01 (4 vCPU, 8 GiB) cannot be restarted: h3: not enough vCPU: needs 4, 2 free | and 3 more hosts", ids);
    expect(it1).toEqual({ vmName: "db-01", vmId: "vm1", headline: "if h1 + h2 fail, db-01 (4 vCPU, 8 GiB) cannot be restarted", details: ["h3: not enough vCPU: needs 4, 2 free", "and 3 more hosts"] });
    expect(splitUnabsorbableReason("only 1 online host: nothing is left", ids)).toEqual({ vmName: null, vmId: null, headline: "only 1 online host: nothing is left", details: [] });
  });

  it("does not plan two-host failure sets beyond the budget (and says so)", () => {
    const hosts = Array.from({ length: 120 }, (_, i) => ({ name: `h${i}`, cpus: 8, memoryMiB: 16384 }));
    const snap = snapshotFromSpec({ policy: { haMode: "guarantee", faultTolerance: 2 }, hosts, vms: [{ name: "v", vcpus: 1, memoryMiB: 512, host: "h0" }] });
    const r = assessWithinBudget(snap);
    expect((120 * 119) / 2).toBeGreaterThan(MAX_PAIR_SETS);
    expect(r.assessedUpTo).toBe(1);
    expect(r.pairsSkipped).toBe((120 * 119) / 2);
    expect(r.assessment.faultTolerance).toBe(2);
  });
});

describe("device-tag coverage", () => {
  it("matches clusterTagSummary and haEligibility for every tag", async () => {
    const { rows } = await getTagCoverage(t.db, { fresh: true });
    const snap = await loadSnapshot(t.db);
    const tags = clusterTagSummary(snap);
    const elig = new Map(haEligibility(snap).map((e) => [e.vmId, e]));
    expect(rows.map((r) => `${r.type}|${r.tag}`)).toEqual(tags.map((x) => `${x.type}|${x.tag}`));
    for (const [i, r] of rows.entries()) {
      const s = tags[i];
      expect(r.devices).toBe(s.total);
      expect(r.free).toBe(s.free);
      expect(r.vms).toBe(s.vmIds.length);
      const bad = s.vmIds.filter((id) => !elig.get(id)!.eligible);
      expect(r.notRebuildableCount).toBe(bad.length);
      expect(r.rebuildable).toBe(s.vmIds.length - bad.length);
      expect(r.notRebuildable.map((v) => v.vmId).sort()).toEqual(bad.slice(0, 8).sort());
    }
    // The lone passthrough L4: video-enc-01 cannot be rebuilt elsewhere, and the reason names the tag.
    const l4 = rows.find((r) => r.type === "gpu" && r.tag === "NVIDIA L4")!;
    expect(l4.notRebuildable.map((v) => v.vmName)).toEqual(["video-enc-01"]);
    expect(l4.notRebuildable[0].reason).toContain('"NVIDIA L4"');
    // trading-a has spare VFs on several hosts: every VM using it can be rebuilt.
    const ta = rows.find((r) => r.tag === "trading-a")!;
    expect(ta.vms).toBeGreaterThan(0);
    expect(ta.notRebuildableCount).toBe(0);
  });
});

describe("what-if", () => {
  it("lists where each VM of the host would restart, which cannot and why, and the recovery time", async () => {
    const a01 = await hostId("kvm-a01");
    const r = (await getWhatIf(a01, t.db, { fresh: true }))!;
    const plan = planFailover(await loadSnapshot(t.db), [a01]);
    expect(r.host.name).toBe("kvm-a01");
    expect(r.restarts.map((p) => [p.vmId, p.toHostName])).toEqual(plan.placements.map((p) => [p.vmId, p.hostName]));
    expect(r.unplaceable.map((u) => u.vmName)).toEqual(["render-02"]);
    const why = r.unplaceable[0].why;
    expect(why.length).toBeGreaterThan(0);
    expect(why.reduce((n, g) => Math.max(n, g.hosts), 0)).toBeGreaterThan(1);
    expect(why.some((g) => g.text.includes("by name"))).toBe(true);
    expect(r.restarts.every((p) => p.toHostName !== "kvm-a01")).toBe(true);
    expect(r.recovery).toEqual({ detectS: 3, failureTimeoutS: 30, vmStartS: 5, totalS: 38 });
    expect(await getWhatIf("no-such-host", t.db)).toBeNull();
  });

  it("offers every host with its VM count", async () => {
    const hosts = await listWhatIfHosts(t.db);
    expect(hosts).toHaveLength(await t.db.host.count());
    const a01 = hosts.find((h) => h.name === "kvm-a01")!;
    expect(a01.vms).toBe(await t.db.vm.count({ where: { host: { name: "kvm-a01" } } }));
  });
});

describe("engine view cache", () => {
  it("is reused while the inventory is unchanged and recomputed after a change", async () => {
    const a = await getEngineView(t.db, { fresh: true });
    const b = await getEngineView(t.db, { fresh: true });
    expect(b.view).toBe(a.view);
    const live0 = await getLiveVersion(t.db, { ttlMs: 0 });
    const vm = await t.db.vm.findUniqueOrThrow({ where: { name: "video-enc-01" } });
    await t.db.vm.update({ where: { id: vm.id }, data: { haPriority: "off" } });
    await new Promise((r) => setTimeout(r, 800)); // past the version memo
    const c = await getEngineView(t.db, { fresh: true });
    expect(c.view).not.toBe(a.view);
    expect(c.view.version).toBe(await getInventoryVersion(t.db, { ttlMs: 0 }));
    expect(c.view.vmById.get(vm.id)!.haPriority).toBe("off");
    expect(await getLiveVersion(t.db, { ttlMs: 0 })).not.toBe(live0);
    await t.db.vm.update({ where: { id: vm.id }, data: { haPriority: vm.haPriority } });
  });

  it("changes the live version when an alert is acknowledged", async () => {
    const v0 = await getLiveVersion(t.db, { ttlMs: 0 });
    const inv0 = await getInventoryVersion(t.db, { ttlMs: 0 });
    const alert = await t.db.alert.findFirstOrThrow({ where: { status: "open" } });
    await t.db.alert.update({ where: { id: alert.id }, data: { status: "acknowledged", ackAt: new Date(Date.now() + 5000), ackBy: "test" } });
    expect(await getLiveVersion(t.db, { ttlMs: 0 })).not.toBe(v0);
    expect(await getInventoryVersion(t.db, { ttlMs: 0 })).toBe(inv0);
  });
});

describe("GPU dashboard", () => {
  it("groups GPUs by model, mode and profile with every slot and its VM", async () => {
    const d = await getGpuDashboard(t.db);
    expect(d.totals.gpus).toBe(await t.db.gpu.count());
    expect(d.groups.reduce((n, g) => n + g.gpus.length, 0)).toBe(d.totals.gpus);
    const allocs = await t.db.deviceAllocation.count({ where: { type: { in: ["gpu", "vgpu"] } } });
    expect(d.groups.reduce((n, g) => n + g.used, 0)).toBe(allocs);
    const m60 = d.groups.find((g) => g.model === "NVIDIA Tesla M60" && g.profile === "M60-2Q")!;
    expect(m60.tag).toBe("NVIDIA Tesla M60/M60-2Q");
    for (const tile of m60.gpus) expect(tile.slots).toHaveLength(4);
    const vdi = m60.gpus.flatMap((x) => x.slots).filter((s) => s.vm?.name.startsWith("vdi-"));
    expect(vdi.length).toBeGreaterThan(0);
    const compute = d.groups.find((g) => g.mode === "compute")!;
    expect(compute.tag).toBe("NVIDIA A100-PCIE-40GB.compute");
    expect(d.passthrough.find((p) => p.vm.name === "render-02")?.vm.byName).toBe(true);
  });

  it("plans a mode switch with the engine: old tag → new tag and the VMs whose requests no longer match", async () => {
    const g = await t.db.gpu.findFirstOrThrow({ where: { model: "NVIDIA L4", vgpuProfile: null } });
    const v = (await getGpuModeSwitch(g.id, t.db))!;
    expect(v.newMode).toBe("compute");
    expect(v.plan.oldTag).toBe("NVIDIA L4");
    expect(v.plan.newTag).toBe("NVIDIA L4.compute");
    expect(v.plan.vmsToReconfigure.map((x) => x.vmName)).toEqual(["video-enc-01"]);
    expect(v.plan.allowed).toBe(false);
    expect(v.plan.reasons.join(" ")).toMatch(/must be in maintenance/);
    expect(await getGpuModeSwitch("nope", t.db)).toBeNull();
  });
});
