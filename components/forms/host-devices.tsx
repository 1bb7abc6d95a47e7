"use client";
// The GPUs and NICs of a host on its edit page: add, edit, delete, and tag NICs.
import { useState } from "react";
import { Plus, Pencil } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Table, THead, Th, Tr, Td } from "@/components/ui/table";
import { DeleteDialog } from "./delete-dialog";
import { GpuForm, type GpuFormValues, type GpuSaved } from "./gpu-form";
import { NicForm, NicTagForm, type NicFormValues, type PreviewNicTag } from "./nic-form";
import type { FormAction } from "./use-action-form";

export interface GpuRow extends GpuFormValues {
  id: string;
  tag: string;
  allocated: number;
}

export interface NicRow extends NicFormValues {
  id: string;
  allocated: number;
}

export interface HostDeviceActions {
  createGpu: FormAction<GpuSaved>;
  updateGpu: FormAction<GpuSaved>;
  deleteGpu: FormAction<unknown>;
  createNic: FormAction<{ id: string }>;
  updateNic: FormAction<{ id: string }>;
  deleteNic: FormAction<unknown>;
  setNicTag: FormAction<unknown>;
  clearNicTag: FormAction<unknown>;
  /** What a re-tag changes (VF totals per tag, eligibility flips), shown before it is saved. */
  previewNicTag: PreviewNicTag;
}

export function HostGpus({ hostId, gpus, actions }: { hostId: string; gpus: GpuRow[]; actions: HostDeviceActions }) {
  const [editing, setEditing] = useState<string | null>(null); // gpu id or "new"
  const [notice, setNotice] = useState<string | null>(null);
  const done = (saved: GpuSaved) => {
    setEditing(null);
    setNotice(saved.reconfigure && saved.reconfigure.length ? `Reconfigure these VMs, which asked for the old tag: ${saved.reconfigure.map((v) => v.name).join(", ")}` : null);
  };
  return (
    <Card aria-labelledby="host-gpus">
      <CardHeader
        id="host-gpus"
        title="GPUs"
        note={`${gpus.length}`}
        actions={
          editing !== "new" && (
            <button type="button" className={buttonClass("secondary", "sm")} onClick={() => setEditing("new")}>
              <Plus aria-hidden className="size-3.5" />
              Add GPU
            </button>
          )
        }
      />
      {notice && (
        <p role="status" className="border-b border-amber-200 bg-amber-50 px-4 py-2 text-[13px] text-amber-900">
          {notice}
        </p>
      )}
      {editing === "new" && (
        <div className="border-b border-zinc-200 p-3">
          <GpuForm action={actions.createGpu} hostId={hostId} onDone={done} onCancel={() => setEditing(null)} />
        </div>
      )}
      {gpus.length === 0 ? (
        <p className="px-4 py-3 text-[13px] text-zinc-500">No GPUs on this host.</p>
      ) : (
        <Table label="GPUs">
          <THead>
            <tr>
              <Th>Name</Th>
              <Th>Model</Th>
              <Th>PCI</Th>
              <Th>Partition</Th>
              <Th>Tag</Th>
              <Th align="right">In use</Th>
              <Th align="right">
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </THead>
          <tbody>
            {gpus.map((g) =>
              editing === g.id ? (
                <tr key={g.id}>
                  <td colSpan={7} className="p-3">
                    <GpuForm action={actions.updateGpu} hostId={hostId} initial={g} onDone={done} onCancel={() => setEditing(null)} />
                  </td>
                </tr>
              ) : (
                <Tr key={g.id}>
                  <Td className="font-medium">{g.name}</Td>
                  <Td>
                    {g.model}
                    {g.mode === "compute" && (
                      <Badge tone="violet" className="ml-1.5">
                        compute
                      </Badge>
                    )}
                  </Td>
                  <Td className="font-mono text-[12px]">{g.pciAddress}</Td>
                  <Td>{g.vgpuProfile ? `${g.vgpuProfile} × ${g.vgpuSlots}` : "passthrough"}</Td>
                  <Td className="font-mono text-[12px]">{g.tag}</Td>
                  <Td align="right">{g.allocated}</Td>
                  <Td align="right">
                    <div className="flex justify-end gap-1.5">
                      <button type="button" className={buttonClass("ghost", "sm")} onClick={() => setEditing(g.id)} aria-label={`Edit GPU ${g.name}`}>
                        <Pencil aria-hidden className="size-3.5" />
                        Edit
                      </button>
                      <DeleteDialog
                        action={actions.deleteGpu}
                        id={g.id}
                        size="sm"
                        title={`Delete GPU ${g.name}?`}
                        description={g.allocated > 0 ? `${g.allocated} of its devices are allocated to VMs; the delete will be refused.` : "It is removed from the host's inventory."}
                      />
                    </div>
                  </Td>
                </Tr>
              ),
            )}
          </tbody>
        </Table>
      )}
    </Card>
  );
}

export function HostNics({ hostId, nics, actions }: { hostId: string; nics: NicRow[]; actions: HostDeviceActions }) {
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <Card aria-labelledby="host-nics">
      <CardHeader
        id="host-nics"
        title="NICs"
        note={`${nics.length}`}
        actions={
          editing !== "new" && (
            <button type="button" className={buttonClass("secondary", "sm")} onClick={() => setEditing("new")}>
              <Plus aria-hidden className="size-3.5" />
              Add NIC
            </button>
          )
        }
      />
      {editing === "new" && (
        <div className="border-b border-zinc-200 p-3">
          <NicForm action={actions.createNic} hostId={hostId} onDone={() => setEditing(null)} onCancel={() => setEditing(null)} />
        </div>
      )}
      {nics.length === 0 ? (
        <p className="px-4 py-3 text-[13px] text-zinc-500">No NICs on this host.</p>
      ) : (
        <Table label="NICs">
          <THead>
            <tr>
              <Th>Interface</Th>
              <Th>Role</Th>
              <Th>Bond</Th>
              <Th align="right">VFs in use</Th>
              <Th>SR-IOV tag</Th>
              <Th align="right">
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </THead>
          <tbody>
            {nics.map((n) =>
              editing === n.id ? (
                <tr key={n.id}>
                  <td colSpan={6} className="p-3">
                    <NicForm action={actions.updateNic} hostId={hostId} initial={n} onDone={() => setEditing(null)} onCancel={() => setEditing(null)} />
                  </td>
                </tr>
              ) : (
                <Tr key={n.id}>
                  <Td className="font-medium">{n.name}</Td>
                  <Td>{n.role}</Td>
                  <Td>{n.bond ?? "—"}</Td>
                  <Td align="right">
                    {n.allocated} / {n.sriovVfs}
                  </Td>
                  <Td>{n.sriovVfs > 0 ? <NicTagForm nic={n} setAction={actions.setNicTag} clearAction={actions.clearNicTag} previewAction={actions.previewNicTag} /> : <span className="text-zinc-400">no VFs</span>}</Td>
                  <Td align="right">
                    <div className="flex justify-end gap-1.5">
                      <button type="button" className={buttonClass("ghost", "sm")} onClick={() => setEditing(n.id)} aria-label={`Edit NIC ${n.name}`}>
                        <Pencil aria-hidden className="size-3.5" />
                        Edit
                      </button>
                      <DeleteDialog
                        action={actions.deleteNic}
                        id={n.id}
                        size="sm"
                        title={`Delete NIC ${n.name}?`}
                        description={n.allocated > 0 ? `${n.allocated} of its VFs are in use; the delete will be refused.` : "It is removed from the host's inventory."}
                      />
                    </div>
                  </Td>
                </Tr>
              ),
            )}
          </tbody>
        </Table>
      )}
    </Card>
  );
}
