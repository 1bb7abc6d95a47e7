import { describe, expect, it } from "vitest";
import { ZClusterSpec, specGpuTag, specMemoryMiB } from "./cluster-spec";

const host = (name: string, extra: Record<string, unknown> = {}) => ({ name, cpus: 32, memoryGiB: 256, ...extra });
const base = () => ({ hosts: [host("h1"), host("h2")] as Record<string, unknown>[], vms: [] as Record<string, unknown>[] });

function issues(input: unknown): [string, string][] {
  const r = ZClusterSpec.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) => [i.path.join("."), i.message]);
}

describe("ZClusterSpec", () => {
  it("applies the defaults", () => {
    const s = ZClusterSpec.parse({ hosts: [{ name: "h1", cpus: 8, memoryMiB: 4096, gpus: [{ model: "NVIDIA L4" }], nics: [{ name: "e0" }] }] });
    expect(s.cluster).toEqual({
      haMode: "default",
      faultTolerance: 1,
      reservation: "host",
      failback: true,
      timing: { heartbeat: 1, failureTimeout: 30, isolationTimeout: 20, missedHeartbeats: 3, vmStart: 5 },
    });
    expect(s.hosts[0].storageController).toBe(true);
    expect(s.hosts[0].gpus[0].mode).toBe("graphics");
    expect(s.hosts[0].nics[0]).toEqual({ name: "e0", role: "vm", sriovVfs: 0 });
    expect(s.vms).toEqual([]);
    expect(specMemoryMiB(s.hosts[0])).toBe(4096);
    expect(specMemoryMiB({ memoryGiB: 1.5 })).toBe(1536);
  });

  it("accepts real-world model and profile names", () => {
    const s = ZClusterSpec.parse({
      hosts: [
        {
          name: "h1",
          cpus: 8,
          memoryGiB: 64,
          gpus: [
            { model: "NVIDIA Tesla M60", vgpu: { profile: "GRID M60-2Q", slots: 4 } },
            { model: "NVIDIA H100 80GB HBM3" },
          ],
        },
      ],
    });
    expect(specGpuTag(s.hosts[0].gpus[0])).toEqual({ type: "vgpu", tag: "NVIDIA Tesla M60/GRID M60-2Q" });
    expect(issues({ hosts: [{ name: "h1", cpus: 8, memoryGiB: 64, gpus: [{ model: "X", vgpu: { profile: "a/b", slots: 1 } }] }] })).toEqual([
      ["hosts.0.gpus.0.vgpu.profile", expect.stringMatching(/no "\/"/)],
    ]);
  });

  it("derives GPU and vGPU tags", () => {
    expect(specGpuTag({ model: "NVIDIA Tesla M60", mode: "graphics" })).toEqual({ type: "gpu", tag: "NVIDIA Tesla M60" });
    expect(specGpuTag({ model: "NVIDIA Tesla M60", mode: "compute" })).toEqual({ type: "gpu", tag: "NVIDIA Tesla M60.compute" });
    expect(specGpuTag({ model: "NVIDIA A100-PCIE-40GB", mode: "compute", vgpu: { profile: "A100-4C" } })).toEqual({
      type: "vgpu",
      tag: "NVIDIA A100-PCIE-40GB.compute/A100-4C",
    });
  });

  const cases: { name: string; input: () => unknown; want: [string, RegExp][] }[] = [
    {
      name: "unknown field on a host",
      input: () => ({ ...base(), hosts: [host("h1", { colour: "red" })] }),
      want: [["hosts.0", /Unrecognized key.*colour/]],
    },
    {
      name: "unknown top-level field",
      input: () => ({ ...base(), extra: 1 }),
      want: [["", /Unrecognized key.*extra/]],
    },
    {
      name: "timings that allow split brain",
      input: () => ({ ...base(), cluster: { timing: { isolationTimeout: 33 } } }),
      want: [["cluster.timing.isolationTimeout", /must be less than .*33/]],
    },
    {
      name: "a VM on an unknown host",
      input: () => ({ ...base(), vms: [{ name: "v1", vcpus: 1, memoryGiB: 1, host: "h9" }] }),
      want: [["vms.0.host", /unknown host "h9"/]],
    },
    {
      name: "a powered-on VM without a host",
      input: () => ({ ...base(), vms: [{ name: "v1", vcpus: 1, memoryGiB: 1, power: "on" }] }),
      want: [["vms.0.host", /needs a host/]],
    },
    {
      name: "both memory units",
      input: () => ({ hosts: [host("h1", { memoryMiB: 1024 })] }),
      want: [["hosts.0.memoryGiB", /exactly one/]],
    },
    {
      name: "a group naming an unknown VM",
      input: () => ({ ...base(), placementGroups: [{ name: "g", type: "vm-vm-anti-affinity", vms: ["nope"] }] }),
      want: [["placementGroups.0.vms.0", /unknown VM "nope"/]],
    },
    {
      name: "a zone group on an unknown zone",
      input: () => ({ ...base(), placementGroups: [{ name: "g", type: "zone", zone: "az-x", vms: [] }] }),
      want: [["placementGroups.0.zone", /unknown zone "az-x"/]],
    },
    {
      name: "an invalid SR-IOV tag on a NIC",
      input: () => ({ hosts: [host("h1", { nics: [{ name: "e0", sriovVfs: 4, tag: "bad tag!" }] })] }),
      want: [["hosts.0.nics.0.tag", /tag name is 1–64/]],
    },
    {
      name: "a tag longer than 64 characters",
      input: () => ({ hosts: [host("h1", { nics: [{ name: "e0", sriovVfs: 4, tag: "x".repeat(65) }] })] }),
      want: [["hosts.0.nics.0.tag", /tag name is 1–64/]],
    },
    {
      name: "duplicate host names",
      input: () => ({ hosts: [host("h1"), host("h1")] }),
      want: [["hosts.1.name", /duplicate host name "h1"/]],
    },
    {
      name: "duplicate GPU ids across hosts",
      input: () => ({ hosts: [host("h1", { gpus: [{ id: "g", model: "NVIDIA L4" }] }), host("h2", { gpus: [{ id: "g", model: "NVIDIA L4" }] })] }),
      want: [["hosts.1.gpus.0.id", /duplicate GPU id "g"/]],
    },
    {
      name: "a named GPU whose tag differs",
      input: () => ({
        hosts: [host("h1", { gpus: [{ id: "h1-gpu0", model: "NVIDIA L4" }] })],
        vms: [{ name: "v", vcpus: 1, memoryGiB: 1, host: "h1", devices: [{ type: "gpu", tag: "NVIDIA Tesla M60", gpu: "h1-gpu0" }] }],
      }),
      want: [["vms.0.devices.0.tag", /tagged "NVIDIA L4"/]],
    },
    {
      name: "a managed network without a CIDR",
      input: () => ({ ...base(), networks: [{ name: "prod", managed: true }] }),
      want: [["networks.0.cidr", /needs a cidr/]],
    },
    {
      name: "a pool outside the CIDR",
      input: () => ({ ...base(), networks: [{ name: "prod", managed: true, cidr: "10.0.0.0/24", pool: ["10.0.0.10", "10.0.1.5"] }] }),
      want: [["networks.0.pool.1", /not in 10.0.0.0\/24/]],
    },
    {
      name: "a VM NIC on an unknown network",
      input: () => ({ ...base(), vms: [{ name: "v", vcpus: 1, memoryGiB: 1, nics: [{ network: "nope" }] }] }),
      want: [["vms.0.nics.0.network", /unknown network "nope"/]],
    },
    {
      name: "a static IP given twice",
      input: () => ({
        ...base(),
        networks: [{ name: "prod", managed: true, cidr: "10.0.0.0/24" }],
        vms: [
          { name: "a", vcpus: 1, memoryGiB: 1, nics: [{ network: "prod", ip: "10.0.0.5" }] },
          { name: "b", vcpus: 1, memoryGiB: 1, nics: [{ network: "prod", ip: "10.0.0.5" }] },
        ],
      }),
      want: [["vms.1.nics.0.ip", /already given to a/]],
    },
    {
      name: "a host outside the VM's host affinity",
      input: () => ({ ...base(), vms: [{ name: "v", vcpus: 1, memoryGiB: 1, host: "h1", hostAffinity: ["h2"] }] }),
      want: [["vms.0.host", /not in the VM's hostAffinity/]],
    },
    {
      name: "a wrong device type",
      input: () => ({ ...base(), vms: [{ name: "v", vcpus: 1, memoryGiB: 1, devices: [{ type: "fpga", tag: "x" }] }] }),
      want: [["vms.0.devices.0.type", /Invalid option/]],
    },
  ];

  for (const c of cases) {
    it(`refuses ${c.name}`, () => {
      const got = issues(c.input());
      expect(got.length).toBeGreaterThan(0);
      for (const [path, re] of c.want) {
        const hit = got.find(([p, m]) => p === path && re.test(m));
        expect(hit, `want ${path} ~ ${re}; got ${JSON.stringify(got)}`).toBeTruthy();
      }
    });
  }
});
