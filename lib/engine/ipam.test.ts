import { describe, expect, it } from "vitest";
import { allocateAddress, poolSize, validateNetworkConfig, validateStaticAddress, type IpamNetwork } from "./ipam";

const net: IpamNetwork = { cidr: "10.10.0.0/24", gateway: "10.10.0.1", poolStart: "10.10.0.10", poolEnd: "10.10.0.250" };

describe("allocateAddress", () => {
  const cases: [string, IpamNetwork, string[], string | null][] = [
    ["lowest of the pool", net, [], "10.10.0.10"],
    ["skips used", net, ["10.10.0.10", "10.10.0.11"], "10.10.0.12"],
    ["no pool: network and gateway never given", { cidr: "10.0.0.0/29", gateway: "10.0.0.1" }, [], "10.0.0.2"],
    ["no pool: broadcast never given", { cidr: "10.0.0.0/30", gateway: "10.0.0.1" }, ["10.0.0.2"], null],
    ["gateway inside the pool is skipped", { cidr: "192.168.1.0/24", gateway: "192.168.1.100", poolStart: "192.168.1.100", poolEnd: "192.168.1.101" }, [], "192.168.1.101"],
    ["pool beyond the CIDR is clamped (broadcast not given)", { cidr: "10.0.0.0/30", poolStart: "10.0.0.2", poolEnd: "10.0.0.3" }, [], "10.0.0.2"],
    ["exhausted", { cidr: "10.0.0.0/30" }, ["10.0.0.1", "10.0.0.2"], null],
  ];
  it.each(cases)("%s", (_n, n, used, want) => {
    const r = allocateAddress(n, new Set(used));
    if (want) expect(r).toEqual({ ok: true, address: want });
    else expect(r.ok).toBe(false);
  });
  it("says why when the pool is exhausted", () => {
    const r = allocateAddress({ cidr: "10.0.0.0/30" }, new Set(["10.0.0.1", "10.0.0.2"]));
    expect(r).toEqual({ ok: false, reason: "no free address left in the pool 10.0.0.1–10.0.0.2 (2 addresses, all in use)" });
  });
  it("keeps an address stable: allocate, keep across a rebuild (same used set), release on delete", () => {
    const used = new Set<string>();
    const a = allocateAddress(net, used);
    if (!a.ok) throw new Error("no address");
    used.add(a.address);
    const b = allocateAddress(net, used);
    expect(b).toEqual({ ok: true, address: "10.10.0.11" });
    used.delete(a.address); // VM deleted
    expect(allocateAddress(net, used)).toEqual({ ok: true, address: "10.10.0.10" });
  });
});

describe("validateStaticAddress", () => {
  const cases: [string, string, string[], string | null][] = [
    ["free, inside", "10.10.0.5", [], null],
    ["outside the CIDR", "10.11.0.5", [], "10.11.0.5 is outside 10.10.0.0/24"],
    ["network address", "10.10.0.0", [], "10.10.0.0 is the network address of 10.10.0.0/24"],
    ["broadcast", "10.10.0.255", [], "10.10.0.255 is the broadcast address of 10.10.0.0/24"],
    ["gateway", "10.10.0.1", [], "10.10.0.1 is the gateway"],
    ["in use", "10.10.0.20", ["10.10.0.20"], "10.10.0.20 is already in use"],
    ["not an address", "10.10.0", [], '"10.10.0" is not a valid IPv4 address'],
  ];
  it.each(cases)("%s", (_n, addr, used, reason) => {
    expect(validateStaticAddress(net, addr, new Set(used))).toEqual(reason ? { ok: false, reason } : { ok: true });
  });
});

describe("poolSize / validateNetworkConfig", () => {
  it.each([
    [net, 241],
    [{ cidr: "10.0.0.0/24", gateway: "10.0.0.1" }, 253],
    [{ cidr: "10.0.0.0/24", gateway: "10.0.0.1", poolStart: "10.0.0.1", poolEnd: "10.0.0.10" }, 9],
    [{ cidr: "bogus" }, 0],
  ] as [IpamNetwork, number][])("poolSize(%j) = %d", (n, size) => {
    expect(poolSize(n)).toBe(size);
  });
  it.each([
    [net, []],
    [{ cidr: "10.0.0.0/33" }, ['CIDR "10.0.0.0/33" is not a valid IPv4 network (e.g. 10.10.0.0/24)']],
    [{ cidr: "10.0.0.5/24" }, ["CIDR 10.0.0.5/24 has host bits set; the network is 10.0.0.0/24"]],
    [{ cidr: "10.0.0.0/24", gateway: "10.0.1.1" }, ["gateway 10.0.1.1 is outside 10.0.0.0/24"]],
    [{ cidr: "10.0.0.0/24", gateway: "10.0.0.255" }, ["gateway 10.0.0.255 is the broadcast address"]],
    [{ cidr: "10.0.0.0/24", poolStart: "10.0.0.50", poolEnd: "10.0.0.10" }, ["pool start 10.0.0.50 is after pool end 10.0.0.10"]],
    [{ cidr: "10.0.0.0/24", poolStart: "10.0.0.50" }, ["give both the pool start and the pool end, or neither"]],
    [{ cidr: "10.0.0.0/24", poolStart: "10.0.0.50", poolEnd: "10.0.1.10" }, ["pool end 10.0.1.10 is outside 10.0.0.0/24"]],
  ] as [IpamNetwork, string[]][])("validateNetworkConfig(%j)", (n, problems) => {
    expect(validateNetworkConfig(n)).toEqual(problems);
  });
});
