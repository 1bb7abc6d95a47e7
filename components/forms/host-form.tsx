"use client";
// Create or edit a host's own fields (its GPUs and NICs are managed on the edit page).
import Link from "next/link";
import { useRouter } from "next/navigation";
import { buttonClass } from "@/components/ui/button";
import { fieldError } from "@/lib/schemas/action-result";
import { CheckboxField, FormBanner, FormSection, SelectField, SubmitButton, TextField } from "./fields";
import { useActionForm, type FormAction } from "./use-action-form";

export interface HostFormValues {
  id?: string;
  name: string;
  address: string | null;
  cpus: number | null;
  memoryMiB: number | null;
  zoneId: string | null;
  storageControllerPresent: boolean;
}

export function HostForm({
  action,
  initial,
  zones,
  cancelHref,
}: {
  action: FormAction<{ id: string }>;
  initial?: HostFormValues;
  zones: { id: string; name: string; role: string }[];
  cancelHref: string;
}) {
  const router = useRouter();
  const editing = !!initial?.id;
  const { state, pending, failed, ready, formProps } = useActionForm(action, (data) => {
    router.push(`/hosts/${data.id}`);
    router.refresh();
  });
  const err = (...n: string[]) => fieldError(state, ...n);
  const mem = initial?.memoryMiB ?? null;
  const memInGiB = mem === null || mem % 1024 === 0;
  return (
    <form {...formProps} aria-label={editing ? "Edit host" : "New host"} className="max-w-3xl space-y-4">
      <FormBanner message={failed?.formError} fieldErrors={failed?.fieldErrors} />
      {editing && <input type="hidden" name="id" value={initial!.id} />}
      <FormSection title="Host" description="A hypervisor host. Its agent reports inventory; you can also enter it here.">
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField id="host-name" name="name" label="Name" required defaultValue={initial?.name ?? ""} errors={err("name")} placeholder="h1" autoComplete="off" />
          <TextField id="host-address" name="address" label="Agent address" defaultValue={initial?.address ?? ""} errors={err("address")} placeholder="10.0.0.11" />
          <TextField id="host-cpus" name="cpus" label="CPUs" type="number" inputMode="numeric" min={1} max={4096} required defaultValue={initial?.cpus ?? ""} errors={err("cpus")} />
          {memInGiB ? (
            <TextField
              id="host-memory"
              name="memoryGiB"
              label="Memory (GiB)"
              type="number"
              inputMode="numeric"
              min={1}
              required
              defaultValue={mem === null ? "" : mem / 1024}
              errors={err("memoryGiB", "memoryMiB")}
            />
          ) : (
            <TextField id="host-memory" name="memoryMiB" label="Memory (MiB)" type="number" inputMode="numeric" min={256} required defaultValue={mem ?? ""} errors={err("memoryMiB")} />
          )}
          <SelectField
            id="host-zone"
            name="zoneId"
            label="Availability zone"
            placeholder="No zone"
            defaultValue={initial?.zoneId ?? ""}
            options={zones.map((z) => ({ value: z.id, label: `${z.name} (${z.role})` }))}
            errors={err("zoneId")}
          />
          <div className="self-end pb-1.5">
            <CheckboxField
              id="host-storage"
              name="storageControllerPresent"
              label="Runs a storage controller"
              defaultChecked={initial?.storageControllerPresent ?? true}
              errors={err("storageControllerPresent")}
            />
          </div>
        </div>
      </FormSection>
      <div className="flex items-center gap-2">
        <SubmitButton pending={pending} ready={ready}>{editing ? "Save host" : "Create host"}</SubmitButton>
        <Link href={cancelHref} className={buttonClass("ghost")}>
          Cancel
        </Link>
      </div>
    </form>
  );
}
