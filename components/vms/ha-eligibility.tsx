import { ShieldAlert, ShieldCheck } from "lucide-react";
import type { HaEligibility as HaEligibilityData } from "@/lib/engine/types";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { humanizeText } from "@/lib/display/text";
import { entityLink } from "@/components/ui/table";

/** "Qualifies for HA", or "Not HA-eligible" with the engine's reasons (the page streams it on its own). */
export function HaEligibility({ e }: { e: HaEligibilityData | null }) {
  if (!e) return <span className="text-zinc-500">—</span>;
  if (e.eligible) {
    return (
      <span className="flex flex-col gap-1">
        <Badge tone="green" className="self-start">
          <ShieldCheck aria-hidden className="size-3.5" />
          Qualifies for HA
        </Badge>
        <span className="text-[12px] text-zinc-500" data-testid="ha-eligibility-summary">{e.summary ?? "Another host can supply every device it asks for."}</span>
        <WouldRunOn e={e} />
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
          <li key={i}>{humanizeText(r)}</li>
        ))}
      </ul>
      {e.summary && (
        <span className="text-[12px] text-zinc-600" data-testid="ha-eligibility-summary">
          {e.summary}
        </span>
      )}
      <WouldRunOn e={e} />
    </span>
  );
}

/** A VM that is not running: the host a power-on would put it on now (the engine's `host`). */
function WouldRunOn({ e }: { e: HaEligibilityData }) {
  if (e.host === undefined) return null;
  return (
    <span className="text-[12px] text-zinc-500" data-testid="ha-eligibility-host">
      {e.host ? (
        <>
          A power-on now would start it on{" "}
          <Link href={`/hosts/${e.host.id}`} className={entityLink}>
            {e.host.name}
          </Link>
          .
        </>
      ) : (
        "No host has room to power it on now."
      )}
    </span>
  );
}
