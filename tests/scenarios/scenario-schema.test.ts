// The scenario file schema: strict, defaults applied, references checked with the field's path.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ZScenario, formatScenarioIssues } from "@/lib/schemas/scenario";

const base = {
  name: "s",
  hosts: [{ name: "h1", cpus: 8, memoryGiB: 32, nics: [{ name: "ens2f0", role: "storage", bond: "stor0" }] }],
  vms: [{ name: "v1", vcpus: 1, memoryGiB: 1, host: "h1" }],
  runUntil: 60,
};

const issues = (input: unknown) => {
  const r = ZScenario.safeParse(input);
  return r.success ? "" : formatScenarioIssues(r.error);
};

describe("ZScenario", () => {
  it("accepts events after runUntil (they never happen)", () => {
    expect(issues({ ...base, events: [{ at: 99, do: "host-down", host: "h1" }] })).toBe("");
  });

  it("applies defaults", () => {
    const s = ZScenario.parse(base);
    expect(s.events).toEqual([]);
    expect(s.cluster.timing).toEqual({ heartbeat: 1, failureTimeout: 30, isolationTimeout: 20, missedHeartbeats: 3, vmStart: 5 });
    expect(ZScenario.parse({ ...base, events: [{ at: 1, do: "start-fails", host: "h1" }] }).events[0]).toMatchObject({ times: 1 });
  });

  it.each([
    [{ ...base, events: [{ at: 1, do: "host-down", host: "h9" }] }, /^events\.0\.host: unknown host "h9"/],
    [{ ...base, events: [{ at: 1, do: "vm-crash", vm: "nope" }] }, /^events\.0\.vm: unknown VM "nope"/],
    [{ ...base, events: [{ at: 1, do: "nic-down", host: "h1", nic: "eth9" }] }, /^events\.0\.nic: host h1 has no NIC "eth9"/],
    [{ ...base, events: [{ at: 1, do: "host-down", host: "h1", why: "x" }] }, /^events\.0: Unrecognized key: "why"/],
    [{ ...base, events: [{ at: 1, do: "explode", host: "h1" }] }, /^events\.0\.do: /],
    [{ ...base, events: [{ at: -1, do: "host-down", host: "h1" }] }, /^events\.0\.at: /],
    [{ ...base, extra: true }, /Unrecognized key: "extra"/],
    [{ ...base, runUntil: 0 }, /^runUntil: /],
    [{ ...base, cluster: { timing: { isolationTimeout: 40 } } }, /^cluster\.timing\.isolationTimeout: /],
  ])("refuses %j", (input, msg) => {
    expect(issues(input)).toMatch(msg);
  });
});

describe("npm run scenario", () => {
  it("exits 2 naming the field on an invalid file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scn-"));
    const f = path.join(dir, "bad.json");
    fs.writeFileSync(f, JSON.stringify({ ...base, events: [{ at: 1, do: "host-down", host: "h7" }] }));
    const r = spawnSync("npx", ["tsx", "--conditions=react-server", "scripts/scenario.ts", f], { encoding: "utf8", cwd: path.resolve(import.meta.dirname, "../..") });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/events\.0\.host: unknown host "h7"/);
  });
});

describe("ZScenario: issue 10 fields and events", () => {
  const two = {
    ...base,
    hosts: [
      { name: "h1", cpus: 8, memoryGiB: 32, gpus: [{ id: "g0", model: "NVIDIA Tesla M60" }], nics: [{ name: "e0", sriovVfs: 2, tag: "t" }] },
      { name: "h2", cpus: 8, memoryGiB: 32 },
    ],
  };
  it("accepts failback, hostOrder, restart, keepRunningWhenIsolated and the new events", () => {
    expect(
      issues({
        ...two,
        cluster: { failback: false },
        placementGroups: [{ name: "g", type: "vm-host", enforcement: "should", vms: ["v1"], hosts: ["h1", "h2"], hostOrder: ["h2", "h1"], failback: true }],
        vms: [{ name: "v1", vcpus: 1, memoryGiB: 1, host: "h1", restart: { maxRestarts: 1, maxRelocations: null }, keepRunningWhenIsolated: true }],
        events: [
          { at: 1, do: "device-fail", host: "h1", device: "g0" },
          { at: 2, do: "device-ok", host: "h1", device: "e0" },
          { at: 1, do: "start-fails", vm: "v1", times: 2 },
          { at: 1, do: "start-fails", host: "h1" },
          { at: 1, do: "vm-migrate", vm: "v1", host: "h2" },
          { at: 1, do: "host-confirm-off", host: "h2" },
        ],
      }),
    ).toBe("");
  });
  it("names the field of a wrong reference", () => {
    expect(issues({ ...two, events: [{ at: 1, do: "device-fail", host: "h2", device: "g0" }] })).toMatch(/^events\.0\.device: /);
    expect(issues({ ...two, events: [{ at: 1, do: "start-fails", vm: "v1", host: "h1" }] })).toMatch(/^events\.0: start-fails names exactly one/);
    expect(issues({ ...two, placementGroups: [{ name: "g", type: "vm-host", vms: [], hosts: ["h1"], hostOrder: ["h2"] }] })).toMatch(/placementGroups\.0\.hostOrder\.0/);
    expect(issues({ ...two, vms: [{ name: "v1", vcpus: 1, memoryGiB: 1, restart: { maxRestarts: 1, foo: 1 } }] })).toMatch(/vms\.0\.restart/);
  });
});
