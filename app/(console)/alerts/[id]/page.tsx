import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getAlert } from "@/lib/server/queries/alerts";
import { requestTime } from "@/lib/server/queries/params";
import { PageHeader } from "@/components/ui/page-header";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { DescriptionList } from "@/components/ui/description-list";
import { AlertStatusBadge, IncidentStatusBadge, SeverityBadge } from "@/components/ui/status";
import { Table, THead, Th, Td, Tr, entityLink } from "@/components/ui/table";
import { fmtAgo, fmtDateTime } from "@/components/ui/format";
import { AlertRowActions } from "@/components/alerts/alert-actions";
import { acknowledgeAlertsAction, resolveAlertsAction } from "../actions";
import { HumanText } from "@/components/ui/human-text";
import { alertKindLabel } from "@/lib/display/alert-kind";
import { RoleGate } from "@/app/(console)/_loaders/role-gate";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const a = await getAlert((await params).id);
  return { title: a ? `${a.kind} · ${a.entityName}` : "Alert not found" };
}

export default async function AlertPage({ params }: Props) {
  const a = await getAlert((await params).id);
  if (!a) notFound();
  const now = requestTime();
  const entityHref = a.entityType === "vm" && a.vmId ? `/vms/${a.vmId}` : a.entityType === "host" && a.hostId ? `/hosts/${a.hostId}` : null;
  const history: { label: string; at: string | null; who?: string | null; note?: string | null }[] = [
    { label: a.count > 1 ? `Raised (${a.count} occurrences)` : "Raised", at: a.raisedAt },
    { label: "Last seen", at: a.lastSeenAt },
    ...(a.ackAt ? [{ label: "Acknowledged", at: a.ackAt, who: a.ackBy, note: a.ackNote }] : []),
    ...(a.resolvedAt ? [{ label: a.resolvedBy === "auto" ? "Resolved automatically (condition cleared)" : "Resolved", at: a.resolvedAt, who: a.resolvedBy }] : []),
  ];
  return (
    <>
      <PageHeader
        crumbs={[{ label: "Alerts", href: "/alerts" }, { label: alertKindLabel(a.kind) }]}
        title={alertKindLabel(a.kind)}
        badges={
          <>
            <SeverityBadge severity={a.severity} />
            <AlertStatusBadge status={a.status} />
          </>
        }
        description={
          <>
            {a.entityType}{" "}
            {entityHref ? (
              <Link href={entityHref} className={entityLink}>
                {a.entityName}
              </Link>
            ) : (
              a.entityName
            )}{" "}
            · raised {fmtAgo(a.raisedAt, now)}
          </>
        }
        actions={
          <RoleGate role="operator">
            <AlertRowActions actions={{ acknowledge: acknowledgeAlertsAction, resolve: resolveAlertsAction }} id={a.id} status={a.status} size="md" name={`${a.kind} on ${a.entityName}`} />
          </RoleGate>
        }
      />
      <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="space-y-4">
          <Card aria-labelledby="alert-message-title">
            <CardHeader id="alert-message-title" title="Message" />
            <CardBody>
              <p className="text-[13.5px] leading-6 whitespace-pre-wrap text-zinc-800" data-testid="alert-message">
                <HumanText text={a.message} refs={a.refs} />
              </p>
            </CardBody>
          </Card>
          <Card aria-labelledby="alert-history-title">
            <CardHeader id="alert-history-title" title="History" />
            <ol className="divide-y divide-zinc-100" data-testid="alert-history">
              {history.map((h, i) => (
                <li key={i} className="flex flex-wrap items-baseline gap-x-3 px-4 py-2 text-[13px]">
                  <span className="w-64 font-medium text-zinc-900">{h.label}</span>
                  <span className="text-zinc-600">{h.at ? fmtDateTime(h.at) : "—"}</span>
                  {h.who && <span className="text-zinc-600">by {h.who}</span>}
                  {h.note && <span className="basis-full pl-0 text-[12.5px] text-zinc-600 italic lg:pl-[17rem]">“{h.note}”</span>}
                </li>
              ))}
            </ol>
          </Card>
          {a.episodes.length > 0 && (
            <Card aria-labelledby="alert-episodes-title">
              <CardHeader id="alert-episodes-title" title="Other episodes" note={`${a.kind} on ${a.entityName}`} />
              <Table label="Other episodes">
                <THead>
                  <tr>
                    <Th>Raised</Th>
                    <Th>Status</Th>
                    <Th>Resolved</Th>
                    <Th align="right">Count</Th>
                  </tr>
                </THead>
                <tbody>
                  {a.episodes.map((e) => (
                    <Tr key={e.id}>
                      <Td>
                        <Link href={`/alerts/${e.id}`} className={entityLink}>
                          {fmtDateTime(e.raisedAt)}
                        </Link>
                      </Td>
                      <Td>
                        <AlertStatusBadge status={e.status} />
                      </Td>
                      <Td className="text-[12.5px] text-zinc-600">{e.resolvedAt ? `${fmtDateTime(e.resolvedAt)} ${e.resolvedBy === "auto" ? "(auto)" : e.resolvedBy ? `by ${e.resolvedBy}` : ""}` : "—"}</Td>
                      <Td align="right">{e.count}</Td>
                    </Tr>
                  ))}
                </tbody>
              </Table>
            </Card>
          )}
        </div>
        <Card aria-labelledby="alert-links-title">
          <CardHeader id="alert-links-title" title="Related" />
          <CardBody>
            <DescriptionList
              columns={1}
              items={[
                { label: "Entity", value: entityHref ? <Link href={entityHref} className={entityLink}>{a.entityName}</Link> : `${a.entityName} (gone)` },
                { label: "Host", value: a.hostId ? <Link href={`/hosts/${a.hostId}`} className={entityLink}>View host</Link> : "—" },
                { label: "VM", value: a.vmId ? <Link href={`/vms/${a.vmId}`} className={entityLink}>View VM</Link> : "—" },
                {
                  label: "Incident",
                  value: a.incident ? (
                    <span className="inline-flex items-center gap-2">
                      <Link href={`/incidents/${a.incident.id}`} className={entityLink}>
                        #{a.incident.seq} {a.incident.kind}
                      </Link>
                      <IncidentStatusBadge status={a.incident.status} />
                    </span>
                  ) : (
                    "—"
                  ),
                },
                { label: "Occurrences", value: a.count },
              ]}
            />
          </CardBody>
        </Card>
      </div>
    </>
  );
}
