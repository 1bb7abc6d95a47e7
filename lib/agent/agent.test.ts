// The agent's loop against a scripted console (HTTP) and an in-memory hypervisor, on short timings
// (heartbeat 100 ms, isolation 600 ms). The real libvirt is driven in libvirt.test.ts and the
// three-host story with real guests in e2e/agent-real-guests.spec.ts.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildFakeSysfs, typicalHost } from "@/tests/support/fake-sysfs";
import { FakeConsole, FakeHypervisor, until } from "@/tests/support/fake-agent-env";
import type { TAgentCommand, TStartVmPayload } from "../schemas/agent";
import { HostAgent, type AgentOptions } from "./agent";
import { discover, nameDevices, readLinks } from "./discover";
import { planDomain } from "./domain-xml";
import { silentLogger } from "./log";
import { createProtocolClient } from "./protocol-client";
import { openState } from "./state";
import type { Watchdog } from "./watchdog";

const sysfs = buildFakeSysfs(typicalHost());
const inv = discover(sysfs);
nameDevices(inv, "h1");

let console_: FakeConsole;
let hv: FakeHypervisor;
let agent: HostAgent | null;
let stateDir: string;

beforeEach(async () => {
  console_ = new FakeConsole("h1");
  await console_.start();
  hv = new FakeHypervisor();
  agent = null;
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "haven-agent-state-"));
});
afterEach(async () => {
  await agent?.stop();
  await console_.close();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

function makeAgent(extra: Partial<AgentOptions> = {}): HostAgent {
  const state = openState(stateDir);
  agent = new HostAgent({
    host: "h1",
    client: createProtocolClient({ url: console_.url, timeoutMs: 1000 }),
    hypervisor: hv,
    token: "issued-token",
    tokenStore: state.tokens,
    inventory: () => inv,
    links: (names) => readLinks(sysfs, names),
    plan: (cmd) => planDomain(cmd, { host: "h1", inventory: inv, virtType: "qemu" }),
    log: silentLogger,
    tickMs: 20,
    timings: { heartbeatMs: 100, isolationTimeoutMs: 600 },
    ...extra,
  });
  agent.start();
  return agent;
}

let nCmd = 0;
function start(vmId: string, generation: number, p: Partial<TStartVmPayload> & Record<string, unknown> = {}): TAgentCommand {
  return {
    id: `cmd-${++nCmd}`,
    kind: "start-vm",
    vmId,
    generation,
    payload: { vmName: vmId.replace("vm-", "web-"), vcpus: 1, memoryMiB: 64, haPriority: "high", devices: [], ips: [], disks: [], purpose: "ha", attempt: 1, avoidHostIds: [], ...p } as TStartVmPayload,
  };
}
function stop(vmId: string, generation: number, reason: "power-off" | "stale" = "stale"): TAgentCommand {
  return { id: `cmd-${++nCmd}`, kind: "stop-vm", vmId, generation, payload: { vmName: vmId, reason } };
}
const vmsOf = (hb: { vms: { vmId: string; generation: number; state: string }[] } | undefined) => (hb?.vms ?? []).map((v) => `${v.vmId}@${v.generation}:${v.state}`).sort();

describe("haven-agent loop", () => {
  it("registers with the discovered inventory, keeps the token it gets, heartbeats at the console's interval with seq from 0", async () => {
    makeAgent();
    await until(() => console_.state.heartbeats.length >= 6, 3000, "heartbeats");
    const reg = console_.state.registrations[0];
    expect(reg.token).toBe("issued-token");
    expect(reg.body.hostName).toBe("h1");
    expect(reg.body.gpus?.map((g) => [g.name, g.model, g.pciAddress])).toEqual([
      ["h1-gpu0", expect.stringMatching(/A100|20f1/), "0000:3b:00.0"],
      ["h1-gpu1", expect.stringMatching(/M60|13f2/), "0000:5e:00.0"],
      ["h1-gpu2", expect.stringMatching(/L4|27b8/), "0000:af:00.0"],
    ]);
    expect(reg.body.gpus?.[1]).toMatchObject({ vgpuProfile: "M60-2Q", vgpuSlots: 4 });
    expect(reg.body.nics?.find((n) => n.name === "ens1f0")).toMatchObject({ sriovVfs: 8, linkUp: true });
    expect(reg.body.nics?.find((n) => n.name === "ens2f1")).toMatchObject({ bond: "stor0", linkUp: false });
    expect(openState(stateDir).tokens.load()).toBe(console_.current);
    const hbs = console_.state.heartbeats.map((h) => h.body);
    expect(hbs.slice(0, 6).map((h) => h.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(hbs[0].nics?.find((n) => n.name === "ens2f1")).toEqual({ name: "ens2f1", linkUp: false });
    // Five intervals of 100 ms (the loop ticks every 20 ms here): neither spammed nor late.
    const span = console_.state.heartbeats[5].at - console_.state.heartbeats[0].at;
    expect(span).toBeGreaterThanOrEqual(400);
    expect(span).toBeLessThan(1200);
  });

  it("asks the console to reconcile (identities, --auto-add) and plans and heartbeats with the console's device names", async () => {
    const mine = discover(sysfs); // renamed by the registration: not the shared inventory
    nameDevices(mine, "h1");
    const a0 = mine.gpus[0];
    const a2 = mine.gpus[2];
    const ens1f0 = mine.nics.find((n) => n.name === "ens1f0")!;
    // The console knows the A100 as h1-gpu2 and ens1f0 as "fast0"; the L4 it does not know
    // (it was h1-gpu2 here: that name must not take the console's h1-gpu2 any more).
    console_.registerExtra = {
      inventory: { gpus: [{ identity: a0.identity, name: "h1-gpu2" }], nics: [{ identity: ens1f0.identity, name: "fast0" }], added: [], discovered: ["h1-gpu2"], missing: [], back: [] },
    };
    const names: string[][] = [];
    makeAgent({ autoAdd: true, inventory: () => mine, onInventory: (i) => names.push(i.gpus.map((g) => g.name!)) });
    await until(() => console_.state.heartbeats.length >= 2, 3000, "heartbeats");
    const reg = console_.state.registrations[0].body;
    expect(reg).toMatchObject({ reconcile: true, autoAdd: true });
    expect(reg.gpus?.every((g) => g.identity && g.mode)).toBe(true);
    expect(reg.gpus?.[0]).toMatchObject({ identity: a0.identity, mode: "compute" });
    expect(reg.nics?.find((n) => n.name === "ens1f0")).toMatchObject({ identity: ens1f0.identity, pciAddress: ens1f0.pciAddress });
    expect(names[0]).toEqual(["h1-gpu2", "h1-gpu1", `h1-gpu2~new@${a2.pciAddress}`]);
    // A start naming the console's h1-gpu2 takes the A100, not the L4; its VF NIC by the console's name.
    const { spec } = planDomain(start("vm-9", 1, { devices: [{ key: "gpu:x", type: "gpu", tag: "t", device: "h1/h1-gpu2" }, { key: "vf:y:0", type: "sriov", tag: "fast", device: "h1/fast0/vf0" }] }) as never, { host: "h1", inventory: mine, virtType: "qemu" });
    expect(spec.hostdevs).toEqual([expect.objectContaining({ kind: "pci", pciAddress: a0.pciAddress })]);
    expect(spec.nics.some((n) => n.kind === "vf" && n.pciAddress === ens1f0.sriov!.vfs[0].pciAddress)).toBe(true);
    // Link state goes out under the console's name.
    const hb = console_.state.heartbeats.at(-1)!.body;
    expect(hb.nics?.some((n) => n.name === "fast0")).toBe(true);
    expect(hb.nics?.some((n) => n.name === "ens1f0")).toBe(false);
  });

  it("five starts at once on a slow libvirt: each acknowledged right after its create (no listing in the way), every ack once, all reported by the next heartbeat", async () => {
    makeAgent();
    await until(() => console_.state.heartbeats.length >= 3, 3000, "heartbeats");
    hv.listDelayMs = 1500; // every `virsh list` now takes 1.5 s
    const cmds = [1, 2, 3, 4, 5].map((i) => start(`vm-${i}`, 1));
    const sent = Date.now();
    for (const c of cmds) console_.send(c);
    await until(() => console_.state.acks.length >= 5, 5000, "5 acks");
    const took = Date.now() - sent;
    expect(console_.state.acks.map((a) => a.commandId).sort()).toEqual(cmds.map((c) => c.id).sort());
    expect(console_.state.acks.every((a) => a.status === "done")).toBe(true);
    // Fetched at the next heartbeat (≤ 100 ms), created, acknowledged: far less than one listing.
    expect(took).toBeLessThan(1200);
    await new Promise((r) => setTimeout(r, 300));
    expect(console_.state.acks).toHaveLength(5); // none twice
    const n = console_.state.heartbeats.length;
    await until(() => console_.state.heartbeats.length > n, 2000, "a heartbeat");
    expect(vmsOf(console_.state.heartbeats.at(-1)!.body)).toEqual(["vm-1@1:running", "vm-2@1:running", "vm-3@1:running", "vm-4@1:running", "vm-5@1:running"]);
  });

  it("migrate-vm: the guest goes to the target's libvirt retagged (target host, new generation); refused clearly without --migrate-uri, for a VM not here, and between agents on one libvirtd", async () => {
    const migrate = (vmId: string, generation: number): TAgentCommand => ({
      id: `cmd-${++nCmd}`,
      kind: "migrate-vm",
      vmId,
      generation,
      payload: { vmName: vmId, toHostId: "host-2", toHostName: "h2", vcpus: 1, memoryMiB: 64, haPriority: "high", ips: [] },
    });
    let dest = "fake://h2";
    makeAgent({ migrateUri: (h) => (dest === "fake://self" ? dest : `fake://${h}`) });
    console_.send(start("vm-1", 1));
    await until(() => console_.state.acks.length >= 1, 3000, "start ack");
    // Between two agents of one libvirtd (this machine's tests): libvirt refuses, the ack says why.
    dest = "fake://self";
    const same = migrate("vm-1", 2);
    console_.send(same);
    await until(() => console_.state.acks.some((a) => a.commandId === same.id), 3000, "same-host ack");
    expect(console_.state.acks.find((a) => a.commandId === same.id)).toMatchObject({ status: "failed", error: expect.stringMatching(/^h1 and h2 share one libvirtd/) });
    dest = "fake://h2";
    const ok = migrate("vm-1", 3);
    console_.send(ok);
    await until(() => console_.state.acks.some((a) => a.commandId === ok.id), 3000, "migrate ack");
    expect(console_.state.acks.find((a) => a.commandId === ok.id)).toMatchObject({ status: "done" });
    expect(hv.migrations).toEqual([{ name: "haven-h1-web-1", dest: "fake://h2" }]);
    expect(hv.running("h1")).toEqual([]);
    expect(hv.running("h2")).toEqual([{ vmId: "vm-1", generation: 3, name: expect.any(String) }]);
    const n = console_.state.heartbeats.length;
    await until(() => console_.state.heartbeats.length > n + 1, 2000, "heartbeats");
    expect(vmsOf(console_.state.heartbeats.at(-1)!.body)).toEqual([]);
    const gone = migrate("vm-7", 4);
    console_.send(gone);
    await until(() => console_.state.acks.some((a) => a.commandId === gone.id), 3000, "ack");
    expect(console_.state.acks.find((a) => a.commandId === gone.id)).toMatchObject({ status: "failed", error: "vm-7 is not running on h1" });
    await agent!.stop();
    makeAgent({ migrateUri: null });
    const off = migrate("vm-1", 5);
    console_.send(off);
    await until(() => console_.state.acks.some((a) => a.commandId === off.id), 3000, "ack");
    expect(console_.state.acks.find((a) => a.commandId === off.id)!.error).toMatch(/live migration is not configured on h1: .*--migrate-uri/);
  });

  it("with a token file: waits for the token an admin drops there, then registers with it", async () => {
    let file = "";
    makeAgent({ token: () => file });
    await new Promise((r) => setTimeout(r, 700));
    expect(console_.state.registrations).toEqual([]);
    expect(agent!.registered).toBe(false);
    file = "issued-token\n";
    await until(() => agent!.registered, 3000, "registration");
    expect(console_.state.registrations.at(-1)?.token).toBe("issued-token");
  });

  it("a restart registers with the stored token (the issued one was replaced)", async () => {
    makeAgent();
    await until(() => console_.current && console_.state.heartbeats.length > 0);
    await agent!.stop();
    const stored = console_.current;
    makeAgent({ token: "issued-token" });
    await until(() => console_.state.registrations.length >= 2);
    expect(console_.state.registrations[1].token).toBe(stored);
    await until(() => console_.state.heartbeats.some((h) => h.body.seq === 0 && h.at > 0) && console_.lastHeartbeat()?.seq !== undefined);
  });

  it("start: creates the domain with Haven metadata, acknowledges done, reports it running with its generation", async () => {
    makeAgent();
    const c = start("vm-1", 3);
    console_.send(c);
    await until(() => console_.ackOf(c.id), 3000, "ack");
    expect(console_.ackOf(c.id)).toMatchObject({ status: "done", hostId: "host-1" });
    expect(hv.running("h1")).toEqual([{ vmId: "vm-1", generation: 3, name: "haven-h1-web-1" }]);
    await until(() => vmsOf(console_.lastHeartbeat()).includes("vm-1@3:running"));
    // While a command is unacknowledged it is echoed in commandsSeen; once acked it is gone.
    expect(console_.lastHeartbeat()?.commandsSeen).toEqual([]);
  });

  it("a repeated start of the same generation is done without a second domain; a newer generation replaces the older copy", async () => {
    makeAgent();
    const a = start("vm-2", 1);
    console_.send(a);
    await until(() => console_.ackOf(a.id));
    const again = start("vm-2", 1);
    console_.send(again);
    await until(() => console_.ackOf(again.id));
    expect(console_.ackOf(again.id)?.status).toBe("done");
    expect(hv.created).toEqual(["haven-h1-web-2"]);
    const newer = start("vm-2", 2);
    console_.send(newer);
    await until(() => console_.ackOf(newer.id));
    expect(hv.running("h1")).toEqual([{ vmId: "vm-2", generation: 2, name: "haven-h1-web-2" }]);
    expect(hv.destroyed).toEqual(["haven-h1-web-2"]);
  });

  it("stop of generation g stops copies of generation ≤ g only", async () => {
    makeAgent();
    const a = start("vm-3", 5);
    console_.send(a);
    await until(() => console_.ackOf(a.id));
    const old = stop("vm-3", 4);
    console_.send(old);
    await until(() => console_.ackOf(old.id));
    expect(console_.ackOf(old.id)?.status).toBe("done");
    expect(hv.running("h1")).toHaveLength(1);
    const s = stop("vm-3", 5);
    console_.send(s);
    await until(() => console_.ackOf(s.id));
    expect(hv.running("h1")).toEqual([]);
    await until(() => vmsOf(console_.lastHeartbeat()).length === 0);
  });

  it("a guest that dies is reported at once (well before the next heartbeat was due)", async () => {
    makeAgent({ timings: { heartbeatMs: 1000, isolationTimeoutMs: 10_000 } });
    console_.timings = { heartbeatS: 1, isolationTimeoutS: 10, vmStartS: 1 };
    const a = start("vm-4", 1);
    console_.send(a);
    // The start is only fetched after a heartbeat: wait for it to run.
    await until(() => vmsOf(console_.lastHeartbeat()).includes("vm-4@1:running"), 5000);
    const before = console_.state.heartbeats.length;
    const t0 = Date.now();
    hv.crash("haven-h1-web-4");
    await until(() => console_.state.heartbeats.length > before && vmsOf(console_.lastHeartbeat()).length === 0, 2000, "crash report");
    expect(Date.now() - t0).toBeLessThan(500);
    expect(agent!.stats.crashesReported).toBe(1);
  });

  it("never lists or touches another host's domain or one without Haven metadata", async () => {
    hv.addForeign("someone-elses", null);
    hv.addForeign("haven-h2-db-1", { vmId: "vm-9", vmName: "db-1", generation: 1, host: "h2", haPriority: "high", keepRunningWhenIsolated: false, commandId: null });
    makeAgent();
    const s = stop("vm-9", 99);
    console_.send(s);
    await until(() => console_.ackOf(s.id));
    expect(vmsOf(console_.lastHeartbeat())).toEqual([]);
    expect(hv.domains.size).toBe(2);
    expect(hv.destroyed).toEqual([]);
  });

  it("isolation: after the isolation timeout without the console it powers off every guest (HA priority off too) except the opted-out ones", async () => {
    makeAgent();
    const cmds = [start("vm-5", 1), start("vm-6", 1, { haPriority: "off" }), start("vm-7", 1, { keepRunningWhenIsolated: true }), start("vm-8", 1, { haPriority: "low" })];
    for (const c of cmds) console_.send(c);
    await until(() => cmds.every((c) => console_.ackOf(c.id)), 3000);
    expect(hv.running("h1")).toHaveLength(4);
    const cut = Date.now();
    console_.down = 503;
    await until(() => hv.running("h1").length === 1, 3000, "isolation power-off");
    const took = Date.now() - cut;
    expect(took).toBeGreaterThanOrEqual(450); // not before the isolation timeout (600 ms after the last contact)
    expect(hv.running("h1").map((d) => d.vmId).sort()).toEqual(["vm-7"]);
    expect(agent!.isolated).toBe(true);
    expect(agent!.stats.isolationPowerOffs).toBe(3);
    // The console comes back: the agent reports what it still runs.
    console_.down = null;
    await until(() => !agent!.isolated && vmsOf(console_.lastHeartbeat()).join() === "vm-7@1:running", 3000);
  });

  it("a slow libvirt does not delay heartbeats (no self-fencing on a busy host)", async () => {
    makeAgent();
    const c = start("vm-16", 1);
    console_.send(c);
    await until(() => console_.ackOf(c.id), 3000);
    hv.listDelayMs = 900; // listings take longer than the isolation timeout's half
    const n = console_.state.heartbeats.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(console_.state.heartbeats.length - n).toBeGreaterThanOrEqual(8);
    expect(agent!.isolated).toBe(false);
    expect(hv.running("h1")).toHaveLength(1);
    expect(vmsOf(console_.lastHeartbeat())).toEqual(["vm-16@1:running"]);
  });

  it("libvirt down: heartbeats stop (no 'nothing runs here'), and the host fences itself once isolated", async () => {
    makeAgent();
    const c = start("vm-17", 1);
    console_.send(c);
    await until(() => console_.ackOf(c.id), 3000);
    hv.broken = true;
    await new Promise((r) => setTimeout(r, 300));
    const n = console_.state.heartbeats.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(console_.state.heartbeats.length).toBe(n);
    await until(() => agent!.isolated, 3000, "isolation");
    expect(console_.state.heartbeats.slice(n)).toEqual([]);
  });

  it("with HA disabled (isolationResponse none) an isolated host keeps its guests", async () => {
    console_.isolationResponse = "none";
    makeAgent();
    const c = start("vm-10", 1);
    console_.send(c);
    await until(() => console_.ackOf(c.id));
    console_.down = 503;
    await until(() => agent!.isolated, 3000);
    await new Promise((r) => setTimeout(r, 300));
    expect(hv.running("h1")).toHaveLength(1);
  });

  it("watchdog: fed while isolated guests could be powered off; starved when they could not", async () => {
    const pets: number[] = [];
    const wd: Watchdog = { path: "/dev/null", pet: () => pets.push(Date.now()), close: () => {} };
    makeAgent({ watchdog: wd });
    const c = start("vm-11", 1);
    console_.send(c);
    await until(() => console_.ackOf(c.id));
    console_.down = 503;
    await until(() => agent!.isolated && hv.running("h1").length === 0, 3000);
    const n = pets.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(pets.length).toBeGreaterThan(n); // fenced cleanly: still fed
    // Back, a guest again, then libvirt hangs and the console goes away: the watchdog starves.
    console_.down = null;
    const d = start("vm-12", 1);
    console_.send(d);
    await until(() => console_.ackOf(d.id), 3000);
    hv.broken = true;
    console_.down = 503;
    await until(() => agent!.isolated, 3000);
    await new Promise((r) => setTimeout(r, 1300));
    const m = pets.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(pets.length).toBe(m);
  });

  it("a device the host lacks, or a libvirt refusal, is a failed ack with a clear reason", async () => {
    makeAgent();
    const bad = start("vm-13", 1, { devices: [{ key: "gpu:x", type: "gpu", tag: "NVIDIA L4", device: "h1/h1-gpu7" }] });
    console_.send(bad);
    await until(() => console_.ackOf(bad.id));
    expect(console_.ackOf(bad.id)).toMatchObject({ status: "failed", error: expect.stringMatching(/no GPU h1-gpu7 on h1/) });
    hv.createError = "unsupported configuration: host doesn't support passthrough of host PCI devices";
    const pt = start("vm-14", 1, { devices: [{ key: "gpu:y", type: "gpu", tag: "NVIDIA L4", device: "h1/h1-gpu2" }] });
    console_.send(pt);
    await until(() => console_.ackOf(pt.id));
    expect(console_.ackOf(pt.id)?.error).toMatch(/^PCI passthrough is not available on h1: no IOMMU\/VFIO .* — unsupported configuration: host doesn't support passthrough/);
  });

  it("--dry-run prints the domain XML and starts nothing", async () => {
    const printed: string[] = [];
    makeAgent({ dryRun: true, print: (t) => printed.push(t) });
    const c = start("vm-15", 2);
    console_.send(c);
    await until(() => console_.ackOf(c.id));
    expect(console_.ackOf(c.id)).toMatchObject({ status: "failed", error: expect.stringMatching(/dry run/) });
    expect(printed[0]).toContain("<haven:generation>2</haven:generation>");
    expect(printed[0]).toContain("<name>haven-h1-web-15</name>");
    expect(hv.created).toEqual([]);
  });

  it("a revoked token: registers again with the issued one when an admin issues a new token", async () => {
    makeAgent();
    await until(() => console_.state.heartbeats.length > 0);
    console_.current = "rotated-elsewhere";
    console_.issued = "issued-token"; // the admin issued the same token again (the agent still has it)
    // The stored token is refused; the issued one registers; heartbeats go on (same run: seq continues).
    await until(() => console_.state.registrations.slice(1).some((r) => r.token === "issued-token"), 3000, "registration with the issued token");
    const refused = console_.state.registrations.slice(1).findIndex((r) => r.token === "issued-token");
    expect(console_.state.registrations[refused]?.token).not.toBe("issued-token");
    const n = console_.state.heartbeats.length;
    await until(() => console_.state.heartbeats.length > n + 1, 3000, "heartbeats with the new token");
    const seqs = console_.state.heartbeats.map((h) => h.body.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs.filter((x) => x === 0)).toHaveLength(1);
    expect(openState(stateDir).tokens.load()).toBe(console_.current);
  });
});
