"use client";
// Create or edit a network. Managed networks carry IPAM: CIDR, gateway, DNS and a pool.
import { useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { buttonClass } from "@/components/ui/button";
import { fieldError } from "@/lib/schemas/action-result";
import { CheckboxField, FormBanner, FormSection, SubmitButton, TextField } from "./fields";
import { useActionForm, type FormAction } from "./use-action-form";

export interface NetworkFormValues {
  id?: string;
  name: string;
  vlan: number | null;
  managed: boolean;
  cidr: string | null;
  gateway: string | null;
  dns: string | null;
  poolStart: string | null;
  poolEnd: string | null;
}

export function NetworkForm({ action, initial, cancelHref }: { action: FormAction<{ id: string }>; initial?: NetworkFormValues; cancelHref: string }) {
  const router = useRouter();
  const editing = !!initial?.id;
  const [managed, setManaged] = useState(initial?.managed ?? true);
  const { state, pending, failed, ready, formProps } = useActionForm(action, (data) => {
    router.push(`/networks/${data.id}`);
    router.refresh();
  });
  const err = (...n: string[]) => fieldError(state, ...n);
  return (
    <form {...formProps} aria-label={editing ? "Edit network" : "New network"} className="max-w-3xl space-y-4">
      <FormBanner message={failed?.formError} fieldErrors={failed?.fieldErrors} />
      {editing && <input type="hidden" name="id" value={initial!.id} />}
      <FormSection title="Network">
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField id="net-name" name="name" label="Name" required defaultValue={initial?.name ?? ""} placeholder="prod-vlan120" autoComplete="off" errors={err("name")} />
          <TextField id="net-vlan" name="vlan" label="VLAN" type="number" min={1} max={4094} defaultValue={initial?.vlan ?? ""} hint="1–4094; empty for untagged" errors={err("vlan")} />
        </div>
        <div className="mt-4">
          <CheckboxField
            id="net-managed"
            name="managed"
            label="Managed (Haven assigns addresses)"
            hint="Unmanaged networks leave addressing to an outside DHCP server."
            checked={managed}
            onChange={setManaged}
            errors={err("managed")}
          />
        </div>
      </FormSection>
      {managed && (
        <FormSection title="IP address management" description="VM NICs get addresses from the pool, keep them across HA rebuilds and release them on deletion.">
          <div className="grid gap-4 sm:grid-cols-2">
            <TextField id="net-cidr" name="cidr" label="CIDR" required defaultValue={initial?.cidr ?? ""} placeholder="10.20.0.0/24" errors={err("cidr")} />
            <TextField id="net-gateway" name="gateway" label="Gateway" required defaultValue={initial?.gateway ?? ""} placeholder="10.20.0.1" errors={err("gateway")} />
            <TextField id="net-dns" name="dns" label="DNS servers" required defaultValue={initial?.dns?.split(",").join(", ") ?? ""} placeholder="10.20.0.2, 10.20.0.3" hint="Comma-separated" errors={err("dns")} />
            <div className="grid grid-cols-2 gap-3">
              <TextField id="net-pool-start" name="poolStart" label="Pool start" required defaultValue={initial?.poolStart ?? ""} placeholder="10.20.0.100" errors={err("poolStart")} />
              <TextField id="net-pool-end" name="poolEnd" label="Pool end" required defaultValue={initial?.poolEnd ?? ""} placeholder="10.20.0.200" errors={err("poolEnd")} />
            </div>
          </div>
        </FormSection>
      )}
      <div className="flex items-center gap-2">
        <SubmitButton pending={pending} ready={ready}>{editing ? "Save network" : "Create network"}</SubmitButton>
        <Link href={cancelHref} className={buttonClass("ghost")}>
          Cancel
        </Link>
      </div>
    </form>
  );
}
