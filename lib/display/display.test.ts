import { describe, expect, it } from "vitest";
import { heartbeatLine, nicLinkOnHost, storageHealthOnHost, vmPowerOnHost } from "./host-truth";
import { humanizeText, idsIn, plainText, textSegments } from "./text";
import { incidentTitle } from "./incident";
import { messageStillTrue } from "./power";

const T = { heartbeatS: 1, missed: 3, recordedEveryS: 10 };
const NOW = Date.parse("2026-12-05T12:00:00Z");
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

describe("vmPowerOnHost", () => {
  it.each([
    ["running", "online", "running", null],
    ["running", "maintenance", "running", null],
    ["running", "unreachable", "unknown", "running"],
    ["running", "failed", "unknown", "running"],
    ["starting", "failed", "unknown", "starting"],
    ["migrating", "unreachable", "unknown", "migrating"],
    ["stopped", "failed", "stopped", null],
    ["pending", "failed", "pending", null],
    ["error", "unreachable", "error", null],
    ["unknown", "unreachable", "unknown", null],
  ])("%s on a %s host shows %s", (power, host, shown, last) => {
    expect(vmPowerOnHost(power, host)).toEqual({ power: shown, lastReported: last });
  });
});

describe("storageHealthOnHost", () => {
  const ok = { present: true, healthy: true, nics: 2, nicsDown: 0 };
  it("is unknown on a silent host, with what it last reported", () => {
    expect(storageHealthOnHost("failed", ok)).toEqual({ health: "unknown", label: "Unknown", detail: "host is failed: last reported healthy" });
    expect(storageHealthOnHost("unreachable", { ...ok, nicsDown: 1 }).health).toBe("unknown");
  });
  it("says what is true on a reporting host", () => {
    expect(storageHealthOnHost("online", ok).label).toBe("Healthy");
    expect(storageHealthOnHost("online", { ...ok, nicsDown: 1 }).label).toBe("Bond degraded");
    expect(storageHealthOnHost("online", { ...ok, nicsDown: 2 }).label).toBe("Storage network down");
    expect(storageHealthOnHost("maintenance", { ...ok, healthy: false }).label).toBe("Controller down");
    expect(storageHealthOnHost("failed", { ...ok, present: false }).label).toBe("No controller");
  });
});

describe("nicLinkOnHost", () => {
  it("is unknown on a silent host, else the reported link", () => {
    expect(nicLinkOnHost("unreachable", true)).toBe("unknown");
    expect(nicLinkOnHost("failed", false)).toBe("unknown");
    expect(nicLinkOnHost("online", true)).toBe("up");
    expect(nicLinkOnHost("online", false)).toBe("down");
  });
});

describe("heartbeatLine", () => {
  it("an online host whose recorded heartbeat lags by the recording period is on time, not '9 s ago'", () => {
    const l = heartbeatLine("online", ago(9), NOW, T);
    expect(l.tone).toBe("ok");
    expect(l.text).toBe("on time (expected every 1 s; recorded every 10 s)");
  });
  it("an online host recorded longer ago than the slack is late", () => {
    expect(heartbeatLine("online", ago(30), NOW, T)).toMatchObject({ tone: "late", text: "last recorded 30 s ago (expected every 1 s)" });
  });
  it("a silent host: how long, against the expected interval", () => {
    expect(heartbeatLine("unreachable", ago(42), NOW, T).text).toBe("silent for 42 s — 42 heartbeats missed (expected every 1 s; unreachable after 3)");
    expect(heartbeatLine("failed", ago(600), NOW, { ...T, heartbeatS: 2 }).text).toBe("silent for 10 min 0 s — 300 heartbeats missed (expected every 2 s; unreachable after 3)");
  });
  it("never heard from", () => {
    expect(heartbeatLine("online", null, NOW, T)).toMatchObject({ tone: "none", text: "no heartbeat yet (expected every 1 s)" });
  });
});

describe("humanizeText", () => {
  it.each([
    ['needs 2 free sriov VFs tagged "fast-net"', 'needs 2 free SR-IOV VFs tagged "fast-net"'],
    ['1 free sriov VF tagged "sriov"', '1 free SR-IOV VF tagged "sriov"'],
    ["no free sriov on host-1", "no free SR-IOV VF on host-1"],
    ["host-01: score 0.412: load after placement 41%", "host-01: score 0.412 (lower is better): load after placement 41%"],
    ["a vgpu slot", "a vGPU slot"],
    ["sriovish words stay", "sriovish words stay"],
  ])("%s", (raw, shown) => expect(humanizeText(raw)).toBe(shown));
});

describe("textSegments", () => {
  const id = "cmiq0h8b10000a4z3kx1y2w3v";
  const gone = "cmiq0h8b10000a4z3kx1y2w3z";
  it("replaces store ids by linked names and unknown ids by (deleted), never the raw id", () => {
    expect(idsIn(`GPU ${id} and ${gone} and ${id}`)).toEqual([id, gone]);
    const segs = textSegments(`it asks for GPU ${id} by name; ${gone}`, new Map([[id, { name: "gpu-7", href: "/gpus?q=gpu-7" }]]));
    expect(segs).toEqual(["it asks for GPU ", { text: "gpu-7", href: "/gpus?q=gpu-7", id }, " by name; ", { text: "(deleted)", href: null, id: gone }]);
    expect(plainText(`GPU ${id}`, { [id]: { name: "gpu-7", href: null } })).toBe("GPU gpu-7");
  });
  it("leaves ordinary words alone", () => {
    expect(textSegments("host-01 is back", {})).toEqual(["host-01 is back"]);
  });
});

describe("incidentTitle", () => {
  const base = { seq: 7, host: { name: "host-03" }, eventKinds: [] as string[], crashedVms: [] as string[] };
  it("a vm-crash incident names the VM that crashed, on its host", () => {
    expect(incidentTitle({ ...base, kind: "vm-crash", eventKinds: ["vm-crashed", "vm-running"], crashedVms: ["web-01"] })).toBe("Incident #7: web-01 crashed on host-03");
  });
  it("an incident whose events are a host's failure is never titled a VM crash", () => {
    expect(incidentTitle({ ...base, kind: "vm-crash", eventKinds: ["host-unreachable", "host-failed", "vm-crashed"], crashedVms: ["web-01"] })).toBe("Incident #7: Host failure of host-03");
    expect(incidentTitle({ ...base, kind: "host-failure", eventKinds: ["host-unreachable"] })).toBe("Incident #7: Host failure of host-03");
  });
  it("other kinds in words", () => {
    expect(incidentTitle({ ...base, kind: "network-fault" })).toBe("Incident #7: Storage network fault of host-03");
    expect(incidentTitle({ ...base, kind: "isolation" })).toBe("Incident #7: Isolation of host-03");
    expect(incidentTitle({ ...base, kind: "vm-crash", crashedVms: ["a", "b"] })).toBe("Incident #7: 2 VMs crashed on host-03");
  });
});

describe("messageStillTrue (power panel)", () => {
  it.each([
    [{ ok: true, powerBefore: "stopped" }, "stopped", true],
    [{ ok: true, powerBefore: "stopped" }, "pending", true],
    [{ ok: true, powerBefore: "stopped" }, "starting", true],
    [{ ok: true, powerBefore: "stopped" }, "running", false],
    [{ ok: true, powerBefore: "running" }, "stopping", true],
    [{ ok: true, powerBefore: "running" }, "stopped", false],
    [{ ok: false, powerBefore: "stopped" }, "running", true],
  ])("%o with the VM now %s → %s", (msg, power, shown) => expect(messageStillTrue(msg, power)).toBe(shown));
});

describe("alertKindLabel", () => {
  it("names every kind the HA controller raises in words", async () => {
    const { alertKindLabel, ALERT_KIND_LABELS } = await import("./alert-kind");
    expect(alertKindLabel("HA_REBUILD_SUCCEEDED")).toBe("HA rebuild succeeded");
    expect(alertKindLabel("NIC_BOND_DEGRADED")).toBe("Storage bond degraded");
    expect(alertKindLabel("SOMETHING_NEW")).toBe("Something new");
    const { ALERT_KINDS } = await import("@/lib/server/ha/alerts");
    for (const k of ALERT_KINDS) expect(Object.keys(ALERT_KIND_LABELS), `a label for ${k}`).toContain(k);
  });
});

describe("unknownTagWarning (VM form)", () => {
  const known = [
    { type: "sriov", name: "trading-a" },
    { type: "sriov", name: "fast-net" },
    { type: "gpu", name: "NVIDIA Tesla M60" },
  ];
  it("warns for a tag no device of that type carries, naming the known ones and what follows", async () => {
    const { unknownTagWarning } = await import("./device-tags");
    expect(unknownTagWarning("sriov", "trading-b", known)).toBe(
      'No device carries the SR-IOV VF tag "trading-b". Known SR-IOV VF tags: "trading-a", "fast-net". The VM can be saved, but it cannot start on any host until a device carries this tag.',
    );
    // the tag exists, but for another type
    expect(unknownTagWarning("vgpu", "NVIDIA Tesla M60", known)).toMatch(/^No device carries the vGPU tag "NVIDIA Tesla M60"\. No vGPU tag exists yet\./);
    expect(unknownTagWarning("sriov", "trading-a", known)).toBeNull();
    expect(unknownTagWarning("sriov", "  ", known)).toBeNull();
  });
});
