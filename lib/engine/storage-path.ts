// Storage path: per VM disk, one session (1 vCPU) or two (≥ 2 vCPUs) to the local storage
// controller when it is present and healthy, else to a healthy remote one (fewest sessions,
// then host name). Sessions fail back when the local controller returns (the plan is a function
// of the current state, so a new plan puts them back).
import type { ClusterSnapshot, SnapshotHost, StorageSessionPlan } from "./types";
import { compareStr } from "./tags";

export function sessionsPerDisk(vcpus: number): 1 | 2 {
  return vcpus >= 2 ? 2 : 1;
}

function controllerUp(h: SnapshotHost): boolean {
  return h.storageControllerPresent && h.storageControllerHealthy && h.state !== "failed" && h.state !== "unreachable" && h.state !== "isolated";
}

export function planStorageSessions(snapshot: ClusterSnapshot): StorageSessionPlan[] {
  const hosts = new Map(snapshot.hosts.map((h) => [h.id, h]));
  const remotes = snapshot.hosts.filter(controllerUp).sort((a, b) => compareStr(a.name, b.name) || compareStr(a.id, b.id));
  const load = new Map<string, number>(remotes.map((h) => [h.id, 0]));
  const vms = snapshot.vms.filter((vm) => vm.hostId).sort((a, b) => compareStr(a.name, b.name) || compareStr(a.id, b.id));
  const out: StorageSessionPlan[] = [];
  // Local sessions first count towards each controller's load, so redirected ones spread fairly.
  for (const vm of vms) {
    const h = hosts.get(vm.hostId!);
    if (h && controllerUp(h)) load.set(h.id, (load.get(h.id) ?? 0) + vm.disks.length * sessionsPerDisk(vm.vcpus));
  }
  for (const vm of vms) {
    const h = hosts.get(vm.hostId!);
    const localOk = !!h && controllerUp(h);
    const disks = [...vm.disks].sort((a, b) => a.index - b.index);
    const n = sessionsPerDisk(vm.vcpus);
    for (const d of disks) {
      for (let s = 0; s < n; s++) {
        if (localOk) {
          out.push({ vmId: vm.id, diskIndex: d.index, session: s, controllerHostId: h!.id, redirected: false });
          continue;
        }
        let best: SnapshotHost | null = null;
        for (const r of remotes) {
          if (r.id === vm.hostId) continue;
          if (!best || load.get(r.id)! < load.get(best.id)!) best = r;
        }
        const why = !h
          ? "the VM's host is unknown"
          : !h.storageControllerPresent
            ? `${h.name} has no storage controller`
            : !h.storageControllerHealthy
              ? `the storage controller on ${h.name} is down`
              : `${h.name} is ${h.state}`;
        if (best) {
          load.set(best.id, load.get(best.id)! + 1);
          out.push({ vmId: vm.id, diskIndex: d.index, session: s, controllerHostId: best.id, redirected: true, reason: `${why}; redirected to ${best.name}` });
        } else {
          out.push({
            vmId: vm.id,
            diskIndex: d.index,
            session: s,
            controllerHostId: vm.hostId!,
            redirected: false,
            unavailable: true,
            reason: `${why} and no healthy storage controller is left`,
          });
        }
      }
    }
  }
  return out;
}
