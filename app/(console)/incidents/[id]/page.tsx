import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getIncident } from "@/lib/server/queries/incidents";
import { requestTime } from "@/lib/server/queries/params";
import { PageHeader } from "@/components/ui/page-header";
import { Badge } from "@/components/ui/badge";
import { IncidentStatusBadge } from "@/components/ui/status";
import { IncidentTimelineView } from "@/components/incidents/incident-timeline";
import { AutoRefresh } from "@/components/ops/auto-refresh";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const inc = await getIncident((await params).id);
  return { title: inc ? inc.title : "Incident not found" };
}

export default async function IncidentPage({ params }: Props) {
  const inc = await getIncident((await params).id, requestTime());
  if (!inc) notFound();
  return (
    <>
      <PageHeader
        crumbs={[{ label: "Incidents", href: "/incidents" }, { label: `#${inc.seq}` }]}
        title={inc.title}
        badges={
          <>
            <IncidentStatusBadge status={inc.status} />
            <Badge tone={inc.kind === "host-failure" ? "red" : inc.kind === "network-fault" ? "amber" : "neutral"}>{inc.kind}</Badge>
          </>
        }
        description={inc.summary ?? "Detection, countdown, failure, then each VM planned, started and running."}
        actions={<AutoRefresh active={inc.status === "open"} label="Live: updating every 2 s" />}
      />
      <IncidentTimelineView incident={inc} />
    </>
  );
}
