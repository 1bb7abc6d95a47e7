import "server-only";
// The fault panel where a page wants it — only in demo mode, and only for what the simulated
// fleet drives (asked of the HA controller's process, where the fleet runs; nothing is shown
// when it does not answer within a second). `<DemoFaults hostId=… />` on a host page,
// `<DemoFaults vmId=… />` on a VM page.
import { controlWithin } from "@/lib/server/control/client";
import { FaultPanel } from "@/components/demo/fault-panel";

export async function DemoFaults({ hostId, vmId }: { hostId?: string; vmId?: string }) {
  if (hostId) {
    const s = await controlWithin("demoHostStatus", 1000, hostId).catch(() => null);
    if (!s?.simulated) return null;
    return <FaultPanel host={{ id: hostId, up: s.up, isolated: s.isolated, storageHealthy: s.storageHealthy, nics: s.nics }} />;
  }
  if (vmId) {
    const running = await controlWithin("demoVmRunning", 1000, vmId).catch(() => null);
    if (running === null) return null;
    return <FaultPanel vm={{ id: vmId, running }} />;
  }
  return null;
}
