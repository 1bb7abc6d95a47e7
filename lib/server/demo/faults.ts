import "server-only";
// Fault injection into the demo fleet (demo mode only): power loss and return, isolation and
// rejoin, a NIC link down or up, the storage controller down or up, a VM crash. The HA
// controller is told nothing: it finds out from heartbeats, as it would from real hosts.
import { ZDemoFault, type TDemoFaultResult } from "@/lib/schemas/demo";
import { AppError, appErrorFromZod } from "@/lib/server/errors";
import { getDemoFleet, type DemoFleet } from "./fleet";
import { isDemoMode } from "./mode";

/** The running demo fleet; NOT_FOUND when demo mode is off (the fault API does not exist then). */
export function requireDemoFleet(): DemoFleet {
  const f = isDemoMode() ? getDemoFleet() : null;
  if (!f) throw new AppError("NOT_FOUND", "Fault injection exists only in demo mode (HAVEN_DEMO=1) with the simulated fleet running");
  return f;
}

export async function applyDemoFault(input: unknown, fleet: DemoFleet = requireDemoFleet(), now = Date.now()): Promise<TDemoFaultResult> {
  const parsed = ZDemoFault.safeParse(input);
  if (!parsed.success) throw appErrorFromZod(parsed.error, "Invalid fault");
  const f = parsed.data;
  if (f.action === "vm-crash") {
    const vm =
      (await fleet.db.vm.findUnique({ where: { id: f.vm }, select: { id: true, name: true } })) ??
      (await fleet.db.vm.findFirst({ where: { name: f.vm }, select: { id: true, name: true } }));
    if (!vm) throw new AppError("NOT_FOUND", `No VM ${f.vm}`);
    for (const a of fleet.fleet.agents.values()) {
      if (a.crash(vm.id, now, f.localRestartFails)) {
        return { ok: true, action: f.action, host: a.name, vm: vm.name, message: `${vm.name} crashed on ${a.name}${f.localRestartFails ? " (its local restart will fail)" : ""}` };
      }
    }
    throw new AppError("CONFLICT", `${vm.name} is not running on any simulated host`);
  }
  const agent = fleet.agentFor(f.host);
  if (!agent) {
    const retired = fleet.retired.has(fleet.hostNames.get(f.host) ?? f.host);
    throw new AppError("NOT_FOUND", retired ? `Host ${f.host} is driven by a real agent now, not the demo fleet` : `Host ${f.host} has no simulated agent`);
  }
  const done = (message: string): TDemoFaultResult => ({ ok: true, action: f.action, host: agent.name, vm: null, message });
  switch (f.action) {
    case "host-down":
      if (!agent.up) throw new AppError("CONFLICT", `${agent.name} is already powered off`);
      agent.powerLoss(now);
      return done(`${agent.name} lost power: its heartbeats and VMs stopped`);
    case "host-up":
      if (agent.up) throw new AppError("CONFLICT", `${agent.name} is already powered on`);
      agent.powerOn(now);
      return done(`${agent.name} powered on; its agent registers again`);
    case "host-isolate":
      if (agent.isolated) throw new AppError("CONFLICT", `${agent.name} is already cut off`);
      agent.isolate();
      return done(`${agent.name} cannot reach the console; its VMs keep running until the isolation timeout`);
    case "host-rejoin":
      if (!agent.isolated) throw new AppError("CONFLICT", `${agent.name} is not cut off`);
      agent.rejoin();
      return done(`${agent.name} reaches the console again`);
    case "nic-down":
    case "nic-up": {
      if (!agent.nics.has(f.nic)) throw new AppError("NOT_FOUND", `${agent.name} has no NIC ${f.nic}`, { nic: [`not a NIC of ${agent.name}: ${[...agent.nics.keys()].join(", ")}`] });
      agent.nics.set(f.nic, f.action === "nic-up");
      return done(`${agent.name}/${f.nic} link ${f.action === "nic-up" ? "up" : "down"}`);
    }
    case "storage-down":
    case "storage-up":
      agent.storageHealthy = f.action === "storage-up";
      return done(`${agent.name}: storage controller ${f.action === "storage-up" ? "healthy again" : "down"}`);
  }
}

/** What the fault panel shows for a host: whether it is simulated and its current faults. */
export function demoHostStatus(
  hostIdOrName: string,
  fleet: DemoFleet | null = isDemoMode() ? getDemoFleet() : null,
): { simulated: boolean; up: boolean; isolated: boolean; storageHealthy: boolean; nics: { name: string; up: boolean }[] } | null {
  if (!fleet) return null;
  const a = fleet.agentFor(hostIdOrName);
  if (!a) return { simulated: false, up: false, isolated: false, storageHealthy: true, nics: [] };
  return { simulated: true, up: a.up, isolated: a.isolated, storageHealthy: a.storageHealthy, nics: [...a.nics].map(([name, up]) => ({ name, up })) };
}

/** Whether the demo fleet runs the VM somewhere (the VM page's fault panel). Null outside demo mode. */
export function demoVmRunning(vmId: string, fleet: DemoFleet | null = isDemoMode() ? getDemoFleet() : null): boolean | null {
  if (!fleet) return null;
  return fleet.fleet.hostsRunning(vmId).length > 0;
}
