// Every host of the cluster with the engine's verdict for one VM: the chosen host and why, or each
// host's rejection reasons (a refused power-on, a pending VM).
import Link from "next/link";
import type { PlacementExplanation } from "@/lib/server/placement-explain";
import { Table, THead, Th, Td, Tr, entityLink } from "@/components/ui/table";
import { HostStateBadge } from "@/components/ui/status";
import { Badge } from "@/components/ui/badge";
import { humanizeText } from "@/lib/display/text";

export function PlacementExplanationTable({ explanation, caption }: { explanation: PlacementExplanation; caption?: string }) {
  const e = explanation;
  return (
    <div data-testid="placement-explanation">
      {e.reasons.length > 0 && (
        <ul className="border-b border-zinc-200 bg-amber-50/60 px-4 py-2 text-[12.5px] text-amber-900">
          {e.reasons.map((r, i) => (
            <li key={i}>{humanizeText(r)}</li>
          ))}
        </ul>
      )}
      <Table label={caption ?? `Hosts for ${e.vmName}`}>
        <THead>
          <tr>
            <Th>Host</Th>
            <Th>State</Th>
            <Th>Verdict</Th>
            <Th>Reasons</Th>
          </tr>
        </THead>
        <tbody>
          {e.hosts.map((h) => (
            <Tr key={h.hostId}>
              <Td className="align-top whitespace-nowrap">
                <Link href={`/hosts/${h.hostId}`} className={entityLink}>
                  {h.hostName}
                </Link>
                {h.zone && <div className="text-[11.5px] text-zinc-500">{h.zone}</div>}
              </Td>
              <Td className="align-top">
                <HostStateBadge state={h.state} />
              </Td>
              <Td className="align-top">{h.chosen ? <Badge tone="green">Chosen</Badge> : <Badge tone="red">Rejected</Badge>}</Td>
              <Td className="align-top">
                <ul className="list-disc space-y-0.5 pl-4 text-[12.5px] text-zinc-700">
                  {h.reasons.map((r, i) => (
                    <li key={i}>{humanizeText(r)}</li>
                  ))}
                </ul>
              </Td>
            </Tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
