import { Badge, type Tone } from "@/components/ui/badge";
import { storageHealthOnHost } from "@/lib/display/host-truth";

const TONE = { healthy: "green", degraded: "amber", down: "red", none: "neutral", unknown: "neutral" } as const satisfies Record<string, Tone>;

/** Storage controller and storage bond health in one badge ("Unknown" while the host is silent). */
export function StorageHealth({ hostState, present, healthy, nics, nicsDown }: { hostState: string; present: boolean; healthy: boolean; nics: number; nicsDown: number }) {
  const s = storageHealthOnHost(hostState, { present, healthy, nics, nicsDown });
  return (
    <span data-storage-health={s.health}>
      <Badge tone={TONE[s.health]} dot={s.health !== "none"} title={s.detail ?? undefined}>
        {s.label}
      </Badge>
    </span>
  );
}
