// Deterministic generator of realistic clusters for benchmarks and property tests.
// The seeded PRNG lives here (bench/), never in the engine.
import type { ClusterSnapshot, HaPriority } from "../lib/engine/types";
import { snapshotFromSpec, type ClusterSpec, type SpecHost, type SpecVm, type SpecGroup } from "../lib/engine/testkit";
import { buildCapacity } from "../lib/engine/capacity";

/** mulberry32: small, fast, seeded. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)];
}

export const A100 = "NVIDIA A100-PCIE-40GB";
export const M60 = "NVIDIA Tesla M60";
export const L40 = "NVIDIA L40S";
export const VGPU_A100_4C = `${A100}.compute/A100-4C`;
export const VGPU_M60_2Q = `${M60}/M60-2Q`;
export const GPU_L40 = L40;
export const GPU_A100_COMPUTE = `${A100}.compute`;

export interface ClusterGenOptions {
  seed: number;
  hosts: number;
  /** VMs to generate (placed while they fit; the rest stay off). */
  vms: number;
  /** Shares of host kinds (rest: standard). Defaults 0.1 / 0.1 / 0.1. */
  passthroughShare?: number;
  vgpuShare?: number;
  sriovShare?: number;
  /** Share of VMs with device requests among those placed on device hosts. Default 0.6. */
  deviceVmShare?: number;
  /** Add placement groups (anti-affinity pairs, vm-host should rules). Default true. */
  groups?: boolean;
  /** Also generate this many powered-off VMs (placement benchmarks). */
  offVms?: number;
  policy?: ClusterSpec["policy"];
  /** Host size. Default 128 vCPU / 1 TiB. */
  hostCpus?: number;
  hostMemGiB?: number;
  /** Give the first host 4× capacity and this many of the VMs (failover benchmark: one host of 50 VMs). */
  hotHostVms?: number;
  /** vGPU GPUs per vGPU host. Default 4. */
  vgpuGpusPerHost?: number;
}

type Kind = "std" | "gpu" | "vgpu" | "sriov";

/** A realistic cluster: mostly standard hosts, some passthrough-GPU, vGPU and SR-IOV hosts, ~20 VMs per host. */
export function generateCluster(o: ClusterGenOptions): ClusterSnapshot {
  const rnd = prng(o.seed);
  const hosts: SpecHost[] = [];
  const kinds: Kind[] = [];
  const pt = o.passthroughShare ?? 0.1;
  const vg = o.vgpuShare ?? 0.1;
  const sr = o.sriovShare ?? 0.1;
  const pad = String(o.hosts).length;
  for (let i = 0; i < o.hosts; i++) {
    const name = `h${String(i + 1).padStart(pad, "0")}`;
    const zone = i % 2 === 0 ? "az-a" : "az-b";
    const r = (i * 0.618034) % 1; // even spread of kinds, deterministic
    const kind: Kind = i === 0 && o.hotHostVms ? "std" : r < pt ? "gpu" : r < pt + vg ? "vgpu" : r < pt + vg + sr ? "sriov" : "std";
    kinds.push(kind);
    const big = i === 0 && o.hotHostVms ? 4 : 1;
    const h: SpecHost = { name, zone, cpus: (o.hostCpus ?? 128) * big, memoryGiB: (o.hostMemGiB ?? 1024) * big, nics: [{ name: "ens0", role: "storage", bond: "stor0" }] };
    if (kind === "gpu") {
      const model = rnd() < 0.5 ? L40 : A100;
      h.gpus = Array.from({ length: 4 }, () => ({ model, mode: model === A100 ? ("compute" as const) : ("graphics" as const) }));
    } else if (kind === "vgpu") {
      const a = rnd() < 0.6;
      h.gpus = Array.from({ length: o.vgpuGpusPerHost ?? 4 }, () =>
        a ? { model: A100, mode: "compute" as const, vgpu: { profile: "A100-4C", slots: 10 } } : { model: M60, mode: "graphics" as const, vgpu: { profile: "M60-2Q", slots: 8 } },
      );
    } else if (kind === "sriov") {
      h.nics!.push({ name: "ens1f0", role: "vm", sriovVfs: 32, tag: rnd() < 0.5 ? "trading-a" : "trading-b" });
    }
    hosts.push(h);
  }
  const prio: HaPriority[] = ["high", "medium", "medium", "medium", "low", "low", "off"];
  const sizes = [
    [2, 8],
    [2, 4],
    [4, 16],
    [4, 8],
    [4, 32],
    [8, 32],
    [8, 64],
    [1, 2],
  ] as const;
  const vms: SpecVm[] = [];
  const devShare = o.deviceVmShare ?? 0.6;
  const vpad = String(o.vms + (o.offVms ?? 0)).length;
  const genVm = (i: number, host: number | null): SpecVm => {
    const [vcpus, mem] = pick(rnd, sizes);
    const vm: SpecVm = { name: `vm${String(i + 1).padStart(vpad, "0")}`, vcpus, memoryGiB: mem, haPriority: pick(rnd, prio), disks: [40] };
    const kind: Kind = host === null ? pick(rnd, ["std", "std", "std", "std", "std", "std", "gpu", "vgpu", "sriov"] as Kind[]) : kinds[host];
    // Device VMs at a rate that keeps device hosts about 70% used (4 GPUs, 32–40 vGPU slots, 32 VFs per host).
    const share = kind === "gpu" ? devShare * 0.25 : devShare;
    if (kind !== "std" && rnd() < share) {
      if (kind === "gpu") {
        const model = host === null ? pick(rnd, [GPU_L40, GPU_A100_COMPUTE]) : hosts[host].gpus![0].model === L40 ? GPU_L40 : GPU_A100_COMPUTE;
        vm.devices = [{ type: "gpu", tag: model, count: rnd() < 0.8 ? 1 : 2 }];
      } else if (kind === "vgpu") {
        const tag = host === null ? pick(rnd, [VGPU_A100_4C, VGPU_M60_2Q]) : hosts[host].gpus![0].model === A100 ? VGPU_A100_4C : VGPU_M60_2Q;
        vm.devices = [{ type: "vgpu", tag, count: rnd() < 0.85 ? 1 : 2 }];
      } else {
        const tag = host === null ? pick(rnd, ["trading-a", "trading-b"]) : hosts[host].nics!.find((n) => n.tag)!.tag!;
        vm.devices = [{ type: "sriov", tag, count: rnd() < 0.7 ? 1 : 2 }];
      }
    }
    return vm;
  };
  const hot = o.hotHostVms ?? 0;
  const hostOf = (i: number) => (i < hot ? 0 : hot ? 1 + ((i - hot) % (o.hosts - 1)) : i % o.hosts);
  for (let i = 0; i < o.vms; i++) vms.push(genVm(i, hostOf(i)));
  const groups: SpecGroup[] = [];
  if (o.groups ?? true) {
    for (let g = hot; g + 1 < o.vms && groups.length < Math.floor(o.vms / 50); g += 50) {
      groups.push({ name: `apart-${groups.length + 1}`, type: "vm-vm-anti-affinity", enforcement: "must", vms: [vms[g].name, vms[g + 1].name] });
    }
    for (let g = hot + 25; g < o.vms && groups.length < Math.floor(o.vms / 25); g += 100) {
      const hs = [hosts[(g * 7) % o.hosts].name, hosts[(g * 7 + 1) % o.hosts].name, hosts[(g * 7 + 2) % o.hosts].name];
      groups.push({ name: `pref-${groups.length + 1}`, type: "vm-host", enforcement: "should", vms: [vms[g].name], hosts: hs });
    }
  }
  const offStart = vms.length;
  for (let i = 0; i < (o.offVms ?? 0); i++) vms.push(genVm(offStart + i, null));

  // Place the running VMs where they were generated, while they fit (the rest are off).
  const spec: ClusterSpec = { policy: o.policy, zones: [{ name: "az-a", role: "primary" }, { name: "az-b", role: "secondary" }], hosts, vms, groups };
  const bare = snapshotFromSpec({ ...spec, vms: vms.map((v) => ({ ...v, host: undefined })) });
  const cap = buildCapacity(bare);
  const byId = new Map(bare.vms.map((v) => [v.id, v]));
  for (let i = 0; i < o.vms; i++) {
    const v = vms[i];
    const out = cap.place(v.name, { onlyHostIds: [hosts[hostOf(i)].name], purpose: "ha", ignoreReserve: true, explain: false });
    if (out.kind !== "placed") continue;
    cap.commit(out);
    const sv = byId.get(v.name)!;
    sv.hostId = out.hostId;
    sv.power = "running";
    sv.allocations = out.allocations;
  }
  return bare;
}

