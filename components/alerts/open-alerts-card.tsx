import Link from "next/link";
import { Card, CardHeader } from "@/components/ui/card";
import { SeverityBadge } from "@/components/ui/status";
import { fmtAgo, fmtDateTime } from "@/components/ui/format";

/** The "Active alerts" card of a host or VM page; renders nothing when there are none. */
export function OpenAlertsCard({
  alerts,
  note,
  now,
}: {
  alerts: { id: string; severity: string; message: string; raisedAt: string }[];
  note: string;
  now: number;
}) {
  if (alerts.length === 0) return null;
  return (
    <Card className="mb-3 border-amber-300">
      <CardHeader title="Active alerts" note={note} actions={<Link href="/alerts" className="text-[12px] font-medium text-blue-700 hover:underline">All alerts</Link>} />
      <ul className="divide-y divide-zinc-100">
        {alerts.map((a) => (
          <li key={a.id} className="flex items-center gap-3 px-4 py-2">
            <span className="w-[72px] shrink-0">
              <SeverityBadge severity={a.severity} />
            </span>
            <span className="min-w-0 flex-1 truncate">{a.message}</span>
            <time dateTime={a.raisedAt} title={fmtDateTime(a.raisedAt)} className="shrink-0 text-[12px] text-zinc-500">
              {fmtAgo(a.raisedAt, now)}
            </time>
          </li>
        ))}
      </ul>
    </Card>
  );
}
