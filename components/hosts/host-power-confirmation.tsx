// The host page's "Confirm host is powered off" card: shown for an unreachable or failed host,
// to admins (the service checks the role again and audits the confirmation).
import { Card, CardHeader } from "@/components/ui/card";
import { RoleGate } from "@/components/auth/role-gate";
import { getHostOffImpact } from "@/lib/server/recovery-ops";
import { confirmHostOffAction } from "@/app/(console)/hosts/confirm-off-actions";
import { ConfirmHostOff } from "./confirm-host-off";

export async function HostPowerConfirmation({ hostId }: { hostId: string }) {
  const impact = await getHostOffImpact(hostId);
  if (!impact || !impact.applies) return null;
  return (
    <RoleGate role="admin">
      <Card className="mt-4 border-red-200" aria-labelledby="host-off-title">
        <CardHeader id="host-off-title" title="Host is silent" note="confirm it is powered off to act on its VMs now" />
        <ConfirmHostOff impact={impact} action={confirmHostOffAction} />
      </Card>
    </RoleGate>
  );
}
