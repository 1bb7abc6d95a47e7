import { ShieldAlert, ShieldCheck } from "lucide-react";
import { getVmHaEligibility } from "@/lib/server/queries/vms";
import { Badge } from "@/components/ui/badge";

/** "Qualifies for HA", or "Not HA-eligible" with the engine's reasons. Streams on its own. */
export async function HaEligibility({ vmId }: { vmId: string }) {
  const e = await getVmHaEligibility(vmId);
  if (!e) return <span className="text-zinc-500">—</span>;
  if (e.eligible) {
    return (
      <span className="flex flex-col gap-1">
        <Badge tone="green" className="self-start">
          <ShieldCheck aria-hidden className="size-3.5" />
          Qualifies for HA
        </Badge>
        <span className="text-[12px] text-zinc-500">Another host can supply every device it asks for.</span>
      </span>
    );
  }
  return (
    <span className="flex flex-col gap-1">
      <Badge tone="amber" className="self-start">
        <ShieldAlert aria-hidden className="size-3.5" />
        Not HA-eligible
      </Badge>
      <ul className="list-disc space-y-0.5 pl-4 text-[12.5px] text-zinc-700" data-testid="ha-ineligible-reasons">
        {e.reasons.map((r, i) => (
          <li key={i}>{r}</li>
        ))}
      </ul>
    </span>
  );
}
