"use client";
// Create or edit a notification channel: its type and target, and the route (alert kinds,
// severities, optionally hosts and device tags) that says which alerts it gets. Secrets are never
// shown back: an SMTP password left blank keeps the stored one.
import { useState } from "react";
import { fieldError } from "@/lib/schemas/action-result";
import { CHANNEL_TYPES, CHANNEL_TYPE_LABEL, NOTIFY_ALERT_KINDS, SEVERITIES, SMTP_SECURITY, type ChannelType, type ChannelView } from "@/lib/schemas/notifications";
import { CheckboxField, Field, FormBanner, FormSection, SelectField, SubmitButton, TextField, controlAria, inputClass } from "@/components/forms/fields";
import { useActionForm, type FormAction } from "@/components/forms/use-action-form";
import { buttonClass } from "@/components/ui/button";

export type SavedChannel = { id: string; name: string; secret: string | null };

const SECURITY_LABEL: Record<(typeof SMTP_SECURITY)[number], string> = { starttls: "STARTTLS (port 587)", tls: "TLS (port 465)", none: "None (local relay only)" };

export function ChannelForm({ action, initial, onDone, onCancel }: { action: FormAction<SavedChannel>; initial?: ChannelView; onDone: (saved: SavedChannel) => void; onCancel: () => void }) {
  const [type, setType] = useState<ChannelType>(initial?.type ?? "webhook");
  const { state, pending, failed, ready, formProps } = useActionForm(action, onDone);
  const err = (...n: string[]) => fieldError(state, ...n);
  const prefix = initial ? `ch-${initial.id}` : "ch-new";
  const kindsSel = new Set(initial?.route.kinds ?? []);
  const sevSel = new Set(initial?.route.severities ?? []);
  const kindErrors = Object.entries(failed?.fieldErrors ?? {})
    .filter(([k]) => k === "kinds" || k.startsWith("kinds."))
    .flatMap(([, v]) => v);
  return (
    <form {...formProps} aria-label={initial ? `Edit channel ${initial.name}` : "New channel"} className="space-y-4">
      <FormBanner message={failed?.formError} fieldErrors={failed?.fieldErrors} />
      {initial && <input type="hidden" name="id" value={initial.id} />}
      <FormSection title={initial ? `Edit ${initial.name}` : "New channel"} description="Where alert notifications go.">
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField id={`${prefix}-name`} name="name" label="Name" required defaultValue={initial?.name ?? ""} errors={err("name")} placeholder="on-call" autoComplete="off" />
          <SelectField
            id={`${prefix}-type`}
            name="type"
            label="Type"
            value={type}
            onChange={(e) => setType(e.currentTarget.value as ChannelType)}
            options={CHANNEL_TYPES.map((t) => ({ value: t, label: CHANNEL_TYPE_LABEL[t] }))}
            errors={err("type")}
          />
          {type !== "email" ? (
            <TextField
              id={`${prefix}-url`}
              name="url"
              label={type === "webhook" ? "Webhook URL" : "Incoming webhook URL"}
              required
              fieldClassName="sm:col-span-2"
              defaultValue={initial?.url ?? ""}
              errors={err("url")}
              placeholder={type === "webhook" ? "https://ops.example.com/haven-hook" : "https://hooks.slack.com/services/…"}
              hint={
                type === "webhook"
                  ? "JSON signed with the Standard Webhooks scheme (webhook-id, webhook-timestamp, webhook-signature). The signing secret is shown once, when the channel is created."
                  : "Slack, Mattermost and Teams incoming webhooks accept the message as {\"text\": …}."
              }
            />
          ) : (
            <>
              <TextField id={`${prefix}-smtp-host`} name="smtpHost" label="SMTP server" required defaultValue={initial?.smtp?.host ?? ""} errors={err("smtpHost")} placeholder="smtp.example.com" />
              <TextField id={`${prefix}-smtp-port`} name="smtpPort" label="Port" type="number" inputMode="numeric" defaultValue={initial?.smtp?.port ?? ""} errors={err("smtpPort")} hint="Blank: 587, or 465 with TLS" />
              <SelectField
                id={`${prefix}-smtp-security`}
                name="smtpSecurity"
                label="Security"
                defaultValue={initial?.smtp?.security ?? "starttls"}
                options={SMTP_SECURITY.map((s) => ({ value: s, label: SECURITY_LABEL[s] }))}
                errors={err("smtpSecurity")}
              />
              <TextField id={`${prefix}-smtp-user`} name="smtpUser" label="User" defaultValue={initial?.smtp?.user ?? ""} errors={err("smtpUser")} autoComplete="off" />
              <TextField
                id={`${prefix}-smtp-password`}
                name="smtpPassword"
                label="Password"
                type="password"
                autoComplete="new-password"
                errors={err("smtpPassword")}
                hint={initial?.smtp?.hasPassword ? "Blank keeps the stored password" : undefined}
              />
              <TextField id={`${prefix}-from`} name="from" label="From" required defaultValue={initial?.smtp?.from ?? ""} errors={err("from")} placeholder="haven@example.com" />
              <TextField
                id={`${prefix}-to`}
                name="to"
                label="To"
                required
                fieldClassName="sm:col-span-2"
                defaultValue={initial?.smtp?.to.join(", ") ?? ""}
                errors={Object.entries(failed?.fieldErrors ?? {})
                  .filter(([k]) => k === "to" || k.startsWith("to."))
                  .flatMap(([, v]) => v)}
                placeholder="oncall@example.com, lead@example.com"
              />
            </>
          )}
          <CheckboxField id={`${prefix}-enabled`} name="enabled" label="Enabled" defaultChecked={initial?.enabled ?? true} errors={err("enabled")} />
        </div>
      </FormSection>
      <FormSection title="Route" description="Which alerts this channel gets. Nothing chosen in a group means any.">
        <div className="grid gap-4 sm:grid-cols-2">
          <Field id={`${prefix}-kinds`} label="Alert kinds" errors={kindErrors.length ? kindErrors : undefined}>
            <div className="grid grid-cols-1 gap-1" {...controlAria(`${prefix}-kinds`, kindErrors.length ? kindErrors : undefined)} role="group">
              {NOTIFY_ALERT_KINDS.map((k) => (
                <label key={k} className="flex items-center gap-2 text-[12.5px] text-zinc-800">
                  <input type="checkbox" name="kinds" value={k} defaultChecked={kindsSel.has(k)} className="size-3.5" />
                  <span className="font-mono text-[11.5px]">{k}</span>
                </label>
              ))}
            </div>
          </Field>
          <div className="space-y-4">
            <Field id={`${prefix}-severities`} label="Severities" errors={err("severities", "severities.0")}>
              <div className="flex gap-4" role="group" id={`${prefix}-severities`}>
                {SEVERITIES.map((s) => (
                  <label key={s} className="flex items-center gap-2 text-[12.5px] text-zinc-800">
                    <input type="checkbox" name="severities" value={s} defaultChecked={sevSel.has(s)} className="size-3.5" />
                    {s}
                  </label>
                ))}
              </div>
            </Field>
            <Field id={`${prefix}-hosts`} label="Hosts" hint="Host names, comma-separated (blank: any host)" errors={err("hosts", "hosts.0")}>
              <input name="hosts" className={inputClass} defaultValue={initial?.route.hosts.join(", ") ?? ""} {...controlAria(`${prefix}-hosts`, err("hosts", "hosts.0"))} />
            </Field>
            <Field id={`${prefix}-tags`} label="Device tags" hint="The VM's requested tags, or the host's GPU/vGPU/VF tags (blank: any)" errors={err("tags", "tags.0")}>
              <input name="tags" className={inputClass} defaultValue={initial?.route.tags.join(", ") ?? ""} {...controlAria(`${prefix}-tags`, err("tags", "tags.0"))} />
            </Field>
            <TextField
              id={`${prefix}-reminder`}
              name="reminderMinutes"
              label="Reminder every (minutes)"
              type="number"
              inputMode="numeric"
              defaultValue={initial?.reminderMinutes ?? ""}
              errors={err("reminderMinutes")}
              hint="Open critical alerts nobody acknowledged are sent again this often. Blank: never."
            />
            <CheckboxField id={`${prefix}-resolved`} name="sendResolved" label="Also say when an alert is resolved" defaultChecked={initial?.sendResolved ?? true} errors={err("sendResolved")} />
          </div>
        </div>
      </FormSection>
      <div className="flex gap-2">
        <SubmitButton pending={pending} ready={ready}>
          {initial ? "Save channel" : "Create channel"}
        </SubmitButton>
        <button type="button" className={buttonClass("secondary")} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
