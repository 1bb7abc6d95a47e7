"use client";
// The host page's reconciliation card (issue 12): devices the host's agent found that the
// inventory lacks (add with one click, make one replace a missing device — an explicit re-map, the
// console never does it on its own — or ignore), and devices of the inventory the agent no longer
// reports (missing: not allocated; the VMs that hold or name them are listed). Shown to admins when
// there is something to show; the services check the role again and audit.
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import type { ActionResult } from "@/lib/schemas/action-result";
import { Card, CardHeader } from "@/components/ui/card";
import { Table, THead, Th, Td, Tr } from "@/components/ui/table";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";

export interface DiscoveredDeviceView {
  id: string;
  kind: "gpu" | "nic";
  name: string;
  identity: string;
  model: string | null;
  pciAddress: string | null;
  status: "new" | "ignored";
  firstSeenAt: string;
  detail: string;
}

export interface MissingDeviceView {
  id: string;
  kind: "gpu" | "nic";
  name: string;
  model: string | null;
  pciAddress: string | null;
  missingSince: string;
  vms: string[];
}

export interface DiscoveredDeviceActions {
  add: (id: string) => Promise<ActionResult<{ name: string }>>;
  replace: (id: string, replaces: string) => Promise<ActionResult<{ name: string }>>;
  ignore: (id: string, ignored: boolean) => Promise<ActionResult<{ status: string }>>;
}

const kindLabel = (k: "gpu" | "nic") => (k === "gpu" ? "GPU" : "NIC");
const when = (iso: string) => new Date(iso).toISOString().replace("T", " ").slice(0, 16) + " UTC";

export function DiscoveredDevices({
  hostName,
  discovered,
  missing,
  actions,
}: {
  hostName: string;
  discovered: DiscoveredDeviceView[];
  missing: MissingDeviceView[];
  actions: DiscoveredDeviceActions;
}) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [replaces, setReplaces] = useState<Record<string, string>>({});
  if (discovered.length === 0 && missing.length === 0) return null;

  const run = (what: () => Promise<ActionResult<unknown>>, ok: string) =>
    start(async () => {
      setError(null);
      setDone(null);
      const r = await what();
      if (r.ok) {
        setDone(ok);
        router.refresh();
      } else setError(r.formError ?? "The change failed");
    });

  return (
    <Card className="mt-4" aria-labelledby="discovered-devices-title" data-testid="discovered-devices">
      <CardHeader id="discovered-devices-title" title="Devices reported by the agent" note={`what ${hostName}'s agent found differs from the inventory`} />
      {discovered.length > 0 && (
        <Table label={`Devices found on ${hostName}, not in the inventory`}>
          <THead>
            <Th>Found, not in the inventory</Th>
            <Th>Model</Th>
            <Th>PCI address</Th>
            <Th>Identity</Th>
            <Th>Since</Th>
            <Th align="right">Action</Th>
          </THead>
          <tbody>
            {discovered.map((d) => {
              const candidates = missing.filter((m) => m.kind === d.kind);
              const target = replaces[d.id] ?? "";
              return (
                <Tr key={d.id} className={d.status === "ignored" ? "opacity-60" : undefined}>
                  <Td>
                    <span className="font-medium text-zinc-900">{d.name}</span> <Badge tone="zinc">{kindLabel(d.kind)}</Badge>{" "}
                    {d.status === "ignored" && <Badge tone="neutral">ignored</Badge>}
                    {d.detail && <div className="text-[12px] text-zinc-500">{d.detail}</div>}
                  </Td>
                  <Td>{d.model ?? "—"}</Td>
                  <Td className="font-mono text-[12px]">{d.pciAddress ?? "—"}</Td>
                  <Td className="max-w-56 truncate font-mono text-[11px] text-zinc-500" title={d.identity}>
                    {d.identity}
                  </Td>
                  <Td className="text-[12px] text-zinc-500">{when(d.firstSeenAt)}</Td>
                  <Td align="right">
                    <div className="flex flex-wrap items-center justify-end gap-1.5">
                      <button type="button" disabled={pending} className={buttonClass("primary", "sm")} onClick={() => run(() => actions.add(d.id), `${d.name} added to the inventory`)}>
                        Add
                      </button>
                      {candidates.length > 0 && (
                        <>
                          <label className="sr-only" htmlFor={`replaces-${d.id}`}>
                            Missing device {d.name} replaces
                          </label>
                          <select
                            id={`replaces-${d.id}`}
                            className="h-7 rounded-md border border-zinc-300 bg-white px-1.5 text-[12px]"
                            value={target}
                            onChange={(e) => setReplaces({ ...replaces, [d.id]: e.target.value })}
                          >
                            <option value="">replaces…</option>
                            {candidates.map((m) => (
                              <option key={m.id} value={m.id}>
                                {m.name}
                              </option>
                            ))}
                          </select>
                          <button
                            type="button"
                            disabled={pending || !target}
                            className={buttonClass("secondary", "sm")}
                            onClick={() => run(() => actions.replace(d.id, target), `${d.name} replaces ${candidates.find((m) => m.id === target)?.name ?? "the missing device"}`)}
                          >
                            Replace
                          </button>
                        </>
                      )}
                      <button
                        type="button"
                        disabled={pending}
                        className={buttonClass("ghost", "sm")}
                        onClick={() => run(() => actions.ignore(d.id, d.status !== "ignored"), d.status === "ignored" ? `${d.name} no longer ignored` : `${d.name} ignored`)}
                      >
                        {d.status === "ignored" ? "Un-ignore" : "Ignore"}
                      </button>
                    </div>
                  </Td>
                </Tr>
              );
            })}
          </tbody>
        </Table>
      )}
      {missing.length > 0 && (
        <Table label={`Devices missing on ${hostName}`}>
          <THead>
            <Th>Missing (the agent no longer reports it)</Th>
            <Th>Model</Th>
            <Th>PCI address</Th>
            <Th>Since</Th>
            <Th>VMs that lost it</Th>
          </THead>
          <tbody>
            {missing.map((m) => (
              <Tr key={m.id}>
                <Td>
                  <span className="font-medium text-zinc-900">{m.name}</span> <Badge tone="amber">{kindLabel(m.kind)} missing</Badge>
                </Td>
                <Td>{m.model ?? "—"}</Td>
                <Td className="font-mono text-[12px]">{m.pciAddress ?? "—"}</Td>
                <Td className="text-[12px] text-zinc-500">{when(m.missingSince)}</Td>
                <Td className="text-[12px]">{m.vms.length ? m.vms.join(", ") : "none"}</Td>
              </Tr>
            ))}
          </tbody>
        </Table>
      )}
      <div className="px-4 py-2 text-[12px] text-zinc-500">
        A missing device is not allocated until the agent reports it again or a found device replaces it. A different card in its slot is never taken for it on its own.
      </div>
      {error && (
        <p role="alert" className="mx-4 mb-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-[13px] text-red-800">
          {error}
        </p>
      )}
      {done && (
        <p role="status" className="mx-4 mb-3 text-[13px] text-green-800">
          {done}
        </p>
      )}
    </Card>
  );
}
