"use client";
// Settings → Notifications: the channels with their route and how their deliveries went (the last
// error in full), the latest deliveries, and for admins: new/edit/delete, the test button, a new
// webhook signing secret, retry of a failed delivery. Data and actions come as props.
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Bell, CheckCircle2, KeyRound, Plus, Send, Trash2, XCircle } from "lucide-react";
import type { ActionResult } from "@/lib/schemas/action-result";
import { CHANNEL_TYPE_LABEL, type ChannelView, type DeliveryView } from "@/lib/schemas/notifications";
import { Badge, type Tone } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, THead, Th, Td, Tr } from "@/components/ui/table";
import { fmtDateTime } from "@/components/ui/format";
import type { FormAction } from "@/components/forms/use-action-form";
import { ChannelForm, type SavedChannel } from "./channel-form";

export interface NotificationActions {
  save: FormAction<SavedChannel>;
  remove: FormAction<{ id: string }>;
  test: FormAction<{ ok: boolean; deliveryId: string; error: string | null }>;
  rotate: FormAction<SavedChannel>;
  retry: FormAction<{ id: string }>;
}

const STATUS_TONE: Record<DeliveryView["status"], Tone> = { pending: "amber", sending: "blue", sent: "green", failed: "red" };

function fd(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
}

function routeText(r: ChannelView["route"]): string {
  const parts = [r.kinds.length ? r.kinds.join(", ") : "every kind", r.severities.length ? r.severities.join("/") : "any severity"];
  if (r.hosts.length) parts.push(`hosts ${r.hosts.join(", ")}`);
  if (r.tags.length) parts.push(`tags ${r.tags.join(", ")}`);
  return parts.join(" · ");
}

export function NotificationsPanel({ channels, deliveries, canEdit, actions }: { channels: ChannelView[]; deliveries: DeliveryView[]; canEdit: boolean; actions: NotificationActions }) {
  const router = useRouter();
  const [editing, setEditing] = useState<string | "new" | null>(null);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, startBusy] = useTransition();

  const run = <T,>(action: FormAction<T>, fields: Record<string, string>, after: (r: ActionResult<T>) => void) =>
    startBusy(async () => {
      const r = await action(null, fd(fields));
      after(r);
      router.refresh();
    });

  const saved = (s: SavedChannel) => {
    setEditing(null);
    if (s.secret) setSecret({ name: s.name, secret: s.secret });
    setNote({ ok: true, text: `Saved ${s.name}` });
    router.refresh();
  };

  return (
    <div className="space-y-4">
      {secret && (
        <div role="status" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-[13px] text-amber-900" data-testid="webhook-secret">
          <p className="font-medium">Signing secret of {secret.name} — shown once; give it to the receiver now:</p>
          <code className="mt-1 block select-all break-all font-mono text-[12.5px]">{secret.secret}</code>
          <button type="button" className={buttonClass("ghost", "sm")} onClick={() => setSecret(null)}>
            I have stored it
          </button>
        </div>
      )}
      {note && (
        <div role="status" className={note.ok ? "rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-[13px] text-emerald-900" : "rounded-md border border-red-200 bg-red-50 px-3 py-2 text-[13px] text-red-800"} data-testid="notify-note">
          {note.text}
        </div>
      )}
      {editing === "new" && <ChannelForm action={actions.save} onDone={saved} onCancel={() => setEditing(null)} />}
      <Card aria-labelledby="channels-title">
        <CardHeader
          id="channels-title"
          title="Channels"
          note={`${channels.length} configured`}
          actions={
            canEdit && editing !== "new" ? (
              <button type="button" className={buttonClass("primary", "sm")} onClick={() => setEditing("new")}>
                <Plus aria-hidden className="size-3.5" /> New channel
              </button>
            ) : null
          }
        />
        {channels.length === 0 ? (
          <EmptyState icon={Bell} title="No channels yet">
            {canEdit ? "Add a webhook, a chat incoming webhook or an e-mail address to be told of alerts." : "An admin adds the channels alerts are sent to."}
          </EmptyState>
        ) : (
          <ul className="divide-y divide-zinc-200">
            {channels.map((c) => (
              <li key={c.id} className="px-4 py-3" data-testid={`channel-${c.name}`}>
                {editing === c.id ? (
                  <ChannelForm action={actions.save} initial={c} onDone={saved} onCancel={() => setEditing(null)} />
                ) : (
                  <div className="flex flex-wrap items-start justify-between gap-3">
                    <div className="min-w-0 space-y-1">
                      <div className="flex flex-wrap items-center gap-2">
                        <span className="text-[13.5px] font-semibold text-zinc-900">{c.name}</span>
                        <Badge tone="sky">{CHANNEL_TYPE_LABEL[c.type]}</Badge>
                        {!c.enabled && <Badge tone="neutral">disabled</Badge>}
                      </div>
                      <p className="text-[12.5px] text-zinc-600">
                        To <span className="font-mono">{c.target}</span>
                      </p>
                      <p className="text-[12.5px] text-zinc-600">
                        {routeText(c.route)}
                        {c.reminderMinutes ? ` · reminder every ${c.reminderMinutes} min` : ""}
                        {c.sendResolved ? " · resolutions too" : ""}
                      </p>
                      <p className="text-[12px] text-zinc-500">
                        {c.deliveries.sent} sent · {c.deliveries.pending} waiting · {c.deliveries.failed} failed
                      </p>
                      {c.lastError && (
                        <p className="text-[12px] text-red-700" data-testid="channel-last-error">
                          Last error ({c.lastError.event}, {fmtDateTime(c.lastError.at)}): {c.lastError.message}
                        </p>
                      )}
                    </div>
                    {canEdit && (
                      <div className="flex flex-wrap gap-2">
                        <button
                          type="button"
                          disabled={busy}
                          className={buttonClass("secondary", "sm")}
                          onClick={() =>
                            run(actions.test, { id: c.id }, (r) =>
                              setNote(
                                r.ok
                                  ? r.data.ok
                                    ? { ok: true, text: `Test notification delivered to ${c.name}` }
                                    : { ok: false, text: `Test to ${c.name} failed: ${r.data.error}` }
                                  : { ok: false, text: r.formError ?? "The test could not run" },
                              ),
                            )
                          }
                        >
                          <Send aria-hidden className="size-3.5" /> Send test
                        </button>
                        <button type="button" className={buttonClass("secondary", "sm")} onClick={() => setEditing(c.id)}>
                          Edit
                        </button>
                        {c.type === "webhook" && (
                          <button
                            type="button"
                            disabled={busy}
                            className={buttonClass("secondary", "sm")}
                            onClick={() => run(actions.rotate, { id: c.id }, (r) => (r.ok ? setSecret({ name: r.data.name, secret: r.data.secret! }) : setNote({ ok: false, text: r.formError ?? "Not rotated" })))}
                          >
                            <KeyRound aria-hidden className="size-3.5" /> New secret
                          </button>
                        )}
                        <button
                          type="button"
                          disabled={busy}
                          className={buttonClass("ghost", "sm")}
                          aria-label={`Delete ${c.name}`}
                          onClick={() => {
                            if (!window.confirm(`Delete the channel ${c.name} and its delivery history?`)) return;
                            run(actions.remove, { id: c.id }, (r) => setNote(r.ok ? { ok: true, text: `Deleted ${c.name}` } : { ok: false, text: r.formError ?? "Not deleted" }));
                          }}
                        >
                          <Trash2 aria-hidden className="size-3.5" />
                        </button>
                      </div>
                    )}
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card aria-labelledby="deliveries-title">
        <CardHeader id="deliveries-title" title="Latest deliveries" note="Retried with exponential backoff (5 s doubling to 15 min); failed after 24 h" />
        {deliveries.length === 0 ? (
          <CardBody>
            <p className="text-[13px] text-zinc-500">Nothing sent yet.</p>
          </CardBody>
        ) : (
          <Table label="Latest deliveries">
            <THead>
              <Th>Written</Th>
              <Th>Channel</Th>
              <Th>Event</Th>
              <Th>Alert</Th>
              <Th>Status</Th>
              <Th>Attempts</Th>
              <Th>Last error</Th>
              {canEdit && <Th>{""}</Th>}
            </THead>
            <tbody>
              {deliveries.map((d) => (
                <Tr key={d.id}>
                  <Td className="whitespace-nowrap">{fmtDateTime(d.createdAt)}</Td>
                  <Td>{d.channelName}</Td>
                  <Td>{d.event}</Td>
                  <Td>
                    {d.alertKind && d.alertKind !== "TEST" ? (
                      <>
                        <span className="font-mono text-[11.5px]">{d.alertKind}</span> {d.alertEntity}
                      </>
                    ) : (
                      "—"
                    )}
                  </Td>
                  <Td>
                    <Badge tone={STATUS_TONE[d.status]} dot>
                      {d.status === "sent" ? <CheckCircle2 aria-hidden className="size-3" /> : d.status === "failed" ? <XCircle aria-hidden className="size-3" /> : null}
                      {d.status}
                    </Badge>
                    {d.nextAttemptAt && <span className="ml-1 text-[11.5px] text-zinc-500">next {fmtDateTime(d.nextAttemptAt)}</span>}
                  </Td>
                  <Td>{d.attempts}</Td>
                  <Td className="max-w-[28rem] text-[12px] text-red-700">{d.lastError ?? ""}</Td>
                  {canEdit && (
                    <Td>
                      {d.status === "failed" && d.event !== "test" && (
                        <button
                          type="button"
                          disabled={busy}
                          className={buttonClass("secondary", "sm")}
                          onClick={() => run(actions.retry, { id: d.id }, (r) => setNote(r.ok ? { ok: true, text: "Queued again" } : { ok: false, text: r.formError ?? "Not retried" }))}
                        >
                          Retry
                        </button>
                      )}
                    </Td>
                  )}
                </Tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </div>
  );
}
