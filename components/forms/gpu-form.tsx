"use client";
// Add or edit one GPU of a host (on the host's edit page).
import { useRouter } from "next/navigation";
import { buttonClass } from "@/components/ui/button";
import { fieldError } from "@/lib/schemas/action-result";
import { FormBanner, SelectField, SubmitButton, TextField } from "./fields";
import { useActionForm, type FormAction } from "./use-action-form";

export interface GpuFormValues {
  id?: string;
  name: string;
  vendor: string;
  model: string;
  pciAddress: string;
  mode: string;
  vgpuProfile: string | null;
  vgpuSlots: number | null;
}

export type GpuSaved = { id: string; name: string; reconfigure?: { id: string; name: string }[]; tag?: string };

export function GpuForm({
  action,
  hostId,
  initial,
  onDone,
  onCancel,
}: {
  action: FormAction<GpuSaved>;
  hostId: string;
  initial?: GpuFormValues;
  onDone: (saved: GpuSaved) => void;
  onCancel: () => void;
}) {
  const router = useRouter();
  const { state, pending, failed, ready, formProps } = useActionForm(action, (data) => {
    router.refresh();
    onDone(data);
  });
  const err = (...n: string[]) => fieldError(state, ...n);
  const p = initial?.id ? `gpu-${initial.id}` : "gpu-new";
  return (
    <form {...formProps} aria-label={initial?.id ? `Edit GPU ${initial.name}` : "Add GPU"} className="rounded-md border border-zinc-200 bg-zinc-50/60 p-3">
      <FormBanner message={failed?.formError} fieldErrors={failed?.fieldErrors} />
      {initial?.id ? <input type="hidden" name="id" value={initial.id} /> : <input type="hidden" name="hostId" value={hostId} />}
      <div className="grid gap-3 sm:grid-cols-3">
        <TextField id={`${p}-model`} name="model" label="Model" required defaultValue={initial?.model ?? ""} placeholder="NVIDIA Tesla M60" errors={err("model")} />
        <TextField id={`${p}-vendor`} name="vendor" label="Vendor" defaultValue={initial?.vendor ?? "NVIDIA"} errors={err("vendor")} />
        <TextField id={`${p}-pci`} name="pciAddress" label="PCI address" required defaultValue={initial?.pciAddress ?? ""} placeholder="0000:3b:00.0" errors={err("pciAddress")} />
        <TextField id={`${p}-name`} name="name" label="Name" defaultValue={initial?.name ?? ""} placeholder="generated" hint={initial?.id ? undefined : "Left empty: <host>-gpu<N>"} errors={err("name")} />
        <SelectField
          id={`${p}-mode`}
          name="mode"
          label="Mode"
          defaultValue={initial?.mode ?? "graphics"}
          options={[
            { value: "graphics", label: "Graphics" },
            { value: "compute", label: "Compute (.compute tag)" },
          ]}
          hint={initial?.id ? "Switching needs the host in maintenance" : undefined}
          errors={err("mode")}
        />
        <div className="grid grid-cols-2 gap-3">
          <TextField id={`${p}-profile`} name="vgpuProfile" label="vGPU profile" defaultValue={initial?.vgpuProfile ?? ""} placeholder="M60-2Q" errors={err("vgpuProfile")} />
          <TextField id={`${p}-slots`} name="vgpuSlots" label="vGPU slots" type="number" min={1} max={64} defaultValue={initial?.vgpuSlots ?? ""} errors={err("vgpuSlots")} />
        </div>
      </div>
      <p className="mt-2 text-[12px] text-zinc-500">Leave the vGPU profile empty for a whole GPU given to one VM by passthrough.</p>
      <div className="mt-3 flex gap-2">
        <SubmitButton pending={pending} ready={ready}>{initial?.id ? "Save GPU" : "Add GPU"}</SubmitButton>
        <button type="button" onClick={onCancel} className={buttonClass("ghost")}>
          Cancel
        </button>
      </div>
    </form>
  );
}
