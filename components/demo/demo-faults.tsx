import "server-only";
// The fault panel where a page wants it — only in demo mode, and only for what the simulated
// fleet drives. `<DemoFaults hostId=… />` on a host page, `<DemoFaults vmId=… />` on a VM page.
import { demoHostStatus } from "@/lib/server/demo/faults";
import { getDemoFleet } from "@/lib/server/demo/fleet";
import { isDemoMode } from "@/lib/server/demo/mode";
import { FaultPanel } from "./fault-panel";

export { isDemoMode };

export function DemoFaults({ hostId, vmId }: { hostId?: string; vmId?: string }) {
  if (!isDemoMode()) return null;
  const fleet = getDemoFleet();
  if (!fleet) return null;
  if (hostId) {
    const s = demoHostStatus(hostId);
    if (!s?.simulated) return null;
    return <FaultPanel host={{ id: hostId, up: s.up, isolated: s.isolated, storageHealthy: s.storageHealthy, nics: s.nics }} />;
  }
  if (vmId) return <FaultPanel vm={{ id: vmId, running: fleet.fleet.hostsRunning(vmId).length > 0 }} />;
  return null;
}
