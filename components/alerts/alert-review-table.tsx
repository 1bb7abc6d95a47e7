"use client";
// The alert list as an operator's screen: select rows (or all on the page), acknowledge with a
// note or resolve them together; each row links to its detail, entity, host and incident.
import { useMemo, useState } from "react";
import Link from "next/link";
import { Check, CheckCheck } from "lucide-react";
import type { AlertRow } from "@/lib/server/queries/alerts";
import { Table, THead, Th, Td, Tr, entityLink } from "@/components/ui/table";
import { AlertStatusBadge, SeverityBadge } from "@/components/ui/status";
import { buttonClass } from "@/components/ui/button";
import { fmtAgo, fmtDateTime } from "@/components/ui/format";
import { cn } from "@/components/ui/cn";
import { alertKindLabel } from "@/lib/display/alert-kind";
import { AcknowledgeDialog, AlertRowActions, useAlertVerb, type AlertActions } from "./alert-actions";

const NO_ACTIONS: AlertActions = {
  acknowledge: async () => ({ ok: false, formError: "Your role may not acknowledge alerts" }),
  resolve: async () => ({ ok: false, formError: "Your role may not resolve alerts" }),
};

/** `actions`: given to operators and admins; viewers (null) get no action controls. */
export function AlertReviewTable({ rows, now, actions }: { rows: AlertRow[]; now: number; actions: AlertActions | null }) {
  const canAct = actions !== null;
  const [confirmResolve, setConfirmResolve] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const live = useMemo(() => rows.filter((r) => r.status !== "resolved"), [rows]);
  const sel = live.filter((r) => selected.has(r.id));
  const selIds = sel.map((r) => r.id);
  const allChecked = live.length > 0 && sel.length === live.length;
  const bulk = useAlertVerb(actions ?? NO_ACTIONS, (m) => {
    setConfirmResolve(false);
    if (m.ok) setSelected(new Set());
  });
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  return (
    <>
      {canAct && (
      <div className={cn("flex min-h-11 flex-wrap items-center gap-2 border-b border-zinc-200 px-3 py-1.5", sel.length ? "bg-blue-50/60" : "bg-zinc-50/50")} aria-label="Bulk actions" role="toolbar">
        <span className="text-[12.5px] text-zinc-600" aria-live="polite" data-testid="selection-count">
          {sel.length ? `${sel.length} selected` : live.length ? "Select alerts to act on several at once" : "Nothing to act on here"}
        </span>
        {sel.length > 0 && (
          <>
            <AcknowledgeDialog
              actions={actions ?? NO_ACTIONS}
              ids={selIds}
              label={`Acknowledge ${sel.length} alert${sel.length === 1 ? "" : "s"}`}
              onDone={(m) => {
                bulk.setMsg(m);
                if (m.ok) setSelected(new Set());
              }}
              trigger={
                <button type="button" className={buttonClass("secondary", "sm")} disabled={!sel.some((r) => r.status === "open")}>
                  <Check aria-hidden className="size-3.5" />
                  Acknowledge selected
                </button>
              }
            />
            {confirmResolve ? (
              <span className="inline-flex items-center gap-1.5" role="group" aria-label="Confirm resolving the selected alerts">
                <span className="text-[12.5px] text-zinc-700">Resolve {sel.length} alert{sel.length === 1 ? "" : "s"}?</span>
                <button type="button" className={buttonClass("primary", "sm")} disabled={bulk.pending} onClick={() => bulk.run("resolve", selIds)}>
                  <CheckCheck aria-hidden className="size-3.5" />
                  {bulk.pending ? "Resolving…" : `Resolve ${sel.length}`}
                </button>
                <button type="button" className={buttonClass("ghost", "sm")} disabled={bulk.pending} onClick={() => setConfirmResolve(false)}>
                  Cancel
                </button>
              </span>
            ) : (
              <button type="button" className={buttonClass("secondary", "sm")} onClick={() => setConfirmResolve(true)}>
                <CheckCheck aria-hidden className="size-3.5" />
                Resolve selected…
              </button>
            )}
            <button type="button" className={buttonClass("ghost", "sm")} onClick={() => setSelected(new Set())}>
              Clear
            </button>
          </>
        )}
        {bulk.msg && (
          <span role={bulk.msg.ok ? "status" : "alert"} className={cn("ml-auto text-[12.5px]", bulk.msg.ok ? "text-emerald-700" : "text-red-700")}>
            {bulk.msg.text}
          </span>
        )}
      </div>
      )}
      <Table label="Alerts">
        <THead>
          <tr>
            <Th className="w-8">
              <input
                type="checkbox"
                aria-label="Select all live alerts on this page"
                className="size-3.5 accent-blue-600"
                checked={allChecked}
                disabled={live.length === 0}
                onChange={() => setSelected(allChecked ? new Set() : new Set(live.map((r) => r.id)))}
              />
            </Th>
            <Th>Severity</Th>
            <Th>Alert</Th>
            <Th>Entity</Th>
            <Th>Status</Th>
            <Th>Raised</Th>
            <Th align="right">Count</Th>
            <Th>Incident</Th>
            <Th align="right">Actions</Th>
          </tr>
        </THead>
        <tbody>
          {rows.map((a) => {
            const entityHref = a.entityType === "vm" && a.vmId ? `/vms/${a.vmId}` : a.entityType === "host" && a.hostId ? `/hosts/${a.hostId}` : null;
            return (
              <Tr key={a.id} className={selected.has(a.id) ? "bg-blue-50/50" : undefined}>
                <Td>
                  {a.status !== "resolved" && (
                    <input
                      type="checkbox"
                      aria-label={`Select ${a.kind} on ${a.entityName}`}
                      className="size-3.5 accent-blue-600"
                      checked={selected.has(a.id)}
                      onChange={() => toggle(a.id)}
                    />
                  )}
                </Td>
                <Td>
                  <SeverityBadge severity={a.severity} />
                </Td>
                <Td className="max-w-[34rem]">
                  <Link href={`/alerts/${a.id}`} className="text-zinc-900 hover:underline">
                    {a.message}
                  </Link>
                  <div className="text-[11.5px] text-zinc-500" title={a.kind}>{alertKindLabel(a.kind)}</div>
                  {a.ackNote && <div className="mt-0.5 text-[12px] text-zinc-600 italic">“{a.ackNote}”</div>}
                </Td>
                <Td className="whitespace-nowrap">
                  <span className="mr-1 text-[11.5px] text-zinc-500">{a.entityType}</span>
                  {entityHref ? (
                    <Link href={entityHref} className={entityLink}>
                      {a.entityName}
                    </Link>
                  ) : (
                    a.entityName
                  )}
                  {a.entityType !== "host" && a.hostId && a.hostName && (
                    <div className="text-[11.5px] text-zinc-500">
                      host{" "}
                      <Link href={`/hosts/${a.hostId}`} className="hover:underline">
                        {a.hostName}
                      </Link>
                    </div>
                  )}
                </Td>
                <Td className="whitespace-nowrap">
                  <AlertStatusBadge status={a.status} />
                  {a.status === "acknowledged" && a.ackBy && (
                    <div className="mt-0.5 text-[11.5px] text-zinc-500" title={a.ackAt ? fmtDateTime(a.ackAt) : undefined}>
                      by {a.ackBy}
                    </div>
                  )}
                  {a.status === "resolved" && a.resolvedBy && (
                    <div className="mt-0.5 text-[11.5px] text-zinc-500" title={a.resolvedAt ? fmtDateTime(a.resolvedAt) : undefined}>
                      {a.resolvedBy === "auto" ? "auto-resolved" : `by ${a.resolvedBy}`} {a.resolvedAt ? fmtAgo(a.resolvedAt, now) : ""}
                    </div>
                  )}
                </Td>
                <Td className="whitespace-nowrap text-[12px] text-zinc-600">
                  <time dateTime={a.raisedAt} title={fmtDateTime(a.raisedAt)}>
                    {fmtAgo(a.raisedAt, now)}
                  </time>
                  <div className="text-[11.5px] text-zinc-500">seen {fmtAgo(a.lastSeenAt, now)}</div>
                </Td>
                <Td align="right">{a.count}</Td>
                <Td className="tabular">
                  {a.incident ? (
                    <Link href={`/incidents/${a.incident.id}`} className={cn(entityLink, "font-mono text-[12px]")}>
                      #{a.incident.seq}
                    </Link>
                  ) : (
                    <span className="text-zinc-400">—</span>
                  )}
                </Td>
                <Td align="right">
                  {actions && <AlertRowActions actions={actions} id={a.id} status={a.status} name={`${a.kind} on ${a.entityName}`} />}
                </Td>
              </Tr>
            );
          })}
        </tbody>
      </Table>
    </>
  );
}
