// The demo cluster in Guarantee mode (issue 10): the VMs that can never run elsewhere are reported as
// not protected with their reason and left out of the check, so power-ons are admitted again where
// the guarantee holds; a refused power-on says what refused each host. Stopped VMs' HA eligibility
// names where they would run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/tests/support/test-db";
import { loadSnapshot } from "@/lib/server/snapshot";
import { admitPowerOn, assessGuarantee, haEligibility, type ClusterSnapshot, type Reservation } from "@/lib/engine";

let t: TestDb;
let demo: ClusterSnapshot;
beforeAll(async () => {
  t = await createTestDb({ seed: "demo" });
  demo = await loadSnapshot(t.db);
});
afterAll(async () => {
  await t.cleanup();
});

const guarantee = (reservation: Reservation): ClusterSnapshot => ({ ...demo, policy: { ...demo.policy, haMode: "guarantee", faultTolerance: 1, reservation } });
const vmId = (name: string) => demo.vms.find((v) => v.name === name)!.id;

describe.each(["host", "segment"] as const)("demo cluster, Guarantee FT1 (%s-based)", (reservation) => {
  it("lists the VMs only one host could ever run as not protected, with the reason, and still tolerates one failure", () => {
    const a = assessGuarantee(guarantee(reservation));
    expect(Object.fromEntries(a.notProtected.map((p) => [p.vmName, p.reasons]))).toEqual({
      "ml-batch-01": ['only kvm-b02 has 2 vGPU slots tagged "NVIDIA A100-PCIE-40GB/A100-8C"'],
      "ml-train-01": ['only kvm-a02 has 1 GPU tagged "NVIDIA A100-PCIE-40GB.compute"'],
      "render-02": ["it asks for GPU kvm-a01-gpu1 by name, which is on kvm-a01"],
      "video-enc-01": ['only kvm-a03 has 1 GPU tagged "NVIDIA L4"'],
    });
    expect(a.toleratedFailures).toBe(1);
    expect(a.unabsorbable).toEqual([]);
  });

  it("admits the power-on of a stopped standard VM (it used to be refused 'until capacity is added')", () => {
    const out = admitPowerOn(guarantee(reservation), vmId("old-web-01"));
    expect(out.allowed, out.allowed ? "" : out.reasons.join("\n")).toBe(true);
  });

  it("a VM no host can run is refused with the placement's answer, not a Guarantee one", () => {
    const out = admitPowerOn(guarantee(reservation), vmId("ml-train-02"));
    // ml-train-01 holds kvm-a02's compute A100, the only one: ml-train-02 has nowhere to run at all
    expect(out.allowed).toBe(false);
    if (!out.allowed) {
      expect(out.reasons[0]).toBe("no host can run VM ml-train-02 (32 vCPU, 256 GiB, 1 GPU tagged \"NVIDIA A100-PCIE-40GB.compute\")");
      for (const r of out.rejections) expect(r.reasons.join(" ")).not.toMatch(/scored better/);
    }
  });
});

describe("demo cluster: HA eligibility of stopped VMs", () => {
  it("names the host each would run on and whether another could take it over", () => {
    const byName = new Map(haEligibility(demo).map((e) => [demo.vms.find((v) => v.id === e.vmId)!.name, e]));
    // the only free Tesla M60 is on kvm-b01 (kvm-a01's two are taken): it used to say "qualifies" while stopped
    expect(byName.get("render-03")).toMatchObject({
      eligible: false,
      host: { name: "kvm-b01" },
      reasons: ['only kvm-b01 has 1 free GPU tagged "NVIDIA Tesla M60"', "it would run on kvm-b01 and no other host could take it over"],
      summary: "not running: it would run on kvm-b01 and no other host could take it over",
    });
    expect(byName.get("old-web-01")).toMatchObject({ eligible: true, reasons: [] });
    expect(byName.get("old-web-01")!.summary).toMatch(/^not running: would run on (kvm-[ab]\d\d) if powered on now; (?!\1)kvm-[ab]\d\d could take it over$/);
    expect(byName.get("ml-train-02")).toMatchObject({ eligible: false, host: null });
    expect(byName.get("ml-train-02")!.reasons).toEqual(['no online host has 1 free GPU tagged "NVIDIA A100-PCIE-40GB.compute"', "no online host could run it now"]);
  });
});
