import type { Metadata } from "next";
import { roleAtLeast } from "@/lib/schemas/auth";
import { getPrincipal } from "@/lib/server/auth/session";
import { listChannels, listDeliveries } from "@/lib/server/notify/channels";
import { PageHeader } from "@/components/ui/page-header";
import { NotificationsPanel } from "@/components/notifications/notifications-panel";
import { deleteChannelAction, retryDeliveryAction, rotateSecretAction, saveChannelAction, testChannelAction } from "./actions";

export const metadata: Metadata = { title: "Notifications" };
export const dynamic = "force-dynamic";

export default async function NotificationsPage() {
  const principal = await getPrincipal();
  const ctx = { principal };
  const [channels, deliveries] = await Promise.all([listChannels(ctx), listDeliveries(ctx)]);
  return (
    <>
      <PageHeader
        title="Notifications"
        description="Where alerts are sent: signed webhooks, chat incoming webhooks (Slack, Mattermost, Teams) and e-mail. Each alert episode is sent once per channel, written with the alert itself and retried until it arrives; open critical alerts can be repeated as reminders."
      />
      <NotificationsPanel
        channels={channels}
        deliveries={deliveries}
        canEdit={roleAtLeast(principal?.role, "admin")}
        actions={{ save: saveChannelAction, remove: deleteChannelAction, test: testChannelAction, rotate: rotateSecretAction, retry: retryDeliveryAction }}
      />
    </>
  );
}
