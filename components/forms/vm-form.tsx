"use client";
// Create or edit a VM: sizing, HA priority, host affinity, and dynamic rows for device
// requests (type, tag, count, a named GPU), NICs (network, static IP) and disks.
import { useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Plus, X } from "lucide-react";
import { unknownTagWarning } from "@/lib/display/device-tags";
import { buttonClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { fieldError } from "@/lib/schemas/action-result";
import { CheckboxField, FieldErrorText, FormBanner, FormSection, SelectField, SubmitButton, TextField } from "./fields";
import { useActionForm, type FormAction } from "./use-action-form";

export interface VmFormValues {
  id?: string;
  name: string;
  vcpus: number | null;
  memoryMiB: number | null;
  haPriority: string;
  /** The isolation response leaves it running. */
  keepRunningWhenIsolated?: boolean;
  /** Restart policy (null: the cluster's default). */
  restartMaxRestarts?: number | null;
  restartMaxRelocations?: number | null;
  hostAffinity: string[];
  deviceRequests: { type: string; tag: string; count: number; gpuId: string | null }[];
  nics: { networkId: string; staticIp: string | null; address?: string | null }[];
  disks: { sizeGiB: number; bus: string }[];
}

export interface VmFormOptions {
  hosts: { id: string; name: string }[];
  networks: { id: string; name: string; managed: boolean; cidr: string | null }[];
  tags: { type: string; name: string }[];
  gpus: { id: string; name: string; hostName: string; tag: string }[];
  /** The cluster's restart policy (shown as what a blank field means). */
  clusterRestart?: { maxRestarts: number; maxRelocations: number | null };
}

type Row<T> = T & { key: number };
let nextKey = 1;
const keyed = <T,>(x: T): Row<T> => ({ ...x, key: nextKey++ });

const DEVICE_TYPES = [
  { value: "gpu", label: "GPU (passthrough)" },
  { value: "vgpu", label: "vGPU" },
  { value: "sriov", label: "SR-IOV VF" },
];
const BUSES = [
  { value: "virtio-scsi", label: "virtio-scsi" },
  { value: "sata", label: "SATA" },
  { value: "ide", label: "IDE" },
];

export function VmForm({
  action,
  initial,
  options,
  power,
  cancelHref,
}: {
  action: FormAction<{ id: string }>;
  initial?: VmFormValues;
  options: VmFormOptions;
  /** The VM's power state when editing: hardware changes need it stopped. */
  power?: string;
  cancelHref: string;
}) {
  const router = useRouter();
  const editing = !!initial?.id;
  const { state, pending, failed, ready, formProps } = useActionForm(action, (data) => {
    router.push(`/vms/${data.id}`);
    router.refresh();
  });
  const err = (...n: string[]) => fieldError(state, ...n);

  const [devices, setDevices] = useState(() => (initial?.deviceRequests ?? []).map(keyed));
  const [nics, setNics] = useState(() => (initial?.nics ?? []).map(keyed));
  const [disks, setDisks] = useState(() => (initial?.disks.length ? initial.disks : editing ? [] : [{ sizeGiB: 40, bus: "virtio-scsi" }]).map(keyed));
  const mem = initial?.memoryMiB ?? null;
  const memInGiB = mem === null || mem % 1024 === 0;
  const running = editing && power !== undefined && power !== "stopped";

  const update = <T,>(set: React.Dispatch<React.SetStateAction<Row<T>[]>>, i: number, patch: Partial<T>) =>
    set((rows) => rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const remove = <T,>(set: React.Dispatch<React.SetStateAction<Row<T>[]>>, i: number) => set((rows) => rows.filter((_, j) => j !== i));

  return (
    <form {...formProps} aria-label={editing ? "Edit VM" : "New VM"} className="max-w-4xl space-y-4">
      <FormBanner message={failed?.formError} fieldErrors={failed?.fieldErrors} />
      {editing && <input type="hidden" name="id" value={initial!.id} />}
      {running && (
        <p role="note" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-[13px] text-amber-900">
          This VM is {power}. Its GPU configuration, devices, vCPUs, memory, NICs and disks can only change while it is off; name, HA priority and host affinity can change now.
        </p>
      )}

      <FormSection title="VM">
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField id="vm-name" name="name" label="Name" required defaultValue={initial?.name ?? ""} placeholder="render-01" autoComplete="off" hint="Letters, digits and -, up to 63" errors={err("name")} />
          <SelectField
            id="vm-priority"
            name="haPriority"
            label="HA priority"
            defaultValue={initial?.haPriority ?? "medium"}
            options={[
              { value: "high", label: "High" },
              { value: "medium", label: "Medium" },
              { value: "low", label: "Low" },
              { value: "off", label: "Off (not restarted by HA)" },
            ]}
            errors={err("haPriority")}
          />
          <TextField id="vm-vcpus" name="vcpus" label="vCPUs" type="number" inputMode="numeric" min={1} max={512} required defaultValue={initial?.vcpus ?? 2} errors={err("vcpus")} />
          {memInGiB ? (
            <TextField id="vm-memory" name="memoryGiB" label="Memory (GiB)" type="number" inputMode="numeric" min={1} required defaultValue={mem === null ? 4 : mem / 1024} errors={err("memoryGiB", "memoryMiB")} />
          ) : (
            <TextField id="vm-memory" name="memoryMiB" label="Memory (MiB)" type="number" inputMode="numeric" min={256} required defaultValue={mem ?? ""} errors={err("memoryMiB")} />
          )}
        </div>
        <fieldset className="mt-4" aria-describedby={err("hostAffinity") ? "vm-affinity-error" : undefined}>
          <legend className="mb-1 text-[12.5px] font-medium text-zinc-800">Host affinity</legend>
          <p className="mb-2 text-[12px] text-zinc-500">None picked: any host. Otherwise the VM only runs on the hosts picked.</p>
          {options.hosts.length === 0 ? (
            <p className="text-[13px] text-zinc-500">No hosts yet.</p>
          ) : (
            <div className="flex flex-wrap gap-x-4 gap-y-1.5">
              {options.hosts.map((h) => (
                <label key={h.id} className="flex items-center gap-1.5 text-[13px] text-zinc-800">
                  <input type="checkbox" name="hostAffinity" value={h.id} defaultChecked={initial?.hostAffinity.includes(h.id)} className="size-4 rounded border-zinc-300" />
                  {h.name}
                </label>
              ))}
            </div>
          )}
          <FieldErrorText id="vm-affinity" errors={err("hostAffinity")} />
        </fieldset>
        <div className="mt-4 grid grid-cols-1 gap-4 md:grid-cols-3">
          <TextField
            id="vm-restarts"
            name="restartMaxRestarts"
            label="Restarts on the same host"
            type="number"
            inputMode="numeric"
            min={0}
            max={10}
            defaultValue={initial?.restartMaxRestarts ?? ""}
            placeholder={options.clusterRestart ? `cluster: ${options.clusterRestart.maxRestarts}` : "cluster default"}
            hint="After a failed start or a crash, before relocating; blank: the cluster's default"
            errors={err("restartMaxRestarts")}
          />
          <TextField
            id="vm-relocations"
            name="restartMaxRelocations"
            label="Relocations"
            type="number"
            inputMode="numeric"
            min={0}
            max={100}
            defaultValue={initial?.restartMaxRelocations ?? ""}
            placeholder={options.clusterRestart ? `cluster: ${options.clusterRestart.maxRelocations ?? "no limit"}` : "cluster default"}
            hint="Other hosts tried before the VM goes to error and waits for a retry; blank: the cluster's default"
            errors={err("restartMaxRelocations")}
          />
          <CheckboxField
            id="vm-keep-running"
            name="keepRunningWhenIsolated"
            label="Keep running when its host is isolated"
            defaultChecked={initial?.keepRunningWhenIsolated ?? false}
            hint="For guests that must not stop on a network blip. On a silent host it is unknown until the host reports or an admin confirms the host is off; an HA VM is rebuilt only after that confirmation."
            errors={err("keepRunningWhenIsolated")}
          />
        </div>
      </FormSection>

      <FormSection
        title="Device requests"
        description="Devices as (type, tag, count). Devices with the same type and tag are interchangeable across hosts, so HA can rebuild the VM elsewhere."
        actions={
          <button
            type="button"
            className={buttonClass("secondary", "sm")}
            onClick={() => setDevices((d) => [...d, keyed({ type: "sriov", tag: "", count: 1, gpuId: null })])}
            disabled={devices.length >= 16}
          >
            <Plus aria-hidden className="size-3.5" />
            Add device
          </button>
        }
      >
        <FieldErrorText id="vm-devices" errors={err("deviceRequests")} />
        {devices.length === 0 && <p className="text-[13px] text-zinc-500">No devices: a standard VM that can live-migrate.</p>}
        <datalist id="vm-tags-gpu">
          {options.tags.filter((t) => t.type === "gpu").map((t) => <option key={t.name} value={t.name} />)}
        </datalist>
        <datalist id="vm-tags-vgpu">
          {options.tags.filter((t) => t.type === "vgpu").map((t) => <option key={t.name} value={t.name} />)}
        </datalist>
        <datalist id="vm-tags-sriov">
          {options.tags.filter((t) => t.type === "sriov").map((t) => <option key={t.name} value={t.name} />)}
        </datalist>
        <div className="space-y-2">
          {devices.map((d, i) => {
            const p = `vm-dev-${i}`;
            const base = `deviceRequests.${i}`;
            const gpus = options.gpus.filter((g) => !d.tag || g.tag === d.tag);
            return (
              <fieldset key={d.key} aria-label={`Device request ${i + 1}`} className="grid items-start gap-3 rounded-md border border-zinc-200 p-3 sm:grid-cols-[10rem_1fr_5rem_12rem_auto]">
                <SelectField
                  id={`${p}-type`}
                  name={`${base}.type`}
                  label="Type"
                  value={d.type}
                  onChange={(e) => update(setDevices, i, { type: e.currentTarget.value, gpuId: null })}
                  options={DEVICE_TYPES}
                  errors={err(`${base}.type`)}
                />
                <TextField
                  id={`${p}-tag`}
                  name={`${base}.tag`}
                  label="Tag"
                  list={`vm-tags-${d.type}`}
                  value={d.tag}
                  onChange={(e) => update(setDevices, i, { tag: e.currentTarget.value })}
                  placeholder={d.type === "sriov" ? "trading-a" : d.type === "vgpu" ? "NVIDIA Tesla M60/M60-2Q" : "NVIDIA Tesla M60"}
                  autoComplete="off"
                  errors={err(`${base}.tag`)}
                />
                <TextField
                  id={`${p}-count`}
                  name={`${base}.count`}
                  label="Count"
                  type="number"
                  min={1}
                  max={16}
                  value={d.count}
                  onChange={(e) => update(setDevices, i, { count: e.currentTarget.value === "" ? ("" as unknown as number) : Number(e.currentTarget.value) })}
                  errors={err(`${base}.count`)}
                />
                {d.type === "gpu" ? (
                  <SelectField
                    id={`${p}-gpu`}
                    name={`${base}.gpuId`}
                    label="Specific GPU"
                    value={d.gpuId ?? ""}
                    onChange={(e) => {
                      const g = options.gpus.find((x) => x.id === e.currentTarget.value);
                      update(setDevices, i, { gpuId: e.currentTarget.value || null, ...(g ? { tag: g.tag, count: 1 } : {}) });
                    }}
                    placeholder="Any with this tag"
                    options={gpus.map((g) => ({ value: g.id, label: `${g.hostName} / ${g.name}` }))}
                    errors={err(`${base}.gpuId`)}
                  />
                ) : (
                  <div aria-hidden />
                )}
                <RemoveButton label={`Remove device request ${i + 1}`} onClick={() => remove(setDevices, i)} />
                {(() => {
                  const warning = unknownTagWarning(d.type, d.tag, options.tags);
                  return warning ? (
                    <p role="status" className="text-[12.5px] text-amber-800 sm:col-span-full" data-testid="unknown-tag-warning">
                      {warning}
                    </p>
                  ) : null;
                })()}
              </fieldset>
            );
          })}
        </div>
      </FormSection>

      <FormSection
        title="NICs"
        description="On a managed network a NIC gets an address from the pool, or the static one you give; it keeps it across HA rebuilds."
        actions={
          <button
            type="button"
            className={buttonClass("secondary", "sm")}
            onClick={() => setNics((n) => [...n, keyed({ networkId: options.networks[0]?.id ?? "", staticIp: null })])}
            disabled={nics.length >= 16 || options.networks.length === 0}
          >
            <Plus aria-hidden className="size-3.5" />
            Add NIC
          </button>
        }
      >
        <FieldErrorText id="vm-nics" errors={err("nics")} />
        {nics.length === 0 && <p className="text-[13px] text-zinc-500">{options.networks.length === 0 ? "No networks yet." : "No NICs."}</p>}
        <div className="space-y-2">
          {nics.map((n, i) => {
            const p = `vm-nic-${i}`;
            const base = `nics.${i}`;
            const net = options.networks.find((x) => x.id === n.networkId);
            return (
              <fieldset key={n.key} aria-label={`NIC ${i + 1}`} className="grid items-start gap-3 rounded-md border border-zinc-200 p-3 sm:grid-cols-[1fr_1fr_auto]">
                <SelectField
                  id={`${p}-network`}
                  name={`${base}.networkId`}
                  label="Network"
                  value={n.networkId}
                  onChange={(e) => update(setNics, i, { networkId: e.currentTarget.value })}
                  placeholder="Pick a network"
                  options={options.networks.map((x) => ({ value: x.id, label: x.managed ? `${x.name} (${x.cidr})` : `${x.name} (unmanaged)` }))}
                  errors={err(`${base}.networkId`)}
                />
                <TextField
                  id={`${p}-ip`}
                  name={`${base}.staticIp`}
                  label="Static IP"
                  value={n.staticIp ?? ""}
                  onChange={(e) => update(setNics, i, { staticIp: e.currentTarget.value || null })}
                  placeholder={net?.managed ? (n.address ? `leased: ${n.address}` : "from the pool") : "outside DHCP"}
                  hint={n.address && !n.staticIp ? `Leased ${n.address}` : undefined}
                  errors={err(`${base}.staticIp`)}
                />
                <RemoveButton label={`Remove NIC ${i + 1}`} onClick={() => remove(setNics, i)} />
              </fieldset>
            );
          })}
        </div>
      </FormSection>

      <FormSection
        title="Disks"
        actions={
          <button type="button" className={buttonClass("secondary", "sm")} onClick={() => setDisks((d) => [...d, keyed({ sizeGiB: 40, bus: "virtio-scsi" })])} disabled={disks.length >= 32}>
            <Plus aria-hidden className="size-3.5" />
            Add disk
          </button>
        }
      >
        <FieldErrorText id="vm-disks" errors={err("disks")} />
        {disks.length === 0 && <p className="text-[13px] text-zinc-500">No disks.</p>}
        <div className="space-y-2">
          {disks.map((d, i) => {
            const p = `vm-disk-${i}`;
            const base = `disks.${i}`;
            return (
              <fieldset key={d.key} aria-label={`Disk ${i + 1}`} className="grid items-start gap-3 rounded-md border border-zinc-200 p-3 sm:grid-cols-[1fr_1fr_auto]">
                <TextField
                  id={`${p}-size`}
                  name={`${base}.sizeGiB`}
                  label="Size (GiB)"
                  type="number"
                  min={1}
                  max={65536}
                  value={d.sizeGiB}
                  onChange={(e) => update(setDisks, i, { sizeGiB: e.currentTarget.value === "" ? ("" as unknown as number) : Number(e.currentTarget.value) })}
                  errors={err(`${base}.sizeGiB`)}
                />
                <SelectField id={`${p}-bus`} name={`${base}.bus`} label="Bus" value={d.bus} onChange={(e) => update(setDisks, i, { bus: e.currentTarget.value })} options={BUSES} errors={err(`${base}.bus`)} />
                <RemoveButton label={`Remove disk ${i + 1}`} onClick={() => remove(setDisks, i)} />
              </fieldset>
            );
          })}
        </div>
      </FormSection>

      <div className="flex items-center gap-2">
        <SubmitButton pending={pending} ready={ready}>{editing ? "Save VM" : "Create VM"}</SubmitButton>
        <Link href={cancelHref} className={buttonClass("ghost")}>
          Cancel
        </Link>
        {!editing && <span className="text-[12px] text-zinc-500">New VMs are created powered off.</span>}
      </div>
    </form>
  );
}

function RemoveButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <button type="button" onClick={onClick} aria-label={label} title={label} className={cn(buttonClass("ghost", "sm"), "mt-6 text-zinc-500 hover:text-red-700")}>
      <X aria-hidden className="size-4" />
    </button>
  );
}
