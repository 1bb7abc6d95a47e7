import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { ApiReference } from "@/components/api-tokens/api-reference";
import { requirePageRole } from "@/lib/server/auth/session";

export const metadata: Metadata = { title: "API reference" };

export default async function ApiDocsPage() {
  await requirePageRole("viewer");
  return (
    <>
      <PageHeader
        title="API reference"
        description="The automation API (/api/v1), from its OpenAPI 3.1 document. Scripts authenticate with a personal API token (Settings → API tokens); requests sent from this page use your session."
      />
      <p className="mb-3 text-[12.5px] text-zinc-600">
        OpenAPI document: <a className="text-blue-700 underline" href="/api/v1/openapi.json">/api/v1/openapi.json</a> · tokens:{" "}
        <a className="text-blue-700 underline" href="/settings/api-tokens">API tokens</a>
      </p>
      <ApiReference specUrl="/api/v1/openapi.json" scriptUrl="/api-docs/scalar.js" />
    </>
  );
}
