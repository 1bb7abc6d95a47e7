import { Badge } from "@/components/ui/badge";

/** Marks a host the demo's simulated agent drives (no real host agent behind it). */
export function SimulatedBadge({ simulated }: { simulated: boolean }) {
  if (!simulated) return null;
  return (
    <Badge tone="violet" title="Driven by the demo's simulated agent, not a real host agent" className="align-middle">
      simulated
    </Badge>
  );
}
