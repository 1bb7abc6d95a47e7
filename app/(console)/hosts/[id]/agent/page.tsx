import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Card, CardBody } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { fmtDateTime } from "@/components/ui/format";
import { AgentTokenPanel } from "@/components/auth/agent-token-panel";
import { requirePageRole } from "@/lib/server/auth/session";
import { getAgentTokenStatus } from "@/lib/server/ops";
import { issueAgentTokenAction, revokeAgentTokenAction } from "./actions";

export const metadata: Metadata = { title: "Agent token" };

export default async function HostAgentPage({ params }: { params: Promise<{ id: string }> }) {
  const me = await requirePageRole("admin");
  const host = await getAgentTokenStatus((await params).id, { principal: me });
  if (!host) notFound();
  return (
    <>
      <PageHeader
        title={`Agent token · ${host.name}`}
        crumbs={[{ label: "Hosts", href: "/hosts" }, { label: host.name, href: `/hosts/${host.id}` }, { label: "Agent token" }]}
        description="The host's agent sends this token as `Authorization: Bearer …`. It acts for this host only."
      />
      <Card>
        <CardBody>
          <p className="mb-3 text-[13px] text-zinc-700" data-testid="agent-token-status">
            {host.simulated
              ? "The demo's simulated agent drives this host with a token of its own. Issuing a token hands the host to a real agent for good: the simulated agent stops at once and never takes the host back."
              : host.hasToken
                ? `A token is active, issued ${fmtDateTime(host.issuedAt?.toISOString() ?? null)}.`
                : "No token: this host's agent is refused (401) until you issue one."}
          </p>
          <AgentTokenPanel hostId={host.id} hasToken={host.hasToken} issue={issueAgentTokenAction} revoke={revokeAgentTokenAction} />
        </CardBody>
      </Card>
    </>
  );
}
