import { TagChip } from "@/components/ui/status";

const UNIT: Record<string, string> = { gpu: "GPU", vgpu: "vGPU", sriov: "VF" };

/** A VM's device requests, compact: "1× vGPU NVIDIA A100/A100-4C". */
export function DeviceList({ devices, max = 2 }: { devices: { type: string; tag: string; count: number }[]; max?: number }) {
  if (devices.length === 0) return <span className="text-zinc-400">—</span>;
  const shown = devices.slice(0, max);
  return (
    <span className="flex min-w-0 flex-col gap-0.5">
      {shown.map((d, i) => (
        <span key={i} className="flex min-w-0 items-center gap-1.5 text-[12px]">
          <span className="tabular shrink-0 text-zinc-600">
            {d.count}× {UNIT[d.type] ?? d.type}
          </span>
          <span className="min-w-0 max-w-56 truncate">
            <TagChip type={d.type} name={d.tag} />
          </span>
        </span>
      ))}
      {devices.length > shown.length && <span className="text-[11.5px] text-zinc-500">+{devices.length - shown.length} more</span>}
    </span>
  );
}
