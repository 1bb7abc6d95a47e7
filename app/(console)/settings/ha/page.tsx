import type { Metadata } from "next";
import { ShieldCheck } from "lucide-react";
import { roleAtLeast } from "@/lib/schemas/auth";
import { getPrincipal } from "@/lib/server/auth/session";
import { getHaSettings } from "@/lib/server/settings";
import { PageHeader } from "@/components/ui/page-header";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { HaSettingsForm } from "@/components/settings/ha-settings-form";
import { previewHaSettingsAction, saveHaSettingsAction } from "./actions";

export const metadata: Metadata = { title: "HA settings" };

export default async function HaSettingsPage() {
  const [me, settings] = await Promise.all([getPrincipal(), getHaSettings()]);
  return (
    <>
      <PageHeader
        title="HA settings"
        description="How the cluster protects VMs when a host fails: HA mode, fault tolerance, the Guarantee reserve and the failure-detection timings. HA priority is set per VM on its edit page."
      />
      {settings ? (
        <HaSettingsForm initial={settings} canEdit={roleAtLeast(me?.role, "admin")} actions={{ preview: previewHaSettingsAction, save: saveHaSettingsAction }} />
      ) : (
        <Card>
          <EmptyState icon={ShieldCheck} title="No cluster yet">
            Import a cluster (or load the demo with <code className="font-mono">npm run db:reset</code>) to set its HA policy.
          </EmptyState>
        </Card>
      )}
    </>
  );
}
