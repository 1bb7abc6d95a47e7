// HA_REBUILD_FAILED text: "… and N more hosts" counts hosts, not reason lines.
import { describe, expect, it } from "vitest";
import { summarizeRebuildReasons } from "@/lib/server/ha/alerts-text";
import { placeVm } from "@/lib/engine";
import { snapshotFromSpec } from "@/lib/engine/testkit";

const hosts = ["big", ...Array.from({ length: 8 }, (_, i) => `s${i + 1}`)];
const line = (h: string) => (h === "big" ? "big: host is failed" : `${h}: not enough memory: needs 200 GiB, 16 GiB free`);

describe("summarizeRebuildReasons", () => {
  const cases: { name: string; reasons: string[]; hostNames?: string[]; want: string }[] = [
    { name: "nothing", reasons: [], want: "no host fits" },
    { name: "only the engine's headline (redundant with the alert)", reasons: ["no host can run VM db1 (4 vCPU, 200 GiB)"], want: "no host fits" },
    { name: "two hosts, nothing counted", reasons: ["h1: a", "h2: b"], hostNames: ["h1", "h2"], want: "h1: a; h2: b" },
    {
      // the controller's shape: the engine's reasons (headline + one line per host) and the rejections again
      name: "9 hosts, each line twice, behind the headline: 6 more hosts, not 16 more",
      reasons: ["no host can run VM db1 (4 vCPU, 200 GiB)", ...hosts.map(line), ...hosts.map(line)],
      hostNames: hosts,
      want: `${line("s1")}; ${line("s2")}; ${line("s3")}; … and 6 more hosts (see the VM page)`,
    },
    {
      name: "hosts rejected only for their state come after the others",
      reasons: ["a: host is failed", "b: host is in maintenance", "c: not enough vCPU: needs 4, 2 free", "d: host is excluded for this placement"],
      hostNames: ["a", "b", "c", "d"],
      want: "c: not enough vCPU: needs 4, 2 free; a: host is failed; b: host is in maintenance; … and 1 more host (see the VM page)",
    },
    {
      name: "general reasons first (the relocation's cause), at most two",
      reasons: ["start failed on h1; no other host fits", "no host can run VM x (4 vCPU, 16 GiB)", "h1: host is excluded for this placement", "h2: not enough vCPU: needs 4, 2 free"],
      hostNames: ["h1", "h2"],
      want: "start failed on h1; no other host fits; h2: not enough vCPU: needs 4, 2 free; h1: host is excluded for this placement",
    },
    {
      name: "a host named twice with different lines counts once",
      reasons: ["h1: a", "h1: b", "h2: c", "h3: d", "h4: e"],
      hostNames: ["h1", "h2", "h3", "h4"],
      want: "h1: a; h2: c; h3: d; … and 1 more host (see the VM page)",
    },
    {
      name: "without host names: a leading word without spaces and a colon is a host",
      reasons: ["kvm-a01: host is failed", "kvm-a02: x", "kvm-a03: y", "kvm-a04: z", "kvm-a05: w"],
      want: "kvm-a02: x; kvm-a03: y; kvm-a04: z; … and 2 more hosts (see the VM page)",
    },
    {
      name: "a host name containing ': ' is matched when names are given",
      reasons: ["odd: name: host is failed", "h2: x"],
      hostNames: ["odd: name", "h2"],
      want: "h2: x; odd: name: host is failed",
    },
  ];
  it.each(cases)("$name", ({ reasons, hostNames, want }) => {
    expect(summarizeRebuildReasons(reasons, { hostNames })).toBe(want);
  });

  it("on the engine's real answer for 1,000 hosts: short, and N is the number of hosts not shown", () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ name: `h${String(i).padStart(4, "0")}`, cpus: 8, memoryGiB: 16 }));
    const snap = snapshotFromSpec({ hosts: many, vms: [{ name: "db1", vcpus: 4, memoryGiB: 200 }] });
    const out = placeVm(snap, "db1", { purpose: "ha" });
    expect(out.kind).toBe("unplaceable");
    const reasons = [...out.reasons, ...out.rejections.map((r) => `${r.hostName}: ${r.reasons.join("; ")}`)];
    const s = summarizeRebuildReasons(reasons, { hostNames: snap.hosts.map((h) => h.name) });
    expect(s).toMatch(/; … and 997 more hosts \(see the VM page\)$/);
    expect(s.length).toBeLessThan(400);
  });
});
