import Link from "next/link";
import { CapacityBar } from "@/components/ui/capacity-bar";
import { fmtInt } from "@/components/ui/format";

/** Used / free per device kind: passthrough GPUs, vGPU slots, SR-IOV VFs. */
export function DeviceUsage({
  gpus,
  vgpuSlots,
  vfs,
}: {
  gpus: { passthrough: number; passthroughUsed: number; partitioned: number };
  vgpuSlots: { total: number; used: number };
  vfs: { total: number; used: number };
}) {
  const rows = [
    { label: "Passthrough GPUs", href: "/gpus?kind=passthrough", used: gpus.passthroughUsed, total: gpus.passthrough },
    { label: "vGPU slots", href: "/gpus?kind=vgpu", used: vgpuSlots.used, total: vgpuSlots.total, note: `on ${fmtInt(gpus.partitioned)} partitioned GPU${gpus.partitioned === 1 ? "" : "s"}` },
    { label: "SR-IOV VFs (tagged NICs)", href: "/tags?type=sriov", used: vfs.used, total: vfs.total },
  ];
  return (
    <ul className="divide-y divide-zinc-100">
      {rows.map((r) => (
        <li key={r.label} className="grid grid-cols-[minmax(0,1fr)_auto] items-center gap-x-4 gap-y-1 py-2.5 first:pt-0 last:pb-0">
          <div className="min-w-0">
            <Link href={r.href} className="text-[13px] font-medium text-zinc-900 hover:underline">
              {r.label}
            </Link>
            {r.note && <span className="ml-2 text-[12px] text-zinc-500">{r.note}</span>}
          </div>
          <p className="tabular text-right text-[12px] text-zinc-600">
            <span className="font-semibold text-zinc-900">{fmtInt(r.used)}</span> used · <span className="font-semibold text-zinc-900">{fmtInt(Math.max(0, r.total - r.used))}</span> free
          </p>
          <CapacityBar className="col-span-2" used={r.used} total={r.total} label={`${r.label} used`} showText={false} />
        </li>
      ))}
    </ul>
  );
}
