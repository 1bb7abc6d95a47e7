"use client";
// "If this host failed now": where each VM would restart, which could not and why, which are not
// protected, and the expected recovery time. On the dashboard the admin picks the host (the
// answer comes from a server action over the cached engine view); on a host page it is fixed.
import { useState, useSyncExternalStore, useTransition } from "react";
import Link from "next/link";
import { ArrowRight, CircleAlert, Clock, ShieldOff } from "lucide-react";
import type { WhatIfHostOption, WhatIfResult } from "@/lib/server/queries/dashboard";
import type { ActionResult } from "@/lib/schemas/action-result";
import { Card, CardHeader } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { PriorityBadge } from "@/components/ui/status";
import { entityLink } from "@/components/ui/table";
import { cn } from "@/components/ui/cn";

const noSubscribe = () => () => {};
const useHydrated = () => useSyncExternalStore(noSubscribe, () => true, () => false);

const SHOW = 12;

export function WhatIfPanel({
  hosts,
  initial,
  fixedHost = false,
  className,
  whatIfAction,
}: {
  /** Computes the what-if of another host (a server action passed in by the page); null on a host page. */
  whatIfAction?: ((hostId: string) => Promise<ActionResult<WhatIfResult>>) | null;
  /** The hosts to choose from (dashboard); omitted on a host page. */
  hosts?: WhatIfHostOption[];
  initial: WhatIfResult | null;
  fixedHost?: boolean;
  className?: string;
}) {
  const hydrated = useHydrated();
  const [result, setResult] = useState<WhatIfResult | null>(initial);
  const [hostId, setHostId] = useState(initial?.host.id ?? "");
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  // The server re-renders the page (live refresh): take its fresher answer for the same host.
  const [seen, setSeen] = useState(initial);
  if (initial !== seen) {
    setSeen(initial);
    if (initial && initial.host.id === hostId) setResult(initial);
  }

  function choose(id: string) {
    setHostId(id);
    setError(null);
    if (!id) {
      setResult(null);
      return;
    }
    const url = new URL(window.location.href);
    url.searchParams.set("whatif", id);
    window.history.replaceState(window.history.state, "", url);
    startTransition(async () => {
      if (!whatIfAction) return;
      const r = await whatIfAction(id);
      if (r.ok) setResult(r.data);
      else setError(r.formError ?? "The what-if could not be computed");
    });
  }

  const zones = hosts ? [...new Set(hosts.map((h) => h.zone))] : [];

  return (
    <Card id="what-if" aria-labelledby="what-if-title" className={className} data-testid="what-if" data-ready={hydrated ? "true" : undefined}>
      <CardHeader
        id="what-if-title"
        title="What if a host failed now"
        note={fixedHost && result ? `the HA plan for ${result.host.name}` : "the HA controller's plan, computed on the current state"}
      />
      {hosts && whatIfAction && (
        <div className="flex flex-wrap items-end gap-3 border-b border-zinc-100 px-4 py-2.5">
          <label className="flex min-w-[240px] flex-1 flex-col gap-0.5">
            <span className="text-[11px] font-medium uppercase tracking-wide text-zinc-500">Host</span>
            <select
              value={hostId}
              onChange={(e) => choose(e.target.value)}
              disabled={!hydrated}
              data-testid="what-if-host"
              className="h-8 rounded-md border border-zinc-300 bg-white px-2 text-[13px] shadow-sm focus:border-blue-500 focus:outline-none focus:ring-2 focus:ring-blue-500/30 disabled:opacity-60"
            >
              <option value="">Choose a host…</option>
              {zones.map((z) => (
                <optgroup key={z ?? "none"} label={z ? `Zone ${z}` : "No zone"}>
                  {hosts
                    .filter((h) => h.zone === z)
                    .map((h) => (
                      <option key={h.id} value={h.id}>
                        {h.name} — {h.vms} VM{h.vms === 1 ? "" : "s"}
                        {h.state !== "online" ? ` (${h.state})` : ""}
                      </option>
                    ))}
                </optgroup>
              ))}
            </select>
          </label>
          {pending && (
            <span role="status" className="pb-1.5 text-[12px] text-zinc-500">
              Planning…
            </span>
          )}
        </div>
      )}
      {error && (
        <p role="alert" className="mx-4 mt-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-[12.5px] text-red-800">
          {error}
        </p>
      )}
      <div aria-live="polite" aria-busy={pending} className={cn(pending && "opacity-60 transition-opacity")}>
        {result ? (
          <WhatIfBody r={result} />
        ) : (
          !error && (
            <p className="px-4 py-6 text-center text-[12.5px] text-zinc-500">
              Choose a host to see where its VMs would restart, which could not and why, and how long recovery would take.
            </p>
          )
        )}
      </div>
    </Card>
  );
}

function WhatIfBody({ r }: { r: WhatIfResult }) {
  const [all, setAll] = useState(false);
  const protectedCount = r.restarts.length + r.unplaceable.length;
  const restarts = all ? r.restarts : r.restarts.slice(0, SHOW);
  return (
    <div className="space-y-3 px-4 py-3" data-testid="what-if-result" data-host={r.host.name}>
      <div>
        <p className="text-[13px] text-zinc-900">
          If <Link href={`/hosts/${r.host.id}`} className={entityLink}>{r.host.name}</Link> failed now:{" "}
          {r.vmCount === 0 ? (
            <span className="text-zinc-600">it runs no VMs, so nothing would need to restart.</span>
          ) : (
            <>
              <strong className="tabular font-semibold">{r.restarts.length}</strong> of {protectedCount} protected VM{protectedCount === 1 ? "" : "s"} restart on{" "}
              <strong className="tabular font-semibold">{r.targetHosts}</strong> host{r.targetHosts === 1 ? "" : "s"}
              {r.unplaceable.length > 0 && (
                <>
                  ; <strong className="font-semibold text-red-700">{r.unplaceable.length} cannot</strong>
                </>
              )}
              {r.skipped.length > 0 && (
                <>
                  ; {r.skipped.length} not protected
                </>
              )}
              .
            </>
          )}
        </p>
        {r.note && <p className="mt-1 text-[12px] text-amber-700">{r.note}</p>}
      </div>

      <div className="flex flex-wrap items-center gap-1.5 text-[12px] text-zinc-600" data-testid="what-if-recovery">
        <Clock aria-hidden className="size-3.5 text-zinc-400" />
        <span>Expected recovery</span>
        <Badge tone="blue" className="tabular">≈ {fmtS(r.recovery.totalS)}</Badge>
        <span className="text-zinc-500">
          = {fmtS(r.recovery.detectS)} to miss heartbeats + {fmtS(r.recovery.failureTimeoutS)} countdown + {fmtS(r.recovery.vmStartS)} VM boot
        </span>
      </div>

      {r.restarts.length > 0 && (
        <div>
          <h3 className="mb-1 text-[11.5px] font-semibold uppercase tracking-wide text-zinc-500">Restarts, in order</h3>
          <ul className="divide-y divide-zinc-100 rounded-md border border-zinc-200" data-testid="what-if-restarts">
            {restarts.map((p) => (
              <li key={p.vmId} className="flex flex-wrap items-center gap-x-2 gap-y-0.5 px-3 py-1.5 text-[12.5px]">
                <Link href={`/vms/${p.vmId}`} className={cn(entityLink, "font-medium")}>
                  {p.vmName}
                </Link>
                <PriorityBadge priority={p.priority} />
                <ArrowRight aria-label="restarts on" className="size-3.5 text-zinc-400" />
                <Link href={`/hosts/${p.toHostId}`} className={entityLink} data-testid="what-if-destination">
                  {p.toHostName}
                </Link>
                {p.devices.length > 0 && <span className="ml-auto truncate text-[11.5px] text-zinc-500">{p.devices.join(", ")}</span>}
              </li>
            ))}
          </ul>
          {r.restarts.length > SHOW && (
            <button type="button" onClick={() => setAll((x) => !x)} className="mt-1 text-[12px] font-medium text-blue-700 hover:underline">
              {all ? "Show fewer" : `Show all ${r.restarts.length}`}
            </button>
          )}
        </div>
      )}

      {r.unplaceable.length > 0 && (
        <div>
          <h3 className="mb-1 flex items-center gap-1 text-[11.5px] font-semibold uppercase tracking-wide text-red-700">
            <CircleAlert aria-hidden className="size-3.5" /> Could not restart
          </h3>
          <ul className="space-y-1.5" data-testid="what-if-unplaceable">
            {r.unplaceable.map((u) => (
              <li key={u.vmId} className="rounded-md border border-red-200 bg-red-50/50 px-3 py-2 text-[12.5px]">
                <div className="flex items-center gap-2">
                  <Link href={`/vms/${u.vmId}`} className={cn(entityLink, "font-medium")}>
                    {u.vmName}
                  </Link>
                  <PriorityBadge priority={u.priority} />
                </div>
                <ul className="mt-1 list-disc space-y-0.5 pl-4 text-zinc-700">
                  {u.notes.map((n, i) => (
                    <li key={`n${i}`}>{n}</li>
                  ))}
                  {u.why.map((g, i) => (
                    <li key={i}>
                      {g.hosts > 1 ? (
                        <>
                          <span className="tabular font-medium">{g.hosts} hosts</span>: {g.text}{" "}
                          <span className="text-zinc-500" title={`${g.exampleHost}: ${g.example}`}>(e.g. {g.exampleHost})</span>
                        </>
                      ) : (
                        <>
                          <span className="font-medium">{g.exampleHost}</span>: {g.example}
                        </>
                      )}
                    </li>
                  ))}
                  {u.notes.length === 0 && u.why.length === 0 && <li>no other host is online</li>}
                </ul>
              </li>
            ))}
          </ul>
        </div>
      )}

      {r.skipped.length > 0 && (
        <div>
          <h3 className="mb-1 flex items-center gap-1 text-[11.5px] font-semibold uppercase tracking-wide text-zinc-500">
            <ShieldOff aria-hidden className="size-3.5" /> Not restarted by HA
          </h3>
          <ul className="space-y-0.5 text-[12.5px]" data-testid="what-if-skipped">
            {r.skipped.map((s) => (
              <li key={s.vmId}>
                <Link href={`/vms/${s.vmId}`} className={entityLink}>
                  {s.vmName}
                </Link>{" "}
                <span className="text-zinc-500">— {s.reason}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function fmtS(s: number): string {
  if (s >= 120) return `${Math.round(s / 6) / 10} min`;
  return `${Math.round(s * 10) / 10} s`;
}
