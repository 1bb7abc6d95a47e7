import type { Metadata } from "next";
import { headers } from "next/headers";
import { KeyRound } from "lucide-react";
import { Card, CardBody } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, THead, Th, Td, Tr } from "@/components/ui/table";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { fmtDateTime } from "@/components/ui/format";
import { DeleteDialog } from "@/components/forms/delete-dialog";
import { NewApiTokenForm } from "@/components/api-tokens/new-token-form";
import { requirePageRole } from "@/lib/server/auth/session";
import { listApiTokens } from "@/lib/server/auth/api-tokens";
import { requestTime } from "@/lib/server/queries/params";
import { createApiTokenAction, revokeApiTokenAction } from "./actions";

export const metadata: Metadata = { title: "API tokens" };

export default async function ApiTokensPage() {
  const me = await requirePageRole("viewer");
  const tokens = await listApiTokens({ all: me.role === "admin" }, { principal: me });
  const h = await headers();
  const origin = `${h.get("x-forwarded-proto") ?? "http"}://${h.get("host") ?? "localhost:3000"}`;
  const now = requestTime();
  return (
    <>
      <PageHeader
        title="API tokens"
        description="Personal tokens for scripts: send one as the header Authorization: Bearer <token> to /api/v1. A token acts as you, with its own role or yours, whichever is lower; it stops at its expiry or when revoked."
      />
      <Card className="mb-4">
        <CardBody>
          <h2 className="mb-3 text-[13px] font-semibold text-zinc-900">New token</h2>
          <NewApiTokenForm action={createApiTokenAction} myRole={me.role} origin={origin} />
        </CardBody>
      </Card>
      <Card>
        {tokens.length === 0 ? (
          <EmptyState icon={KeyRound} title="No API tokens">
            Create one above; the API is described on <a className="text-blue-700 underline" href="/api-docs">API reference</a>.
          </EmptyState>
        ) : (
          <Table label="API tokens">
            <THead>
              <tr>
                <Th>Name</Th>
                <Th>Token</Th>
                <Th>Role</Th>
                {me.role === "admin" && <Th>Owner</Th>}
                <Th>Created</Th>
                <Th>Expires</Th>
                <Th>Last used</Th>
                <Th align="right">
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </THead>
            <tbody>
              {tokens.map((k) => {
                const expired = k.expiresAt !== null && k.expiresAt.getTime() <= now;
                return (
                  <Tr key={k.id}>
                    <Td className="font-medium">{k.name}</Td>
                    <Td className="font-mono text-[12px] text-zinc-600">{k.start ? `${k.start}…` : "—"}</Td>
                    <Td>{k.role}</Td>
                    {me.role === "admin" && <Td className="text-[12.5px]">{k.owner.id === me.id ? "you" : k.owner.email}</Td>}
                    <Td className="whitespace-nowrap text-[12px] text-zinc-600">{fmtDateTime(k.createdAt.toISOString())}</Td>
                    <Td className="whitespace-nowrap text-[12px] text-zinc-600">
                      {k.expiresAt ? fmtDateTime(k.expiresAt.toISOString()) : "never"} {expired && <Badge tone="red">expired</Badge>}
                    </Td>
                    <Td className="whitespace-nowrap text-[12px] text-zinc-600">{k.lastUsedAt ? fmtDateTime(k.lastUsedAt.toISOString()) : "never"}</Td>
                    <Td align="right">
                      <DeleteDialog
                        action={revokeApiTokenAction}
                        id={k.id}
                        title={`Revoke ${k.name}?`}
                        description="Scripts using it get 401 from their next request. This cannot be undone."
                        confirmLabel="Revoke"
                        triggerLabel="Revoke"
                        size="sm"
                      />
                    </Td>
                  </Tr>
                );
              })}
            </tbody>
          </Table>
        )}
      </Card>
    </>
  );
}
