"use client";
// Dashboard charts (recharts): vCPU and memory allocated vs capacity per zone, hosts by state.
// Each chart has a text equivalent for screen readers (the numbers are also in the capacity table).
import Link from "next/link";
import { Bar, BarChart, CartesianGrid, Cell, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { CapacityLine } from "@/lib/server/queries/overview";
import { fmtInt, fmtMiB } from "@/components/ui/format";

const COLORS = { allocated: "#2563eb", free: "#bfdbfe", offline: "#d4d4d8", over: "#dc2626" };

interface Row {
  zone: string;
  allocated: number;
  free: number;
  offline: number;
  total: number;
  online: number;
  used: number;
}

function rows(lines: CapacityLine[], metric: "cpu" | "mem"): Row[] {
  return lines
    .filter((l) => l.zoneRole !== "total")
    .map((l) => {
      const total = metric === "cpu" ? l.cpus : l.memoryMiB;
      const online = metric === "cpu" ? l.cpusOnline : l.memoryMiBOnline;
      const used = metric === "cpu" ? l.vcpusAllocated : l.memoryMiBAllocated;
      const allocated = Math.min(used, online);
      return {
        zone: l.zone ? `${l.zone}${l.zoneRole ? ` (${l.zoneRole})` : ""}` : "no zone",
        allocated,
        free: Math.max(0, online - used),
        offline: Math.max(0, total - online),
        total,
        online,
        used,
      };
    });
}

function ChartTooltip({ active, payload, fmt }: { active?: boolean; payload?: { payload: Row }[]; fmt: (n: number) => string }) {
  if (!active || !payload?.length) return null;
  const r = payload[0].payload;
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-2.5 py-1.5 text-[12px] shadow-md">
      <p className="font-semibold text-zinc-900">{r.zone}</p>
      <p className="tabular text-zinc-700">
        Allocated {fmt(r.used)} of {fmt(r.online)} online
      </p>
      {r.offline > 0 && <p className="tabular text-zinc-500">{fmt(r.offline)} on hosts not online</p>}
      {r.used > r.online && <p className="text-red-700">over the online capacity by {fmt(r.used - r.online)}</p>}
    </div>
  );
}

function ZoneBars({ title, data, fmt, unit }: { title: string; data: Row[]; fmt: (n: number) => string; unit: string }) {
  const height = 28 + data.length * 34;
  const summary = data.map((r) => `${r.zone}: ${fmt(r.used)} of ${fmt(r.online)} ${unit} allocated`).join("; ");
  return (
    <figure className="min-w-0">
      <figcaption className="mb-1 flex items-baseline justify-between text-[12px]">
        <span className="font-semibold text-zinc-800">{title}</span>
        <span className="text-zinc-500">allocated / online capacity</span>
      </figcaption>
      <div role="img" aria-label={`${title} per zone. ${summary}`} style={{ height }}>
        <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 320, height }}>
          <BarChart data={data} layout="vertical" margin={{ top: 2, right: 8, bottom: 2, left: 0 }} barCategoryGap={8}>
            <CartesianGrid horizontal={false} stroke="#e4e4e7" />
            <XAxis type="number" tickFormatter={(v: number) => fmt(v)} tick={{ fontSize: 11, fill: "#71717a" }} axisLine={false} tickLine={false} />
            <YAxis type="category" dataKey="zone" width={112} tick={{ fontSize: 11.5, fill: "#3f3f46" }} axisLine={false} tickLine={false} />
            <Tooltip cursor={{ fill: "rgba(0,0,0,0.03)" }} content={<ChartTooltip fmt={fmt} />} isAnimationActive={false} />
            <Bar dataKey="allocated" stackId="a" fill={COLORS.allocated} isAnimationActive={false} name="Allocated">
              {data.map((r, i) => (
                <Cell key={i} fill={r.used > r.online ? COLORS.over : COLORS.allocated} />
              ))}
            </Bar>
            <Bar dataKey="free" stackId="a" fill={COLORS.free} isAnimationActive={false} name="Free" />
            <Bar dataKey="offline" stackId="a" fill={COLORS.offline} radius={[0, 3, 3, 0]} isAnimationActive={false} name="Not online" />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

export function CapacityCharts({ lines }: { lines: CapacityLine[] }) {
  const cpu = rows(lines, "cpu");
  const mem = rows(lines, "mem");
  if (cpu.length === 0) return <p className="px-4 py-6 text-center text-[12.5px] text-zinc-500">No hosts yet.</p>;
  return (
    <div className="px-4 py-3">
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <ZoneBars title="vCPU" data={cpu} fmt={(n) => fmtInt(Math.round(n))} unit="vCPU" />
        <ZoneBars title="Memory" data={mem} fmt={fmtMiB} unit="" />
      </div>
      <Legend />
    </div>
  );
}

function Legend() {
  const item = (color: string, label: string) => (
    <span className="flex items-center gap-1.5">
      <span className="size-2.5 rounded-sm" style={{ background: color }} aria-hidden />
      {label}
    </span>
  );
  return (
    <div className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-[11.5px] text-zinc-600">
      {item(COLORS.allocated, "Allocated to placed VMs")}
      {item(COLORS.free, "Free on online hosts")}
      {item(COLORS.offline, "On hosts not online")}
      {item(COLORS.over, "Allocated beyond online capacity")}
    </div>
  );
}

const STATE_COLORS: Record<string, string> = {
  online: "#10b981",
  unreachable: "#f59e0b",
  failed: "#ef4444",
  maintenance: "#3b82f6",
  isolated: "#8b5cf6",
};
const STATES = ["online", "unreachable", "failed", "maintenance", "isolated"];

export function HostsByStateChart({ counts }: { counts: Record<string, number> }) {
  const data = STATES.map((s) => ({ state: s, count: counts[s] ?? 0 })).filter((d) => d.count > 0);
  const total = data.reduce((n, d) => n + d.count, 0);
  if (total === 0) return <p className="px-4 py-6 text-center text-[12.5px] text-zinc-500">No hosts yet.</p>;
  const summary = data.map((d) => `${d.count} ${d.state}`).join(", ");
  return (
    <div className="flex items-center gap-4 px-4 py-3">
      <div role="img" aria-label={`Hosts by state: ${summary}`} className="relative size-[132px] shrink-0">
        <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 132, height: 132 }}>
          <PieChart>
            <Pie data={data} dataKey="count" nameKey="state" innerRadius={42} outerRadius={62} paddingAngle={data.length > 1 ? 2 : 0} stroke="none" isAnimationActive={false}>
              {data.map((d) => (
                <Cell key={d.state} fill={STATE_COLORS[d.state] ?? "#a1a1aa"} />
              ))}
            </Pie>
            <Tooltip isAnimationActive={false} formatter={(v, n) => [fmtInt(Number(v)), String(n)]} />
          </PieChart>
        </ResponsiveContainer>
        <div className="pointer-events-none absolute inset-0 flex flex-col items-center justify-center">
          <span className="tabular text-[18px] font-semibold text-zinc-900">{fmtInt(total)}</span>
          <span className="text-[11px] text-zinc-500">hosts</span>
        </div>
      </div>
      <ul className="min-w-0 flex-1 space-y-1 text-[12.5px]">
        {STATES.map((s) => (
          <li key={s} className="flex items-center gap-2">
            <span className="size-2.5 shrink-0 rounded-full" style={{ background: STATE_COLORS[s] }} aria-hidden />
            <Link href={`/hosts?state=${s}`} className="flex-1 capitalize text-zinc-700 hover:text-zinc-900 hover:underline">
              {s}
            </Link>
            <span className={`tabular font-medium ${counts[s] ? "text-zinc-900" : "text-zinc-400"}`}>{fmtInt(counts[s] ?? 0)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
