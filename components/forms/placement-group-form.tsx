"use client";
// Create or edit a placement group: VM-host, VM-VM affinity / anti-affinity, or zone.
import { useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { buttonClass } from "@/components/ui/button";
import { fieldError } from "@/lib/schemas/action-result";
import { FieldErrorText, FormBanner, FormSection, SelectField, SubmitButton, TextField } from "./fields";
import { useActionForm, type FormAction } from "./use-action-form";

export interface PlacementGroupFormValues {
  id?: string;
  name: string;
  type: string;
  enforcement: string;
  vms: string[];
  hosts: string[];
  zoneId: string | null;
  /** VM-host groups: ranked host ids, most preferred first. */
  hostOrder?: string[];
  /** VM-host groups: null inherits the cluster's failback setting. */
  failback?: boolean | null;
}

const TYPES = [
  { value: "vm-vm-anti-affinity", label: "VM-VM anti-affinity (keep apart)" },
  { value: "vm-vm-affinity", label: "VM-VM affinity (keep together)" },
  { value: "vm-host", label: "VM-host (run on these hosts)" },
  { value: "zone", label: "Zone (stay in an availability zone)" },
];

function Checklist({ id, name, legend, items, selected, errors }: { id: string; name: string; legend: string; items: { id: string; name: string }[]; selected: string[]; errors?: string[] }) {
  return (
    <fieldset aria-describedby={errors?.length ? `${id}-error` : undefined} aria-invalid={errors?.length ? true : undefined}>
      <legend className="mb-1.5 text-[12.5px] font-medium text-zinc-800">{legend}</legend>
      {items.length === 0 ? (
        <p className="text-[13px] text-zinc-500">None yet.</p>
      ) : (
        <div className="grid max-h-56 grid-cols-2 gap-x-4 gap-y-1.5 overflow-y-auto rounded-md border border-zinc-200 p-2 sm:grid-cols-3">
          {items.map((x) => (
            <label key={x.id} className="flex items-center gap-1.5 text-[13px] text-zinc-800">
              <input type="checkbox" name={name} value={x.id} defaultChecked={selected.includes(x.id)} className="size-4 rounded border-zinc-300" />
              <span className="truncate">{x.name}</span>
            </label>
          ))}
        </div>
      )}
      <FieldErrorText id={id} errors={errors} />
    </fieldset>
  );
}

/** The preference order of a VM-host group's hosts: an ordered list (add, move up/down, remove). */
function HostOrder({ hosts, initial, errors, errorFor }: { hosts: { id: string; name: string }[]; initial: string[]; errors?: string[]; errorFor: (i: number) => string[] | undefined }) {
  const [order, setOrder] = useState<string[]>(initial);
  const [pick, setPick] = useState("");
  const name = (id: string) => hosts.find((h) => h.id === id)?.name ?? id;
  const move = (i: number, d: -1 | 1) =>
    setOrder((o) => {
      const j = i + d;
      if (j < 0 || j >= o.length) return o;
      const n = [...o];
      [n[i], n[j]] = [n[j], n[i]];
      return n;
    });
  const free = hosts.filter((h) => !order.includes(h.id));
  return (
    <fieldset aria-describedby={errors?.length ? "pg-order-error" : "pg-order-hint"} aria-invalid={errors?.length ? true : undefined}>
      <legend className="mb-1 text-[12.5px] font-medium text-zinc-800">Host order (preference)</legend>
      <p id="pg-order-hint" className="mb-2 text-[12px] text-zinc-500">
        Optional. The most preferred host first: placements and failovers take the best-ranked host that fits, and failback brings VMs back up the order. Only the group&apos;s hosts; unlisted ones come after.
      </p>
      <ol className="space-y-1" aria-label="Ranked hosts">
        {order.map((id, i) => (
          <li key={id} className="flex items-center gap-2 text-[13px]">
            <input type="hidden" name={`hostOrder.${i}`} value={id} />
            <span className="tabular w-6 text-right text-zinc-500">#{i + 1}</span>
            <span className="min-w-32 font-medium text-zinc-900">{name(id)}</span>
            <button type="button" className={buttonClass("ghost")} onClick={() => move(i, -1)} disabled={i === 0} aria-label={`Move ${name(id)} up`}>
              ↑
            </button>
            <button type="button" className={buttonClass("ghost")} onClick={() => move(i, 1)} disabled={i === order.length - 1} aria-label={`Move ${name(id)} down`}>
              ↓
            </button>
            <button type="button" className={buttonClass("ghost")} onClick={() => setOrder((o) => o.filter((x) => x !== id))} aria-label={`Remove ${name(id)} from the order`}>
              Remove
            </button>
            <FieldErrorText id={`pg-order-${i}`} errors={errorFor(i)} />
          </li>
        ))}
      </ol>
      {free.length > 0 && (
        <div className="mt-2 flex items-center gap-2">
          <label htmlFor="pg-order-add" className="sr-only">
            Host to rank next
          </label>
          <select id="pg-order-add" value={pick} onChange={(e) => setPick(e.currentTarget.value)} className="rounded-md border border-zinc-300 px-2 py-1 text-[13px]">
            <option value="">Pick a host…</option>
            {free.map((h) => (
              <option key={h.id} value={h.id}>
                {h.name}
              </option>
            ))}
          </select>
          <button
            type="button"
            className={buttonClass("secondary")}
            disabled={!pick}
            onClick={() => {
              setOrder((o) => [...o, pick]);
              setPick("");
            }}
          >
            Add to order
          </button>
        </div>
      )}
      <FieldErrorText id="pg-order" errors={errors} />
    </fieldset>
  );
}

export function PlacementGroupForm({
  action,
  initial,
  options,
  cancelHref,
}: {
  action: FormAction<{ id: string }>;
  initial?: PlacementGroupFormValues;
  options: { vms: { id: string; name: string }[]; hosts: { id: string; name: string }[]; zones: { id: string; name: string; role: string }[] };
  cancelHref: string;
}) {
  const router = useRouter();
  const editing = !!initial?.id;
  const [type, setType] = useState(initial?.type ?? "vm-vm-anti-affinity");
  const { state, pending, failed, ready, formProps } = useActionForm(action, () => {
    router.push("/placement-groups");
    router.refresh();
  });
  const err = (...n: string[]) => fieldError(state, ...n);
  return (
    <form {...formProps} aria-label={editing ? "Edit placement group" : "New placement group"} className="max-w-3xl space-y-4">
      <FormBanner message={failed?.formError} fieldErrors={failed?.fieldErrors} />
      {editing && <input type="hidden" name="id" value={initial!.id} />}
      <FormSection title="Placement group">
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField id="pg-name" name="name" label="Name" required defaultValue={initial?.name ?? ""} placeholder="spread-db" autoComplete="off" errors={err("name")} />
          <SelectField id="pg-type" name="type" label="Type" value={type} onChange={(e) => setType(e.currentTarget.value)} options={TYPES} errors={err("type")} />
          <SelectField
            id="pg-enforcement"
            name="enforcement"
            label="Enforcement"
            defaultValue={initial?.enforcement ?? "must"}
            options={[
              { value: "must", label: "Must (never broken)" },
              { value: "should", label: "Should (preferred)" },
            ]}
            errors={err("enforcement")}
          />
          {type === "zone" && (
            <SelectField
              id="pg-zone"
              name="zoneId"
              label="Zone"
              placeholder="Pick a zone"
              defaultValue={initial?.zoneId ?? ""}
              options={options.zones.map((z) => ({ value: z.id, label: `${z.name} (${z.role})` }))}
              errors={err("zoneId")}
            />
          )}
        </div>
      </FormSection>
      <FormSection title="Members">
        <div className="space-y-4">
          <Checklist id="pg-vms" name="vmIds" legend="VMs" items={options.vms} selected={initial?.vms ?? []} errors={err("vmIds")} />
          {type === "vm-host" && <Checklist id="pg-hosts" name="hostIds" legend="Hosts" items={options.hosts} selected={initial?.hosts ?? []} errors={err("hostIds")} />}
        </div>
      </FormSection>
      {type === "vm-host" && (
        <FormSection title="Preference and failback">
          <div className="space-y-4">
            <HostOrder hosts={options.hosts} initial={initial?.hostOrder ?? []} errors={err("hostOrder")} errorFor={(i) => err(`hostOrder.${i}`)} />
            <SelectField
              id="pg-failback"
              name="failback"
              label="Failback"
              defaultValue={initial?.failback === true ? "on" : initial?.failback === false ? "off" : "inherit"}
              options={[
                { value: "inherit", label: "The cluster's setting" },
                { value: "on", label: "On: standard VMs live-migrate back up the order" },
                { value: "off", label: "Off: VMs stay where a failover put them" },
              ]}
              hint="Device VMs never move back on their own: they are listed as away from their preferred host, with a Move back action."
              errors={err("failback")}
            />
          </div>
        </FormSection>
      )}
      <div className="flex items-center gap-2">
        <SubmitButton pending={pending} ready={ready}>{editing ? "Save group" : "Create group"}</SubmitButton>
        <Link href={cancelHref} className={buttonClass("ghost")}>
          Cancel
        </Link>
      </div>
    </form>
  );
}
