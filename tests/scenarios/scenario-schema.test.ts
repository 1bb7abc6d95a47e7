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
