// Host preference order (vm-host groups with hostOrder): placement takes the best-ranked host that
// fits, then the score; planFailback moves standard VMs back up the order and lists device VMs.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { placeVm } from "./placement";
import { planFailover } from "./ha";
import { planFailback } from "./failback";
import { snapshotFromSpec, type ClusterSpec, type SpecGroup, type SpecHost, type SpecVm } from "./testkit";
import type { ClusterSnapshot, HostState } from "./types";

const H = (name: string, extra: Partial<SpecHost> = {}): SpecHost => ({ name, cpus: 32, memoryGiB: 256, ...extra });
const V = (name: string, extra: Partial<SpecVm> = {}): SpecVm => ({ name, vcpus: 4, memoryGiB: 16, ...extra });
const pref = (vms: string[], hostOrder: string[], extra: Partial<SpecGroup> = {}): SpecGroup => ({
  name: "pref",
  type: "vm-host",
  enforcement: "should",
  vms,
  hosts: ["h1", "h2", "h3"],
  hostOrder,
  ...extra,
});
const NIC = { nics: [{ name: "n", sriovVfs: 4, tag: "t" }] };

describe("placement with a host preference order", () => {
  const cases: { name: string; spec: ClusterSpec; want: string | null }[] = [
    { name: "the most preferred host, not the first by name", spec: { hosts: [H("h1"), H("h2"), H("h3")], vms: [V("x")], groups: [pref(["x"], ["h3", "h1", "h2"])] }, want: "h3" },
    {
      name: "rank before score: the preferred host although it is the most loaded",
      spec: { hosts: [H("h1"), H("h2"), H("h3")], vms: [V("a", { host: "h3", vcpus: 20 }), V("x")], groups: [pref(["x"], ["h3", "h1", "h2"])] },
      want: "h3",
    },
    {
      name: "the next one when the preferred host has no room",
      spec: { hosts: [H("h1"), H("h2"), H("h3")], vms: [V("a", { host: "h3", vcpus: 30 }), V("x")], groups: [pref(["x"], ["h3", "h1", "h2"])] },
      want: "h1",
    },
    { name: "the next one when the preferred host is failed", spec: { hosts: [H("h1"), H("h2"), H("h3", { state: "failed" })], vms: [V("x")], groups: [pref(["x"], ["h3", "h2", "h1"])] }, want: "h2" },
    {
      name: "group hosts left out of hostOrder come after the listed ones (the score decides among them), hosts outside the group last",
      spec: {
        hosts: [H("h1"), H("h2"), H("h3"), H("h4")],
        vms: [V("a", { host: "h3", vcpus: 30 }), V("b", { host: "h1", vcpus: 8 }), V("x")],
        groups: [pref(["x"], ["h3"])],
      },
      want: "h2",
    },
    {
      name: "a must group with hostOrder: the order inside the group, never outside",
      spec: { hosts: [H("h1"), H("h2"), H("h3"), H("h4")], vms: [V("a", { host: "h2", vcpus: 30 }), V("x")], groups: [pref(["x"], ["h2", "h3"], { enforcement: "must" })] },
      want: "h3",
    },
    {
      name: "the rank comes before a soft rule's penalty (a should anti-affinity on the preferred host)",
      spec: {
        hosts: [H("h1"), H("h2"), H("h3")],
        vms: [V("z", { host: "h3" }), V("x")],
        groups: [pref(["x"], ["h3", "h1"]), { name: "apart", type: "vm-vm-anti-affinity", enforcement: "should", vms: ["x", "z"] }],
      },
      want: "h3",
    },
    {
      name: "two ranking groups compare in name order",
      spec: {
        hosts: [H("h1"), H("h2"), H("h3")],
        vms: [V("x")],
        groups: [pref(["x"], ["h2", "h1", "h3"], { name: "b-second" }), pref(["x"], ["h1", "h3", "h2"], { name: "a-first" })],
      },
      want: "h1",
    },
    { name: "a device VM: the preferred host among those with the device", spec: { hosts: [H("h1", NIC), H("h2", NIC), H("h3")], vms: [V("x", { devices: [{ type: "sriov", tag: "t" }] })], groups: [pref(["x"], ["h3", "h2", "h1"])] }, want: "h2" },
  ];
  it.each(cases)("$name", ({ spec, want }) => {
    const out = placeVm(snapshotFromSpec(spec), "x");
    expect(out.kind === "placed" ? out.hostId : null).toBe(want);
  });

  it("says why: the rank of the chosen host and of the runner-up", () => {
    const out = placeVm(snapshotFromSpec(cases[0].spec), "x");
    expect(out.kind).toBe("placed");
    if (out.kind !== "placed") return;
    expect(out.reasons[0]).toMatch(/^h3: score [\d.]+: preferred host #1 of "pref"; load after placement/);
    expect(out.reasons[1]).toMatch(/^runner-up h1 is lower in the host preference order: score [\d.]+: preferred host #2 of "pref"/);
  });

  it("failover restarts a VM on the next host of its order, not on the least loaded one", () => {
    const s = snapshotFromSpec({
      hosts: [H("h1"), H("h2"), H("h3")],
      vms: [V("a", { host: "h1", vcpus: 16 }), V("x", { host: "h3" })],
      groups: [pref(["x"], ["h3", "h1", "h2"])],
    });
    const plan = planFailover(s, ["h3"]);
    expect(plan.placements.map((p) => [p.vmId, p.hostId])).toEqual([["x", "h1"]]);
  });
});

/** After a failover: x runs on h2 although h1 (its first choice) is back with room. */
function away(extra: Partial<ClusterSpec> = {}, vms: SpecVm[] = [V("x", { host: "h2" })], group: Partial<SpecGroup> = {}): ClusterSnapshot {
  return snapshotFromSpec({
    hosts: [H("h1", NIC), H("h2", NIC), H("h3", NIC)],
    vms,
    groups: [pref(vms.map((v) => v.name).filter((n) => n !== "filler"), ["h1", "h2", "h3"], group)],
    ...extra,
  });
}

describe("planFailback", () => {
  it("live-migrates a standard VM back to its preferred host when that host has room", () => {
    const plan = planFailback(away());
    expect(plan.moves.map((m) => [m.vmId, m.fromHostId, m.toHostId])).toEqual([["x", "h2", "h1"]]);
    expect(plan.moves[0].reasons.slice(0, 2)).toEqual(["live-migrate back to h1", 'h1 ranks above h2 in the host order of "pref" and has room now']);
    expect(plan.away).toEqual([]);
  });

  it("lists a device VM as away from its preferred host, and never moves it", () => {
    const plan = planFailback(away({}, [V("x", { host: "h2", devices: [{ type: "sriov", tag: "t" }] })]));
    expect(plan.moves).toEqual([]);
    expect(plan.away.map((m) => [m.vmId, m.fromHostId, m.toHostId, m.allocations.map((a) => a.key)])).toEqual([["x", "h2", "h1", ["vf:h1/n:0"]]]);
    expect(plan.away[0].reasons[0]).toBe("x uses devices and cannot live-migrate: moving it back power-cycles it (off here, started on h1)");
  });

  const cases: { name: string; snap: ClusterSnapshot; opts?: Parameters<typeof planFailback>[1]; moves: string[][]; deferred?: string[]; disabled?: string[] }[] = [
    { name: "nothing to do on the preferred host", snap: away({}, [V("x", { host: "h1" })]), moves: [] },
    { name: "no room on the preferred host: it stays", snap: away({}, [V("x", { host: "h2" }), V("filler", { host: "h1", vcpus: 30 })]), moves: [] },
    { name: "the preferred host is not online: it stays", snap: away({ hosts: [H("h1", { state: "maintenance" }), H("h2"), H("h3")] }), moves: [] },
    { name: "from #3 to #2 when #1 has no room", snap: away({}, [V("x", { host: "h3" }), V("filler", { host: "h1", vcpus: 30 })]), moves: [["x", "h3", "h2"]] },
    {
      name: "rate limit: high priority first, then by name; the rest wait",
      snap: away({}, [V("c", { host: "h2" }), V("b", { host: "h2" }), V("a", { host: "h3", haPriority: "low" })]),
      opts: { maxMoves: 2 },
      moves: [
        ["b", "h2", "h1"],
        ["c", "h2", "h1"],
      ],
      deferred: ["a"],
    },
    {
      name: "moves take capacity: only one of two VMs fits back",
      snap: away({}, [V("a", { host: "h2", vcpus: 12 }), V("b", { host: "h2", vcpus: 12 }), V("filler", { host: "h1", vcpus: 16 })]),
      opts: { maxMoves: 5 },
      moves: [["a", "h2", "h1"]],
    },
    { name: "the group opts out", snap: away({}, undefined, { failback: false }), moves: [], disabled: ["x"] },
    { name: "the cluster opts out", snap: away({ policy: { failback: false } }), moves: [], disabled: ["x"] },
    { name: "the cluster opts out, the group opts in", snap: away({ policy: { failback: false } }, undefined, { failback: true }), moves: [["x", "h2", "h1"]] },
    { name: "excluded VMs stay (an admin put them there)", snap: away(), opts: { excludeVmIds: ["x"] }, moves: [] },
    { name: "hosts the caller excludes receive nothing", snap: away(), opts: { excludeHostIds: ["h1"] }, moves: [] },
    { name: "a VM that is not running is left alone", snap: away({}, [V("x", { host: "h2", power: "migrating" })]), moves: [] },
    { name: "maxMoves 0: everything waits", snap: away(), opts: { maxMoves: 0 }, moves: [], deferred: ["x"] },
  ];
  it.each(cases)("$name", ({ snap, opts, moves, deferred = [], disabled = [] }) => {
    const plan = planFailback(snap, opts);
    expect(plan.moves.map((m) => [m.vmId, m.fromHostId, m.toHostId])).toEqual(moves);
    expect(plan.deferred.map((m) => m.vmId)).toEqual(deferred);
    expect(plan.disabled.map((m) => m.vmId)).toEqual(disabled);
    expect(planFailback(snap, opts)).toEqual(plan);
  });

  it("Guarantee mode: a move that would break the reserve of the preferred host is not made", () => {
    const spec: ClusterSpec = {
      policy: { haMode: "guarantee", faultTolerance: 1, reservation: "host" },
      hosts: [H("h1"), H("h2"), H("h3")],
      vms: [V("x", { host: "h2" }), V("filler", { host: "h1", vcpus: 8 })],
      groups: [pref(["x"], ["h1", "h2", "h3"])],
    };
    // host-based reserve: 32 vCPU spread over 2 hosts = 16 per host; h1 has 24 free, 20 after the move
    expect(planFailback(snapshotFromSpec(spec)).moves.map((m) => m.toHostId)).toEqual(["h1"]);
    const full = { ...spec, vms: [V("x", { host: "h2" }), V("filler", { host: "h1", vcpus: 14 })] };
    expect(planFailback(snapshotFromSpec(full)).moves).toEqual([]);
    expect(planFailback(snapshotFromSpec({ ...full, policy: { haMode: "default" } })).moves.map((m) => m.toHostId)).toEqual(["h1"]);
  });
});

describe("planFailback properties", () => {
  const arb = fc
    .record({
      hosts: fc.array(fc.record({ cpus: fc.constantFrom(8, 16, 32), nic: fc.boolean(), state: fc.constantFrom<HostState>("online", "online", "online", "maintenance", "failed") }), { minLength: 2, maxLength: 6 }),
      vms: fc.array(fc.record({ vcpus: fc.constantFrom(1, 2, 4, 8), host: fc.nat(5), device: fc.boolean(), priority: fc.constantFrom("high" as const, "medium" as const, "low" as const) }), { maxLength: 16 }),
      groups: fc.array(fc.record({ members: fc.oneof(fc.constant(null), fc.array(fc.nat(15), { maxLength: 6 })), order: fc.array(fc.nat(5), { minLength: 1, maxLength: 6 }), must: fc.boolean(), failback: fc.constantFrom(true, false, undefined) }), {
        minLength: 1,
        maxLength: 2,
      }),
      clusterFailback: fc.boolean(),
      maxMoves: fc.constantFrom(0, 1, 1, 2, 4),
    })
    .map(({ hosts, vms, groups, clusterFailback, maxMoves }) => {
      const names = hosts.map((_, i) => `h${i + 1}`);
      const specVms: SpecVm[] = [];
      const used = hosts.map(() => 0);
      const vfs = hosts.map(() => 0);
      vms.forEach((v, i) => {
        const k = v.host % hosts.length;
        if (used[k] + v.vcpus > hosts[k].cpus || (v.device && (!hosts[k].nic || vfs[k] >= 4))) return;
        used[k] += v.vcpus;
        if (v.device) vfs[k]++;
        specVms.push(V(`v${String(i).padStart(2, "0")}`, { vcpus: v.vcpus, memoryGiB: 4, host: names[k], haPriority: v.priority, devices: v.device ? [{ type: "sriov", tag: "t" }] : [] }));
      });
      const s = snapshotFromSpec({
        policy: { failback: clusterFailback },
        hosts: hosts.map((h, i) => H(names[i], { cpus: h.cpus, memoryGiB: 64, ...(h.nic ? NIC : {}) })),
        vms: specVms,
        groups: groups.map((g, k) => {
          const order = [...new Set(g.order.map((o) => names[o % names.length]))];
          return {
            name: `g${k}`,
            type: "vm-host" as const,
            enforcement: g.must ? ("must" as const) : ("should" as const),
            vms: g.members === null ? specVms.map((v) => v.name) : [...new Set(g.members.filter((m) => m < specVms.length).map((m) => specVms[m].name))],
            hosts: order,
            hostOrder: order,
            ...(g.failback === undefined ? {} : { failback: g.failback }),
          };
        }),
      });
      hosts.forEach((h, i) => (s.hosts[i].state = h.state));
      return { s, maxMoves };
    });

  it("moves go strictly up the order to an online host with room, standard VMs only, at most maxMoves; deterministic", () => {
    const seenKinds = { moves: 0, away: 0, deferred: 0, disabled: 0 };
    fc.assert(
      fc.property(arb, ({ s, maxMoves }) => {
        const plan = planFailback(s, { maxMoves });
        for (const k of ["moves", "away", "deferred", "disabled"] as const) seenKinds[k] += plan[k].length;
        expect(planFailback(s, { maxMoves })).toEqual(plan);
        expect(plan.moves.length).toBeLessThanOrEqual(maxMoves);
        const rankOf = (vmId: string, hostId: string) => {
          const key: number[] = [];
          for (const g of [...s.groups].filter((g) => g.vmIds.includes(vmId) && g.hostOrder?.length).sort((a, b) => a.name.localeCompare(b.name))) {
            const k = g.hostOrder!.indexOf(hostId);
            key.push(k >= 0 ? k : g.hostIds.includes(hostId) ? g.hostOrder!.length : g.hostOrder!.length + 1);
          }
          return key;
        };
        const lower = (a: number[], b: number[]) => {
          for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
          return false;
        };
        const seen = new Set<string>();
        const used = new Map<string, number>();
        for (const vm of s.vms) if (vm.hostId) used.set(vm.hostId, (used.get(vm.hostId) ?? 0) + vm.vcpus);
        for (const list of [plan.moves, plan.away, plan.deferred, plan.disabled]) {
          for (const m of list) {
            const vm = s.vms.find((v) => v.id === m.vmId)!;
            expect(seen.has(vm.id)).toBe(false);
            seen.add(vm.id);
            expect(m.fromHostId).toBe(vm.hostId);
            expect(lower(rankOf(vm.id, m.toHostId), rankOf(vm.id, m.fromHostId))).toBe(true);
            expect(s.hosts.find((h) => h.id === m.toHostId)!.state).toBe("online");
            expect(s.hosts.find((h) => h.id === m.fromHostId)!.state).toBe("online");
            expect(vm.devices.length > 0).toBe(list === plan.away);
          }
        }
        // applying the moves (one after another) never exceeds a host's vCPU
        for (const m of plan.moves) {
          const vm = s.vms.find((v) => v.id === m.vmId)!;
          used.set(m.fromHostId, used.get(m.fromHostId)! - vm.vcpus);
          used.set(m.toHostId, (used.get(m.toHostId) ?? 0) + vm.vcpus);
        }
        for (const [h, n] of used) expect(n).toBeLessThanOrEqual(s.hosts.find((x) => x.id === h)!.cpus);
        // failback off (cluster or group): nothing moves for those VMs
        for (const m of plan.moves) {
          for (const g of s.groups.filter((g) => g.vmIds.includes(m.vmId))) expect(g.failback ?? s.policy.failback !== false).toBe(true);
        }
      }),
      { numRuns: 300, seed: Number(process.env.FC_SEED ?? 20261205) },
    );
    // the random clusters exercise every outcome
    for (const n of Object.values(seenKinds)) expect(n).toBeGreaterThan(5);
  });
});
