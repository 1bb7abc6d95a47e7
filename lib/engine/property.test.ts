// Property-based tests (fast-check) on random clusters: plans never allocate a device, slot, VF
// or address twice, never exceed capacity, never move a VM of a healthy host, and are deterministic.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { snapshotFromSpec } from "./testkit";
import { buildCapacity } from "./capacity";
import { placeVm } from "./placement";
import { haEligibility, planFailover, planLocalRestart } from "./ha";
import { gpuDeviceTag } from "./tags";
import { planEvacuation } from "./maintenance";
import { whatIfAll } from "./whatif";
import { admitPowerOn, assessGuarantee } from "./admission";
import { allocateAddress, validateStaticAddress } from "./ipam";
import type { ClusterSnapshot } from "./types";
import { clusterArb, apply, checkInvariants, type Placement } from "./property-kit";

// A fixed seed keeps the suite stable; FC_SEED=<n> explores other clusters.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261123) });
const RUNS = { numRuns: 150 };
export const stats = { placed: 0, unplaceable: 0, failoverPlaced: 0, failoverLeft: 0, admitted: 0, refused: 0, devicePlaced: 0, notProtected: 0, protectedDevice: 0 };

describe("properties on random clusters", () => {
  it("the generated state itself is consistent", () => {
    fc.assert(fc.property(clusterArb, (s) => checkInvariants(s)), RUNS);
  });

  it("placeVm: an online target, invariants kept, deterministic", () => {
    fc.assert(
      fc.property(clusterArb, fc.nat(), (s, k) => {
        if (!s.vms.length) return;
        const vm = s.vms[k % s.vms.length];
        const out = placeVm(s, vm.id);
        expect(placeVm(s, vm.id)).toEqual(out);
        if (out.kind === "placed") stats.placed++;
        else stats.unplaceable++;
        if (out.kind === "placed" && out.allocations.length) stats.devicePlaced++;
        if (out.kind === "unplaceable") {
          expect(out.rejections.length).toBe(s.hosts.length);
          for (const r of out.rejections) expect(r.reasons.length).toBeGreaterThan(0);
          return;
        }
        expect(s.hosts.find((h) => h.id === out.hostId)!.state).toBe("online");
        checkInvariants(apply(s, new Map([[vm.id, out]])));
      }),
      RUNS,
    );
  });

  it("the fast path chooses exactly what the explaining path chooses, also against shrinking capacity", () => {
    fc.assert(
      fc.property(clusterArb, fc.boolean(), (s, packing) => {
        const cap = buildCapacity(s);
        cap.packing = packing;
        for (const vm of [...s.vms].reverse()) {
          const fast = cap.place(vm, { purpose: "ha", explain: false });
          const full = cap.place(vm, { purpose: "ha", explain: true });
          const quiet = cap.place(vm, { purpose: "ha", explain: false, quiet: true });
          expect(fast.kind).toBe(full.kind);
          expect(quiet.kind).toBe(full.kind);
          if (fast.kind === "placed" && full.kind === "placed" && quiet.kind === "placed") {
            expect([fast.hostId, fast.allocations, fast.reasons]).toEqual([full.hostId, full.allocations, full.reasons]);
            expect([quiet.hostId, quiet.allocations]).toEqual([full.hostId, full.allocations]);
            cap.commit(fast);
          }
        }
      }),
      RUNS,
    );
  });

  it("the load-ordered scan for plain VMs matches a full scan on larger clusters (many hosts, ties)", () => {
    const big = fc
      .record({
        hosts: fc.array(fc.record({ cpus: fc.constantFrom(16, 32, 64), memoryGiB: fc.constantFrom(64, 128, 256), gpu: fc.boolean() }), { minLength: 5, maxLength: 40 }),
        vms: fc.array(fc.record({ vcpus: fc.constantFrom(1, 2, 4, 8), memoryGiB: fc.constantFrom(2, 8, 16, 32), host: fc.nat(39), on: fc.boolean() }), { minLength: 5, maxLength: 120 }),
      })
      .map(({ hosts, vms }) => {
        const s = snapshotFromSpec({
          hosts: hosts.map((h, i) => ({ name: `h${String(i).padStart(2, "0")}`, cpus: h.cpus, memoryGiB: h.memoryGiB, gpus: h.gpu ? [{ model: "NVIDIA L40S" }] : [] })),
          vms: vms.map((v, i) => ({ name: `v${String(i).padStart(3, "0")}`, vcpus: v.vcpus, memoryGiB: v.memoryGiB })),
        });
        const cap = buildCapacity(s);
        vms.forEach((v, i) => {
          if (!v.on) return;
          const out = cap.place(s.vms[i], { onlyHostIds: [s.hosts[v.host % hosts.length].id], purpose: "ha", explain: false });
          if (out.kind !== "placed") return;
          cap.commit(out);
          s.vms[i].hostId = out.hostId;
          s.vms[i].power = "running";
        });
        return s;
      });
    fc.assert(
      fc.property(big, (s) => {
        const cap = buildCapacity(s);
        for (const vm of s.vms) {
          if (vm.hostId) continue;
          const full = cap.place(vm, { purpose: "ha", explain: true });
          const fast = cap.place(vm, { purpose: "ha", explain: false });
          const quiet = cap.place(vm, { purpose: "ha", explain: false, quiet: true });
          expect(fast.kind === "placed" ? [fast.hostId, fast.reasons] : null).toEqual(full.kind === "placed" ? [full.hostId, full.reasons] : null);
          expect(quiet.kind === "placed" ? quiet.hostId : null).toEqual(full.kind === "placed" ? full.hostId : null);
          if (full.kind === "placed") cap.commit(full);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("planFailover: only the failed hosts' VMs move, to healthy hosts; invariants kept; deterministic", () => {
    fc.assert(
      fc.property(clusterArb, fc.array(fc.nat(5), { minLength: 1, maxLength: 2 }), (s, picks) => {
        const failed = [...new Set(picks.map((p) => s.hosts[p % s.hosts.length].id))];
        const plan = planFailover(s, failed);
        expect(planFailover(s, failed)).toEqual(plan);
        stats.failoverPlaced += plan.placements.length;
        stats.failoverLeft += plan.unplaceable.length;
        const victims = new Set(s.vms.filter((v) => v.hostId && failed.includes(v.hostId)).map((v) => v.id));
        const seen = new Set<string>();
        for (const p of plan.placements) {
          expect(victims.has(p.vmId)).toBe(true);
          expect(failed).not.toContain(p.hostId);
          expect(s.hosts.find((h) => h.id === p.hostId)!.state).toBe("online");
          expect(s.vms.find((v) => v.id === p.vmId)!.haPriority).not.toBe("off");
          seen.add(p.vmId);
        }
        for (const u of plan.unplaceable) {
          expect(victims.has(u.vmId) && !seen.has(u.vmId)).toBe(true);
          seen.add(u.vmId);
        }
        for (const k of plan.skipped) {
          expect(victims.has(k.vmId) && !seen.has(k.vmId)).toBe(true);
          seen.add(k.vmId);
        }
        expect(seen).toEqual(victims);
        // failed hosts' VMs that did not restart are down (hold nothing)
        const moves = new Map<string, Placement | null>([...victims].map((id) => [id, null]));
        for (const p of plan.placements) moves.set(p.vmId, p);
        checkInvariants(apply(s, moves));
        // restart order: priorities never go up
        const rank = { high: 0, medium: 1, low: 2, off: 3 };
        const ranks = plan.placements.map((p) => rank[s.vms.find((v) => v.id === p.vmId)!.haPriority]);
        for (let i = 1; i < ranks.length; i++) expect(ranks[i]).toBeGreaterThanOrEqual(ranks[i - 1]);
      }),
      RUNS,
    );
  });

  it("planEvacuation: only the host's VMs move, never to itself; invariants kept; deterministic", () => {
    fc.assert(
      fc.property(clusterArb, fc.nat(), fc.boolean(), (s, k, rebuild) => {
        const host = s.hosts[k % s.hosts.length].id;
        const plan = planEvacuation(s, host, { rebuildDeviceVms: rebuild });
        expect(planEvacuation(s, host, { rebuildDeviceVms: rebuild })).toEqual(plan);
        const onHost = new Set(s.vms.filter((v) => v.hostId === host).map((v) => v.id));
        const moves = new Map<string, Placement | null>();
        for (const m of plan.migrations) {
          expect(onHost.has(m.vmId)).toBe(true);
          expect(m.toHostId).not.toBe(host);
          const vm = s.vms.find((v) => v.id === m.vmId)!;
          expect(vm.devices.length + vm.allocations.length).toBe(0);
          moves.set(m.vmId, { hostId: m.toHostId, allocations: [] });
        }
        for (const r of plan.rebuilds) {
          expect(onHost.has(r.vmId) && r.hostId !== host).toBe(true);
          moves.set(r.vmId, r);
        }
        for (const p of plan.powerOffs) {
          expect(onHost.has(p.vmId)).toBe(true);
          moves.set(p.vmId, null);
        }
        const accounted = plan.migrations.length + plan.rebuilds.length + plan.powerOffs.length + plan.blocked.length;
        expect(accounted).toBe(onHost.size);
        checkInvariants(apply(s, moves));
      }),
      RUNS,
    );
  });

  it("plans do not depend on the order of hosts and VMs in the snapshot, and never mutate it", () => {
    fc.assert(
      fc.property(clusterArb, fc.nat(), (s, k) => {
        const frozen = structuredClone(s);
        const failed = [s.hosts[k % s.hosts.length].id];
        const plan = planFailover(s, failed);
        const evac = planEvacuation(s, failed[0]);
        const reversed: ClusterSnapshot = { ...s, hosts: [...s.hosts].reverse(), vms: [...s.vms].reverse() };
        expect(planFailover(reversed, failed)).toEqual(plan);
        expect(planEvacuation(reversed, failed[0])).toEqual(evac);
        if (s.vms.length) expect(placeVm(reversed, s.vms[0].id)).toEqual(placeVm(s, s.vms[0].id));
        expect(s).toEqual(frozen);
      }),
      { numRuns: 100 },
    );
  });

  it("haEligibility agrees with a brute-force reference", () => {
    fc.assert(
      fc.property(clusterArb, (s) => {
        const taken = new Set(s.vms.flatMap((v) => v.allocations.map((a) => a.key)));
        const free = (h: ClusterSnapshot["hosts"][number], type: string, tag: string) => {
          let n = 0;
          for (const g of h.gpus) {
            const d = gpuDeviceTag(g);
            if (d.type !== type || d.tag !== tag) continue;
            if (d.type === "gpu") n += taken.has(`gpu:${g.id}`) ? 0 : 1;
            else for (let k = 0; k < d.units; k++) n += taken.has(`vgpu:${g.id}:${k}`) ? 0 : 1;
          }
          if (type === "sriov")
            for (const nic of h.nics) {
              if (nic.tag !== tag || !nic.linkUp) continue;
              for (let k = 0; k < nic.sriovVfs; k++) n += taken.has(`vf:${nic.id}:${k}`) ? 0 : 1;
            }
          return n;
        };
        for (const e of haEligibility(s)) {
          const vm = s.vms.find((v) => v.id === e.vmId)!;
          const others = s.hosts.filter((h) => h.state === "online" && h.id !== vm.hostId);
          const want = new Map<string, number>();
          for (const d of vm.devices) want.set(`${d.type}|${d.tag}`, (want.get(`${d.type}|${d.tag}`) ?? 0) + d.count);
          const big = (h: ClusterSnapshot["hosts"][number]) => h.cpus >= vm.vcpus && h.memoryMiB >= vm.memoryMiB;
          const devicesFree = (h: ClusterSnapshot["hosts"][number]) => [...want].every(([k, n]) => free(h, k.split("|")[0], k.slice(k.indexOf("|") + 1)) >= n);
          const on = s.policy.haMode !== "disabled" && vm.haPriority !== "off";
          // Running: another host is large enough and another has its devices free. Not running: two
          // hosts could each run it (one to run on, one to rebuild on).
          const ok = vm.hostId
            ? on && others.some(big) && (want.size === 0 || others.some(devicesFree))
            : on && others.filter((h) => big(h) && devicesFree(h)).length >= 2;
          expect(e.eligible, `${vm.name}: ${e.reasons.join("; ")}`).toBe(ok);
          expect(e.reasons.length === 0).toBe(e.eligible);
          if (on && !vm.hostId) {
            // it names the host it would be powered on (when one has room), which can run it
            const where = placeVm(s, vm.id, { ignoreReserve: true });
            expect(e.host?.id ?? null).toBe(where.kind === "placed" ? where.hostId : null);
            expect(e.summary).toMatch(/^not running: /);
          }
        }
      }),
      RUNS,
    );
  });

  it("haEligibility: a stopped VM that qualifies still qualifies once powered on where it says it would run", () => {
    fc.assert(
      fc.property(clusterArb, (s) => {
        for (const e of haEligibility(s)) {
          const vm = s.vms.find((v) => v.id === e.vmId)!;
          if (vm.hostId || !e.eligible || !e.host) continue;
          const out = placeVm(s, vm.id, { ignoreReserve: true });
          expect(out.kind === "placed" && out.hostId).toBe(e.host.id);
          if (out.kind !== "placed") continue;
          const after = haEligibility(apply(s, new Map([[vm.id, out]]))).find((x) => x.vmId === vm.id)!;
          expect(after.eligible, `${vm.name} on ${out.hostName}: ${after.reasons.join("; ")}`).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it("planLocalRestart: its own online host first, else an online host; invariants kept", () => {
    fc.assert(
      fc.property(clusterArb, fc.nat(), (s, k) => {
        const running = s.vms.filter((v) => v.hostId);
        if (!running.length) return;
        const vm = running[k % running.length];
        const out = planLocalRestart(s, vm.id);
        const own = s.hosts.find((h) => h.id === vm.hostId)!;
        if (own.state === "online") {
          // its own units are released first, so it always fits where it ran (unless a hard rule now forbids it)
          if (out.kind === "placed" && out.hostId !== own.id) expect(out.reasons[0]).toMatch(/^cannot restart on its own host/);
          if (out.kind === "placed" && out.hostId === own.id) expect(out.reasons[0]).toBe(`restart on its own host ${own.name}`);
        } else if (out.kind === "placed") {
          expect(out.hostId).not.toBe(own.id);
        }
        if (out.kind === "placed") {
          expect(s.hosts.find((h) => h.id === out.hostId)!.state).toBe("online");
          checkInvariants(apply(s, new Map([[vm.id, out]])));
        }
      }),
      RUNS,
    );
  });

  it("whatIfAll equals planFailover per host", () => {
    fc.assert(
      fc.property(clusterArb, (s) => {
        for (const { hostId, plan } of whatIfAll(s)) expect(plan).toEqual(planFailover(s, [hostId]));
      }),
      { numRuns: 60 },
    );
  });

  it("Guarantee admission: an admitted power-on keeps the failures absorbable", () => {
    fc.assert(
      fc.property(clusterArb, fc.nat(), (s0, k) => {
        const s = { ...s0, policy: { ...s0.policy, haMode: "guarantee" as const } };
        const off = s.vms.filter((v) => !v.hostId);
        if (!off.length) return;
        const vm = off[k % off.length];
        const out = admitPowerOn(s, vm.id);
        if (!out.allowed) {
          stats.refused++;
          expect(out.reasons.length).toBeGreaterThan(0);
          // every host says what refused it (never "fits, but another host scored better")
          expect(out.rejections.map((r) => r.hostId).sort()).toEqual(s.hosts.map((h) => h.id).sort());
          for (const r of out.rejections) expect(r.reasons.length).toBeGreaterThan(0);
          return;
        }
        stats.admitted++;
        const after = apply(s, new Map([[vm.id, out.placement]]));
        checkInvariants(after);
        expect(assessGuarantee(after).toleratedFailures).toBeGreaterThanOrEqual(s.policy.faultTolerance);
      }),
      { numRuns: 80 },
    );
  });
});

describe("Guarantee: not protected", () => {
  it("a VM is listed as not protected exactly when at most one host of the inventory could ever run it", () => {
    fc.assert(
      fc.property(clusterArb, (s) => {
        const a = assessGuarantee(s);
        const listed = new Map(a.notProtected.map((p) => [p.vmId, p]));
        const units = (h: ClusterSnapshot["hosts"][number], type: string, tag: string) => {
          let n = 0;
          for (const g of h.gpus) {
            const d = gpuDeviceTag(g);
            if (d.type === type && d.tag === tag) n += d.units;
          }
          if (type === "sriov") for (const nic of h.nics) if (nic.tag === tag) n += nic.sriovVfs;
          return n;
        };
        for (const vm of s.vms) {
          if (!vm.hostId || vm.haPriority === "off") {
            expect(listed.has(vm.id)).toBe(false);
            continue;
          }
          const want = new Map<string, number>();
          for (const d of vm.devices) want.set(`${d.type}|${d.tag}`, (want.get(`${d.type}|${d.tag}`) ?? 0) + d.count);
          const able = s.hosts.filter(
            (h) => h.cpus >= vm.vcpus && h.memoryMiB >= vm.memoryMiB && [...want].every(([k, n]) => units(h, k.split("|")[0], k.slice(k.indexOf("|") + 1)) >= n),
          );
          expect(listed.has(vm.id), `${vm.name}: ${able.map((h) => h.name).join(", ")}`).toBe(able.length <= 1);
          if (able.length <= 1) stats.notProtected++;
          else if (vm.devices.length) stats.protectedDevice++;
          if (able.length <= 1) expect(listed.get(vm.id)!.hostIds).toEqual(able.map((h) => h.id));
        }
        // Guarantee mode leaves them out of the check: no unabsorbable failure set names one of them
        if (s.policy.haMode === "guarantee") for (const u of a.unabsorbable) for (const r of u.reasons) for (const p of a.notProtected) expect(r).not.toContain(`, ${p.vmName} (`);
      }),
      RUNS,
    );
  });
});

describe("coverage of the random clusters", () => {
  it("exercises both outcomes of each planner", () => {
    // runs after the properties above (same file, sequential)
    expect(stats.placed).toBeGreaterThan(20);
    expect(stats.unplaceable).toBeGreaterThan(5);
    expect(stats.devicePlaced).toBeGreaterThan(5);
    expect(stats.failoverPlaced).toBeGreaterThan(20);
    expect(stats.failoverLeft).toBeGreaterThan(5);
    expect(stats.admitted).toBeGreaterThan(3);
    expect(stats.refused).toBeGreaterThan(3);
    expect(stats.notProtected).toBeGreaterThan(10);
    expect(stats.protectedDevice).toBeGreaterThan(10);
  });
});

describe("IPAM properties", () => {
  it("allocations are unique, in the pool, never network/broadcast/gateway", () => {
    fc.assert(
      fc.property(fc.integer({ min: 24, max: 29 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 40 }), (prefix, third, n) => {
        const cidr = `10.0.${third}.0/${prefix}`;
        const net = { cidr, gateway: `10.0.${third}.1` };
        const used = new Set<string>();
        for (let i = 0; i < n; i++) {
          const r = allocateAddress(net, used);
          if (!r.ok) {
            expect(used.size).toBe(2 ** (32 - prefix) - 3);
            break;
          }
          expect(used.has(r.address)).toBe(false);
          expect(validateStaticAddress(net, r.address, used)).toEqual({ ok: true });
          used.add(r.address);
        }
      }),
      { numRuns: 100 },
    );
  });
});
