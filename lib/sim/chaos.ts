// A seeded random scenario: host, NIC, storage and VM faults on a large simulated cluster, every
// fault repaired well before the end (used by the chaos test and `npm run sim`).
import type { TScenarioInput } from "@/lib/schemas/scenario";

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ChaosOptions {
  haMode?: "default" | "guarantee" | "disabled";
  /** Share of VMs that opt out of the isolation response (keepRunningWhenIsolated). */
  optOut?: number;
  /** Admin power-ons of random VMs while faults are open (VMs on silent hosts included). */
  powerOns?: boolean;
  /** Some host-down / host-isolate faults are followed by an admin's host-confirm-off. */
  confirmOff?: boolean;
}

export function chaosScenario(seed: number, hostsN = 50, vmsN = 150, runUntil = 10_000, o: ChaosOptions = {}): TScenarioInput {
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const hosts = Array.from({ length: hostsN }, (_, i) => {
    const name = `h${String(i + 1).padStart(2, "0")}`;
    return {
      name,
      cpus: 48,
      memoryGiB: 192,
      gpus: i % 5 === 0 ? [{ id: `${name}-gpu0`, model: "NVIDIA A100-PCIE-40GB", mode: "compute" as const, vgpu: { profile: "A100-4C", slots: 8 } }] : [],
      nics: [
        { name: "ens1f0", role: "vm" as const, sriovVfs: 8, tag: "net-a" },
        { name: "ens2f0", role: "storage" as const, bond: "stor0" },
        { name: "ens2f1", role: "storage" as const, bond: "stor0" },
      ],
    };
  });
  const gpuHosts = hosts.filter((h) => h.gpus.length).map((h) => h.name);
  const prios = ["high", "medium", "medium", "low", "low", "off"] as const;
  const vms = Array.from({ length: vmsN }, (_, i) => {
    const kind = i % 10 < 2 ? "sriov" : i % 10 === 2 ? "vgpu" : "std";
    const host = kind === "vgpu" ? gpuHosts[Math.floor(i / 10) % gpuHosts.length] : hosts[i % hostsN].name;
    return {
      name: `vm${String(i).padStart(3, "0")}`,
      vcpus: pick([1, 2, 4]),
      memoryGiB: pick([2, 4, 8]),
      host,
      haPriority: pick([...prios]),
      ...(o.optOut && r() < o.optOut ? { keepRunningWhenIsolated: true } : {}),
      devices:
        kind === "sriov"
          ? [{ type: "sriov" as const, tag: "net-a", count: 1 }]
          : kind === "vgpu"
            ? [{ type: "vgpu" as const, tag: "NVIDIA A100-PCIE-40GB.compute/A100-4C", count: 1 }]
            : [],
      nics: [{ network: "prod" }],
      disks: [{ sizeGiB: 20 }],
    };
  });
  const events: TScenarioInput["events"] = [];
  const lastRepair = runUntil - 1500;
  for (let t = 100; t < lastRepair - 700; t += int(60, 160)) {
    const h = pick(hosts).name;
    const kind = int(0, 9);
    const back = Math.min(lastRepair, t + int(40, 600));
    if (kind <= 2) {
      events.push({ at: t, do: "host-down", host: h }, { at: back, do: "host-up", host: h });
      if (o.confirmOff && r() < 0.3) events.push({ at: t + int(5, 60), do: "host-confirm-off", host: h });
    } else if (kind === 3) {
      const rejoin = Math.min(lastRepair, t + int(10, 200));
      events.push({ at: t, do: "host-isolate", host: h }, { at: rejoin, do: "host-rejoin", host: h });
      // Confirmed off: the host loses power then, so it must be powered on again to come back.
      if (o.confirmOff && r() < 0.3) events.push({ at: t + int(5, 60), do: "host-confirm-off", host: h }, { at: rejoin + 1, do: "host-up", host: h });
    }
    else if (kind === 4) events.push({ at: t, do: "nic-down", host: h, nic: "ens2f0" }, { at: back, do: "nic-up", host: h, nic: "ens2f0" });
    else if (kind === 5)
      events.push(
        { at: t, do: "nic-down", host: h, nic: "ens2f0" },
        { at: t + 1, do: "nic-down", host: h, nic: "ens2f1" },
        { at: Math.min(lastRepair, t + int(5, 120)), do: "nic-up", host: h, nic: "ens2f1" },
        { at: Math.min(lastRepair, t + int(5, 120)), do: "nic-up", host: h, nic: "ens2f0" },
      );
    else if (kind === 6) events.push({ at: t, do: "storage-down", host: h }, { at: back, do: "storage-up", host: h });
    else if (kind === 7) events.push({ at: t, do: "start-fails", host: h, times: int(1, 2) });
    else events.push({ at: t, do: "vm-crash", vm: pick(vms).name, localRestartFails: r() < 0.3 });
    if (o.powerOns) for (let k = 0; k < 3; k++) events.push({ at: t + int(1, 120), do: "vm-power-on", vm: pick(vms).name });
  }
  // After the last repair every VM is asked to run (a VM left stopped by a failure, a non-HA one).
  if (o.powerOns) for (const v of vms) events.push({ at: lastRepair + 200, do: "vm-power-on", vm: v.name });
  return {
    name: `chaos-${seed}`,
    description: "random faults",
    ...(o.haMode ? { cluster: { haMode: o.haMode } } : {}),
    hosts,
    networks: [{ name: "prod", managed: true, cidr: "10.64.0.0/22", gateway: "10.64.0.1" }],
    vms,
    events,
    runUntil,
  };
}

