import { Badge } from "@/components/ui/badge";

/** Storage controller and storage bond health in one badge. */
export function StorageHealth({ present, healthy, nics, nicsDown }: { present: boolean; healthy: boolean; nics: number; nicsDown: number }) {
  if (!present) return <Badge tone="neutral">No controller</Badge>;
  if (!healthy) return <Badge tone="red" dot>Controller down</Badge>;
  if (nics > 0 && nicsDown >= nics) return <Badge tone="red" dot>Storage network down</Badge>;
  if (nicsDown > 0)
    return (
      <Badge tone="amber" dot title={`${nicsDown} of ${nics} storage NICs down`}>
        Bond degraded
      </Badge>
    );
  return (
    <Badge tone="green" dot>
      Healthy
    </Badge>
  );
}
