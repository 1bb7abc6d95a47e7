// The demo cluster (npm run seed) and the large synthetic cluster (npm run seed:large, bench)
// as cluster specs. Pure data: no I/O, importable by the seed, tests and benchmarks.
import type { TClusterSpecInput } from "@/lib/schemas/cluster-spec";

type HostIn = TClusterSpecInput["hosts"][number];
type VmIn = NonNullable<TClusterSpecInput["vms"]>[number];
type NicIn = NonNullable<HostIn["nics"]>[number];

export const M60 = "NVIDIA Tesla M60";
export const A100 = "NVIDIA A100-PCIE-40GB";
export const L4 = "NVIDIA L4";

const storageBond: NicIn[] = [
  { name: "ens2f0", role: "storage", bond: "stor0" },
  { name: "ens2f1", role: "storage", bond: "stor0" },
];
const mgmt: NicIn = { name: "eno1", role: "management" };

function host(name: string, zone: string, cpus: number, memoryGiB: number, extra: Partial<HostIn> = {}): HostIn {
  const { nics = [], ...rest } = extra;
  return { name, zone, cpus, memoryGiB, ...rest, nics: [mgmt, ...nics, ...storageBond] };
}

type VmOpts = Partial<VmIn> & { net?: string[]; disk?: number[] };
function vm(name: string, hostName: string | null, vcpus: number, memoryGiB: number, o: VmOpts = {}): VmIn {
  const { net = ["prod"], disk = [40], ...rest } = o;
  return {
    name,
    vcpus,
    memoryGiB,
    ...(hostName ? { host: hostName, power: "on" as const } : { power: "off" as const }),
    haPriority: "medium",
    nics: net.map((network) => ({ network })),
    disks: disk.map((sizeGiB) => ({ sizeGiB })),
    ...rest,
  };
}

/** The live demo: 2 zones, 10 hosts, three GPU models, SR-IOV tags, 59 VMs (19 with devices). */
export function demoClusterSpec(): TClusterSpecInput {
  const hosts: HostIn[] = [
    host("kvm-a01", "az-a", 64, 512, {
      gpus: [
        { id: "kvm-a01-gpu0", model: M60 },
        { id: "kvm-a01-gpu1", model: M60 },
        { id: "kvm-a01-gpu2", model: M60, vgpu: { profile: "M60-2Q", slots: 4 } },
      ],
      nics: [{ name: "ens1f0", role: "vm", sriovVfs: 16, tag: "trading-a" }],
    }),
    host("kvm-a02", "az-a", 96, 1024, {
      gpus: [
        { id: "kvm-a02-gpu0", model: A100, vgpu: { profile: "A100-4C", slots: 10 } },
        { id: "kvm-a02-gpu1", model: A100, mode: "compute" },
      ],
      nics: [{ name: "ens1f0", role: "vm", sriovVfs: 8, tag: "storage-fast" }],
    }),
    host("kvm-a03", "az-a", 48, 384, {
      gpus: [
        { id: "kvm-a03-gpu0", model: L4, vgpu: { profile: "L4-4Q", slots: 6 } },
        { id: "kvm-a03-gpu1", model: L4 },
      ],
      nics: [{ name: "ens1f0", role: "vm", sriovVfs: 8, tag: "trading-b" }],
    }),
    host("kvm-a04", "az-a", 48, 384, {
      nics: [
        { name: "ens1f0", role: "vm", sriovVfs: 16, tag: "trading-a" },
        { name: "ens1f1", role: "vm", sriovVfs: 8, tag: "trading-b" },
      ],
    }),
    host("kvm-a05", "az-a", 32, 256, { nics: [{ name: "ens1f0", role: "vm", sriovVfs: 8, tag: "storage-fast" }] }),
    host("kvm-b01", "az-b", 64, 512, {
      gpus: [
        { id: "kvm-b01-gpu0", model: M60 },
        { id: "kvm-b01-gpu1", model: M60, vgpu: { profile: "M60-2Q", slots: 4 } },
        { id: "kvm-b01-gpu2", model: L4, vgpu: { profile: "L4-2Q", slots: 12 } },
      ],
      nics: [{ name: "ens1f0", role: "vm", sriovVfs: 16, tag: "trading-a" }],
    }),
    host("kvm-b02", "az-b", 96, 1024, {
      gpus: [
        { id: "kvm-b02-gpu0", model: A100, vgpu: { profile: "A100-4C", slots: 10 } },
        { id: "kvm-b02-gpu1", model: A100, vgpu: { profile: "A100-8C", slots: 5 } },
      ],
      nics: [{ name: "ens1f0", role: "vm", sriovVfs: 8, tag: "storage-fast" }],
    }),
    host("kvm-b03", "az-b", 48, 384, {
      gpus: [{ id: "kvm-b03-gpu0", model: L4, vgpu: { profile: "L4-4Q", slots: 6 } }],
      nics: [
        { name: "ens1f0", role: "vm", sriovVfs: 8, tag: "trading-a" },
        { name: "ens1f1", role: "vm", sriovVfs: 8, tag: "trading-b" },
      ],
    }),
    host("kvm-b04", "az-b", 32, 256),
    // A compute-only node: its VMs' disk sessions go to a remote storage controller.
    host("kvm-b05", "az-b", 32, 256, { storageController: false }),
  ];

  const dev = (type: "gpu" | "vgpu" | "sriov", tag: string, count = 1, gpu?: string) => ({ type, tag, count, ...(gpu ? { gpu } : {}) });
  const vms: VmIn[] = [
    // GPU, vGPU and SR-IOV VMs
    vm("render-01", "kvm-a01", 8, 64, { haPriority: "high", devices: [dev("gpu", M60)], hostAffinity: ["kvm-a01", "kvm-b01"], disk: [80, 500] }),
    // names its GPU exactly: it can only run where that GPU is (not HA-eligible)
    vm("render-02", "kvm-a01", 8, 64, { haPriority: "low", devices: [dev("gpu", M60, 1, "kvm-a01-gpu1")], disk: [80, 500] }),
    vm("vdi-01", "kvm-a01", 4, 16, { devices: [dev("vgpu", `${M60}/M60-2Q`)] }),
    vm("vdi-02", "kvm-a01", 4, 16, { haPriority: "low", devices: [dev("vgpu", `${M60}/M60-2Q`)] }),
    vm("vdi-03", "kvm-b01", 4, 16, { haPriority: "low", devices: [dev("vgpu", `${M60}/M60-2Q`)] }),
    vm("trade-md-01", "kvm-a01", 4, 16, { devices: [dev("sriov", "trading-a")] }),
    vm("ml-train-01", "kvm-a02", 32, 256, { haPriority: "high", devices: [dev("gpu", `${A100}.compute`)], net: ["prod", "backend"], disk: [100, 2000] }),
    vm("ml-infer-01", "kvm-a02", 8, 64, { haPriority: "high", devices: [dev("vgpu", `${A100}/A100-4C`)] }),
    vm("ml-infer-02", "kvm-a02", 8, 64, { devices: [dev("vgpu", `${A100}/A100-4C`)] }),
    vm("ml-infer-03", "kvm-b02", 8, 64, { devices: [dev("vgpu", `${A100}/A100-4C`)] }),
    vm("ml-batch-01", "kvm-b02", 16, 128, { haPriority: "low", devices: [dev("vgpu", `${A100}/A100-8C`, 2)], disk: [100, 1000] }),
    vm("ceph-gw-01", "kvm-a02", 4, 16, { haPriority: "high", devices: [dev("sriov", "storage-fast")], net: ["prod", "backend"] }),
    vm("ceph-gw-02", "kvm-b02", 4, 16, { haPriority: "high", devices: [dev("sriov", "storage-fast")], net: ["prod", "backend"] }),
    vm("trade-gw-01", "kvm-a04", 4, 16, { haPriority: "high", devices: [dev("sriov", "trading-a", 2)] }),
    vm("trade-gw-02", "kvm-b03", 4, 16, { haPriority: "high", devices: [dev("sriov", "trading-a", 2)] }),
    vm("trade-risk-01", "kvm-a04", 8, 32, { haPriority: "high", devices: [dev("sriov", "trading-b")], net: ["prod", "backend"] }),
    vm("cad-ws-01", "kvm-a03", 4, 32, { devices: [dev("vgpu", `${L4}/L4-4Q`)] }),
    vm("cad-ws-02", "kvm-b03", 4, 32, { devices: [dev("vgpu", `${L4}/L4-4Q`)] }),
    vm("video-enc-01", "kvm-a03", 8, 32, { devices: [dev("gpu", L4)], disk: [40, 200] }),
    // Standard VMs
    vm("web-01", "kvm-a04", 2, 4, { haPriority: "high" }),
    vm("web-02", "kvm-a05", 2, 4, { haPriority: "high" }),
    vm("web-03", "kvm-b04", 2, 4, { haPriority: "high" }),
    vm("web-04", "kvm-b05", 2, 4, { haPriority: "high" }),
    vm("web-05", "kvm-a03", 2, 4),
    vm("web-06", "kvm-b03", 2, 4),
    vm("api-01", "kvm-a05", 4, 8, { haPriority: "high", net: ["prod", "backend"] }),
    vm("api-02", "kvm-b04", 4, 8, { haPriority: "high", net: ["prod", "backend"] }),
    vm("api-03", "kvm-a04", 4, 8, { net: ["prod", "backend"] }),
    vm("api-04", "kvm-b05", 4, 8, { net: ["prod", "backend"] }),
    vm("db-pg-01", "kvm-a04", 8, 64, { haPriority: "high", net: ["backend"], disk: [40, 500] }),
    vm("db-pg-02", "kvm-b04", 8, 64, { haPriority: "high", net: ["backend"], disk: [40, 500] }),
    vm("db-pg-03", "kvm-a05", 8, 64, { haPriority: "high", net: ["backend"], disk: [40, 500] }),
    vm("redis-01", "kvm-a05", 2, 8, { net: ["backend"] }),
    vm("redis-02", "kvm-b05", 2, 8, { net: ["backend"] }),
    vm("kafka-01", "kvm-a03", 4, 16, { net: ["backend"], disk: [40, 250] }),
    vm("kafka-02", "kvm-b03", 4, 16, { net: ["backend"], disk: [40, 250] }),
    vm("kafka-03", "kvm-b04", 4, 16, { net: ["backend"], disk: [40, 250] }),
    vm("ci-runner-01", "kvm-b05", 8, 16, { haPriority: "low", disk: [120] }),
    vm("ci-runner-02", "kvm-b05", 8, 16, { haPriority: "low", disk: [120] }),
    vm("ci-runner-03", "kvm-a05", 8, 16, { haPriority: "low", disk: [120] }),
    vm("ci-runner-04", "kvm-b04", 8, 16, { haPriority: "low", disk: [120] }),
    vm("monitor-01", "kvm-a04", 4, 16, { net: ["prod", "backend"], disk: [40, 200] }),
    vm("monitor-02", "kvm-b01", 4, 16, { net: ["prod", "backend"], disk: [40, 200] }),
    vm("log-01", "kvm-b04", 4, 32, { net: ["backend"], disk: [40, 1000] }),
    vm("bastion-01", "kvm-a05", 1, 2, { haPriority: "high", disk: [20] }),
    vm("dns-01", "kvm-a04", 1, 2, { haPriority: "high", disk: [20] }),
    vm("dns-02", "kvm-b04", 1, 2, { haPriority: "high", disk: [20] }),
    vm("git-01", "kvm-a03", 4, 16, { disk: [40, 300] }),
    vm("jenkins-01", "kvm-b03", 4, 16, { haPriority: "low", disk: [40, 200] }),
    vm("ldap-01", "kvm-a05", 2, 4, { haPriority: "high", net: ["backend"] }),
    vm("mail-01", "kvm-b05", 2, 8),
    vm("batch-etl-01", "kvm-b02", 8, 32, { haPriority: "low", net: ["backend"] }),
    vm("batch-etl-02", "kvm-a02", 8, 32, { haPriority: "off", net: ["backend"] }),
    vm("scratch-01", "kvm-b05", 2, 4, { haPriority: "off", net: ["lab"] }),
    // Powered off
    vm("lab-01", null, 2, 4, { haPriority: "off", net: ["lab"] }),
    vm("lab-02", null, 2, 4, { haPriority: "off", net: ["lab"] }),
    vm("lab-03", null, 2, 4, { haPriority: "low", net: ["lab"] }),
    vm("ml-train-02", null, 32, 256, { haPriority: "medium", devices: [dev("gpu", `${A100}.compute`)], disk: [100, 2000] }),
    vm("render-03", null, 8, 64, { devices: [dev("gpu", M60)], disk: [80, 500] }),
    vm("old-web-01", null, 2, 4, { haPriority: "low" }),
  ];

  return {
    cluster: { haMode: "default", faultTolerance: 1, reservation: "host" },
    zones: [
      { name: "az-a", role: "primary" },
      { name: "az-b", role: "secondary" },
    ],
    hosts,
    networks: [
      {
        name: "prod",
        vlan: 100,
        managed: true,
        cidr: "10.20.0.0/24",
        gateway: "10.20.0.1",
        dns: ["10.20.0.2", "10.20.0.3"],
        pool: ["10.20.0.10", "10.20.0.250"],
      },
      { name: "backend", vlan: 110, managed: true, cidr: "10.30.0.0/24", gateway: "10.30.0.1", pool: ["10.30.0.20", "10.30.0.240"] },
      { name: "lab", vlan: 200, managed: false },
    ],
    placementGroups: [
      { name: "db-pg-apart", type: "vm-vm-anti-affinity", enforcement: "must", vms: ["db-pg-01", "db-pg-02", "db-pg-03"] },
      { name: "dns-apart", type: "vm-vm-anti-affinity", enforcement: "must", vms: ["dns-01", "dns-02"] },
      { name: "kafka-spread", type: "vm-vm-anti-affinity", enforcement: "should", vms: ["kafka-01", "kafka-02", "kafka-03"] },
      {
        name: "trading-hosts",
        type: "vm-host",
        enforcement: "must",
        vms: ["trade-gw-01", "trade-gw-02", "trade-md-01", "trade-risk-01"],
        hosts: ["kvm-a01", "kvm-a04", "kvm-b01", "kvm-b03"],
      },
      { name: "web-near-api", type: "vm-vm-affinity", enforcement: "should", vms: ["web-01", "api-03"] },
      { name: "ci-in-az-b", type: "zone", zone: "az-b", enforcement: "should", vms: ["ci-runner-01", "ci-runner-02", "ci-runner-04"] },
    ],
    vms,
  };
}

/** Management addresses of the demo hosts (the spec format has none). */
export function demoHostAddresses(): Record<string, string> {
  const out: Record<string, string> = {};
  ["a01", "a02", "a03", "a04", "a05"].forEach((s, i) => (out[`kvm-${s}`] = `10.0.1.${11 + i}`));
  ["b01", "b02", "b03", "b04", "b05"].forEach((s, i) => (out[`kvm-${s}`] = `10.0.2.${11 + i}`));
  return out;
}

/**
 * A large synthetic cluster: `hosts` hosts in two zones (64 CPUs, 512 GiB each), every 10th
 * with two M60s and an A100 partitioned A100-4C × 10, every 4th with a trading-a NIC (16 VFs);
 * `vms` VMs round-robin over the hosts (about 5% off), device VMs on the GPU and trading hosts.
 */
export function largeClusterSpec(opts: { hosts?: number; vms?: number } = {}): TClusterSpecInput {
  const nHosts = opts.hosts ?? 1000;
  const nVms = opts.vms ?? 20000;
  const pad = (n: number, w: number) => String(n).padStart(w, "0");
  const hostName = (i: number) => `node-${pad(i + 1, 4)}`;
  const hosts: HostIn[] = [];
  for (let i = 0; i < nHosts; i++) {
    const gpuHost = i % 10 === 0;
    const tradingHost = i % 4 === 0;
    hosts.push(
      host(hostName(i), i % 2 === 0 ? "az-a" : "az-b", 64, 512, {
        gpus: gpuHost
          ? [
              { id: `${hostName(i)}-gpu0`, model: M60 },
              { id: `${hostName(i)}-gpu1`, model: M60 },
              { id: `${hostName(i)}-gpu2`, model: A100, vgpu: { profile: "A100-4C", slots: 10 } },
            ]
          : [],
        nics: tradingHost ? [{ name: "ens1f0", role: "vm", sriovVfs: 16, tag: "trading-a" }] : [],
      }),
    );
  }
  const prios = ["high", "medium", "medium", "low", "off"] as const;
  const vms: VmIn[] = [];
  const onHost = new Array<number>(nHosts).fill(0);
  for (let i = 0; i < nVms; i++) {
    const h = i % nHosts;
    const off = i % 20 === 19;
    const k = onHost[h]++;
    const devices: VmIn["devices"] = [];
    if (!off && h % 10 === 0 && k < 2) devices.push({ type: "gpu", tag: M60, count: 1 });
    else if (!off && h % 10 === 0 && k < 5) devices.push({ type: "vgpu", tag: `${A100}/A100-4C`, count: 1 });
    else if (!off && h % 4 === 0 && k === 5) devices.push({ type: "sriov", tag: "trading-a", count: 1 });
    vms.push({
      name: `vm-${pad(i + 1, 5)}`,
      vcpus: devices.length ? 4 : 2,
      memoryGiB: devices.length ? 16 : 8,
      ...(off ? { power: "off" as const } : { host: hostName(h), power: "on" as const }),
      haPriority: prios[i % prios.length],
      devices,
      nics: [{ network: "prod" }],
      disks: [{ sizeGiB: 40 }],
    });
  }
  const groups: NonNullable<TClusterSpecInput["placementGroups"]> = [];
  for (let g = 0; g < Math.min(50, Math.floor(nVms / 100)); g++) {
    groups.push({
      name: `apart-${pad(g + 1, 2)}`,
      type: "vm-vm-anti-affinity",
      enforcement: "must",
      vms: [0, 1, 2].map((j) => `vm-${pad(g * 100 + j + 1, 5)}`),
    });
  }
  return {
    cluster: { haMode: "default", faultTolerance: 1, reservation: "host" },
    zones: [
      { name: "az-a", role: "primary" },
      { name: "az-b", role: "secondary" },
    ],
    hosts,
    networks: [
      { name: "prod", vlan: 100, managed: true, cidr: "10.64.0.0/16", gateway: "10.64.0.1", pool: ["10.64.0.10", "10.64.255.250"] },
      { name: "lab", vlan: 200, managed: false },
    ],
    placementGroups: groups,
    vms,
  };
}
