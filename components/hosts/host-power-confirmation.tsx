// The host page's "Confirm host is powered off" card: shown for an unreachable or failed host,
// to admins (the page passes the impact and the action only to them; the service checks the role
// again and audits the confirmation).
import { Card, CardHeader } from "@/components/ui/card";
import { ConfirmHostOff, type ConfirmHostOffAction, type HostOffImpactData } from "./confirm-host-off";

export function HostPowerConfirmation({ impact, action }: { impact: HostOffImpactData; action: ConfirmHostOffAction }) {
  return (
    <Card className="mt-4 border-red-200" aria-labelledby="host-off-title">
      <CardHeader id="host-off-title" title="Host is silent" note="confirm it is powered off to act on its VMs now" />
      <ConfirmHostOff impact={impact} action={action} />
    </Card>
  );
}
