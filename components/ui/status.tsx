// Status badges for the domain's states. Unknown values render neutral with their raw text.
import { Badge, type Tone } from "./badge";
import { capitalize } from "./format";

const HOST_STATE: Record<string, { tone: Tone; label: string; pulse?: boolean }> = {
  online: { tone: "green", label: "Online" },
  unreachable: { tone: "amber", label: "Unreachable", pulse: true },
  failed: { tone: "red", label: "Failed" },
  maintenance: { tone: "blue", label: "Maintenance" },
  isolated: { tone: "violet", label: "Isolated" },
};

export function HostStateBadge({ state }: { state: string }) {
  const s = HOST_STATE[state] ?? { tone: "neutral" as Tone, label: capitalize(state) };
  return (
    <Badge tone={s.tone} dot pulse={s.pulse}>
      {s.label}
    </Badge>
  );
}

const POWER: Record<string, { tone: Tone; label: string; pulse?: boolean }> = {
  running: { tone: "green", label: "Running" },
  stopped: { tone: "neutral", label: "Stopped" },
  pending: { tone: "amber", label: "Pending" },
  starting: { tone: "sky", label: "Starting", pulse: true },
  stopping: { tone: "sky", label: "Stopping", pulse: true },
  migrating: { tone: "blue", label: "Migrating", pulse: true },
  error: { tone: "red", label: "Error" },
  unknown: { tone: "violet", label: "Unknown" },
};

/** "since 12:03:04" (UTC, to the second) for the states whose start matters (unknown). */
function sinceLabel(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : `since ${d.toISOString().slice(11, 19)} UTC`;
}

/**
 * A VM's power state. `unknown` (its host is silent and it opted out of the isolation response:
 * the console cannot tell whether it still runs) says since when when `since` is given.
 */
export function PowerBadge({ power, since, lastReported }: { power: string; since?: string | Date | null; lastReported?: string | null }) {
  const s = POWER[power] ?? { tone: "neutral" as Tone, label: capitalize(power) };
  const sinceIso = since ? (typeof since === "string" ? since : since.toISOString()) : null;
  const unknown = power === "unknown";
  return (
    <span
      title={
        lastReported
          ? `Its host is silent: last reported ${lastReported}; the console cannot tell whether it still runs.`
          : unknown
            ? "Its host is silent and the VM keeps running when isolated: it may still run there. It stays unknown until the host reports again or an admin confirms the host is powered off."
            : undefined
      }
      data-power={power}
    >
      <Badge tone={s.tone} dot pulse={s.pulse}>
        {s.label}
        {unknown && sinceIso ? ` ${sinceLabel(sinceIso)}` : ""}
      </Badge>
    </span>
  );
}

const PRIORITY: Record<string, { tone: Tone; label: string }> = {
  high: { tone: "violet", label: "High" },
  medium: { tone: "blue", label: "Medium" },
  low: { tone: "neutral", label: "Low" },
  off: { tone: "neutral", label: "Off" },
};

export function PriorityBadge({ priority }: { priority: string }) {
  const s = PRIORITY[priority] ?? { tone: "neutral" as Tone, label: capitalize(priority) };
  return (
    <Badge tone={s.tone} className={priority === "off" ? "text-zinc-500 line-through decoration-zinc-400" : undefined} title={`HA priority: ${s.label}`}>
      {s.label}
    </Badge>
  );
}

const SEVERITY: Record<string, Tone> = { critical: "red", warning: "amber", info: "sky" };

export function SeverityBadge({ severity }: { severity: string }) {
  return (
    <Badge tone={SEVERITY[severity] ?? "neutral"} dot>
      {capitalize(severity)}
    </Badge>
  );
}

const ALERT_STATUS: Record<string, Tone> = { open: "red", acknowledged: "amber", resolved: "green" };

export function AlertStatusBadge({ status }: { status: string }) {
  return <Badge tone={ALERT_STATUS[status] ?? "neutral"}>{capitalize(status)}</Badge>;
}

export function IncidentStatusBadge({ status }: { status: string }) {
  return (
    <Badge tone={status === "open" ? "amber" : "neutral"} dot={status === "open"}>
      {capitalize(status)}
    </Badge>
  );
}

const DEVICE_TYPE: Record<string, { tone: Tone; label: string }> = {
  gpu: { tone: "violet", label: "GPU" },
  vgpu: { tone: "sky", label: "vGPU" },
  sriov: { tone: "amber", label: "SR-IOV" },
};

export function DeviceTypeBadge({ type }: { type: string }) {
  const s = DEVICE_TYPE[type] ?? { tone: "neutral" as Tone, label: type };
  return <Badge tone={s.tone}>{s.label}</Badge>;
}

/** A NIC link; "unknown" when its host is silent (it reports nothing). */
export function LinkBadge({ up, unknown = false }: { up: boolean; unknown?: boolean }) {
  if (unknown)
    return (
      <Badge tone="neutral" dot title={`host is silent: last reported ${up ? "up" : "down"}`}>
        Unknown
      </Badge>
    );
  return (
    <Badge tone={up ? "green" : "red"} dot>
      {up ? "Up" : "Down"}
    </Badge>
  );
}

/** A device tag rendered as code-ish text with its type colour. */
export function TagChip({ type, name }: { type: string; name: string }) {
  const ring = type === "gpu" ? "ring-violet-300 bg-violet-50/60" : type === "vgpu" ? "ring-sky-300 bg-sky-50/60" : "ring-amber-300 bg-amber-50/60";
  return (
    <span className={`inline-flex max-w-full items-center truncate rounded px-1.5 font-mono text-[11.5px] leading-[18px] text-zinc-800 ring-1 ring-inset ${ring}`} title={`${type} tag: ${name}`}>
      {name}
    </span>
  );
}
