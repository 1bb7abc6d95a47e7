// Scores: the dominant share after placement decides; when it ties, the other resource's share after
// placement (lower wins), then the host name. Table-driven cases and a property against a reference.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { placeVm } from "./placement";
import { buildCapacity } from "./capacity";
import { snapshotFromSpec, type ClusterSpec, type SpecHost, type SpecVm } from "./testkit";

const H = (name: string, extra: Partial<SpecHost> = {}): SpecHost => ({ name, cpus: 32, memoryGiB: 512, ...extra });
const V = (name: string, extra: Partial<SpecVm> = {}): SpecVm => ({ name, vcpus: 4, memoryGiB: 16, ...extra });

describe("score ties: the other resource's share decides before the name", () => {
  const cases: { name: string; spec: ClusterSpec; want: string; reason?: RegExp }[] = [
    {
      // both 28/32 vCPU after placement; ha keeps 100 GiB free, hb 300 GiB
      name: "same vCPU share, 100 GiB vs 300 GiB free memory: more free memory wins (against the name order)",
      spec: { hosts: [H("ha"), H("hb")], vms: [V("a", { host: "ha", vcpus: 24, memoryGiB: 396 }), V("b", { host: "hb", vcpus: 24, memoryGiB: 196 }), V("x")] },
      want: "hb",
      reason: /^runner-up ha scored the same; hb wins on the other resource's share after placement \(hb memory 41% against ha memory 80%\)$/,
    },
    {
      // 1 - 12 × (1/20) and 1 - 72 × (1/120) differ in the last bit; rounded shares tie
      name: "the same shares on hosts of different sizes tie exactly (8/20 and 48/120 vCPU), whatever floating-point noise",
      spec: {
        hosts: [H("ha", { cpus: 20, memoryGiB: 256 }), H("hb", { cpus: 120, memoryGiB: 256 })],
        vms: [V("a", { host: "ha", vcpus: 4, memoryGiB: 60 }), V("b", { host: "hb", vcpus: 44, memoryGiB: 0 }), V("x", { memoryGiB: 16 })],
      },
      want: "hb",
    },
    {
      name: "memory dominant and tied: the vCPU share decides",
      spec: { hosts: [H("ha", { cpus: 64 }), H("hb", { cpus: 64 })], vms: [V("a", { host: "ha", vcpus: 40, memoryGiB: 400 }), V("b", { host: "hb", vcpus: 8, memoryGiB: 400 }), V("x")] },
      want: "hb",
    },
    {
      name: "a lower dominant share wins even when its other share is much higher",
      spec: { hosts: [H("ha"), H("hb")], vms: [V("a", { host: "ha", vcpus: 20, memoryGiB: 300 }), V("b", { host: "hb", vcpus: 21, memoryGiB: 0 }), V("x")] },
      want: "ha",
    },
    {
      name: "both shares tie: the host name decides",
      spec: { hosts: [H("hb"), H("ha")], vms: [V("a", { host: "ha", vcpus: 8, memoryGiB: 64 }), V("b", { host: "hb", vcpus: 8, memoryGiB: 64 }), V("x")] },
      want: "ha",
      reason: /^runner-up hb scored the same; ha wins the tie-break by name$/,
    },
    {
      name: "the tie-break also applies with device requests (full rule path)",
      spec: {
        hosts: [H("ha", { nics: [{ name: "n", sriovVfs: 4, tag: "t" }] }), H("hb", { nics: [{ name: "n", sriovVfs: 4, tag: "t" }] })],
        vms: [V("a", { host: "ha", vcpus: 24, memoryGiB: 396 }), V("b", { host: "hb", vcpus: 24, memoryGiB: 196 }), V("x", { devices: [{ type: "sriov", tag: "t" }] })],
      },
      want: "hb",
    },
    {
      name: "penalties still come first: a tie of load with the scarce-device penalty on one host",
      spec: {
        hosts: [H("ha", { gpus: [{ model: "NVIDIA L40S" }] }), H("hb")],
        vms: [V("a", { host: "ha", vcpus: 24, memoryGiB: 0 }), V("b", { host: "hb", vcpus: 24, memoryGiB: 396 }), V("x")],
      },
      want: "hb",
    },
  ];
  it.each(cases)("$name", ({ spec, want, reason }) => {
    const s = snapshotFromSpec(spec);
    const out = placeVm(s, "x");
    expect(out.kind === "placed" && out.hostId).toBe(want);
    if (reason && out.kind === "placed") expect(out.reasons[1]).toMatch(reason);
    // the fast paths (no explanation, quiet) choose the same host
    const cap = buildCapacity(s);
    for (const o of [cap.place("x", { explain: false }), cap.place("x", { explain: false, quiet: true })]) expect(o.kind === "placed" && o.hostId).toBe(want);
  });

  it("packing (best fit, a planner alternative) prefers the fuller other share on a tie", () => {
    const s = snapshotFromSpec(cases[0].spec);
    const cap = buildCapacity(s);
    cap.packing = true;
    for (const explain of [true, false]) {
      const out = cap.place("x", { explain });
      expect(out.kind === "placed" && out.hostId).toBe("ha");
    }
  });
});

describe("score property: the choice is the lowest (dominant share, other share, name) over the hosts that fit", () => {
  const clusterArb = fc.record({
    hosts: fc.array(fc.record({ cpus: fc.constantFrom(16, 32, 48, 64), memoryGiB: fc.constantFrom(64, 128, 192, 256), online: fc.constantFrom(true, true, true, false) }), { minLength: 2, maxLength: 12 }),
    vms: fc.array(fc.record({ vcpus: fc.constantFrom(1, 2, 4, 8, 12), memoryGiB: fc.constantFrom(2, 8, 16, 24, 32), host: fc.nat(11) }), { maxLength: 40 }),
    x: fc.record({ vcpus: fc.constantFrom(1, 2, 4, 8), memoryGiB: fc.constantFrom(2, 4, 8, 16) }),
  });
  it("matches a reference computed with exact ratios", () => {
    fc.assert(
      fc.property(clusterArb, ({ hosts, vms, x }) => {
        const spec: ClusterSpec = { hosts: hosts.map((h, i) => ({ name: `h${String(i).padStart(2, "0")}`, cpus: h.cpus, memoryGiB: h.memoryGiB })), vms: [] };
        // put VMs where they fit (the given state)
        const used = hosts.map(() => ({ cpu: 0, mem: 0 }));
        vms.forEach((v, i) => {
          const k = v.host % hosts.length;
          if (used[k].cpu + v.vcpus > hosts[k].cpus || used[k].mem + v.memoryGiB > hosts[k].memoryGiB) return;
          used[k].cpu += v.vcpus;
          used[k].mem += v.memoryGiB;
          spec.vms!.push(V(`v${i}`, { vcpus: v.vcpus, memoryGiB: v.memoryGiB, host: spec.hosts[k].name }));
        });
        spec.vms!.push(V("x", x));
        const s = snapshotFromSpec(spec);
        hosts.forEach((h, k) => (s.hosts[k].state = h.online ? "online" : "failed"));
        const out = placeVm(s, "x");
        // reference: shares as exact ratios, compared as (dominant, other, name)
        let best: { k: number; d: number; o: number } | null = null;
        const eq = (a: number, b: number) => Math.abs(a - b) < 1e-12;
        hosts.forEach((h, k) => {
          if (!h.online || used[k].cpu + x.vcpus > h.cpus || used[k].mem + x.memoryGiB > h.memoryGiB) return;
          const c = (used[k].cpu + x.vcpus) / h.cpus;
          const m = (used[k].mem + x.memoryGiB) / h.memoryGiB;
          const cand = { k, d: Math.max(c, m), o: Math.min(c, m) };
          if (!best || (!eq(cand.d, best.d) && cand.d < best.d) || (eq(cand.d, best.d) && !eq(cand.o, best.o) && cand.o < best.o)) best = cand;
        });
        const want = best ? spec.hosts[(best as { k: number }).k].name : null;
        expect(out.kind === "placed" ? out.hostId : null).toBe(want);
      }),
      { numRuns: 300 },
    );
  });
});
