// The dashboard's HA card: how many host failures the cluster absorbs now (the engine's
// Guarantee assessment), the reserve each host keeps, and every failure set that cannot be
// absorbed with the reason — collapsed, since a large cluster may have many.
import Link from "next/link";
import { ChevronRight, ShieldAlert, ShieldCheck, ShieldOff } from "lucide-react";
import type { HaCardData } from "@/lib/server/queries/dashboard";
import { Card, CardHeader } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { TagChip } from "@/components/ui/status";
import { entityLink } from "@/components/ui/table";
import { fmtAgo, fmtInt, fmtMiB } from "@/components/ui/format";
import { cn } from "@/components/ui/cn";

const MODE: Record<string, string> = { default: "Default", guarantee: "Guarantee", disabled: "Disabled" };
const UNIT: Record<string, [string, string]> = { gpu: ["GPU", "GPUs"], vgpu: ["vGPU slot", "vGPU slots"], sriov: ["VF", "VFs"] };

export function HaCard({ d, now }: { d: HaCardData; now: number }) {
  const ft = d.policy.faultTolerance;
  const disabled = d.policy.haMode === "disabled";
  const ok = d.toleratedFailures >= ft;
  const tone = disabled ? "neutral" : ok ? "green" : d.toleratedFailures > 0 ? "amber" : "red";
  const Icon = disabled ? ShieldOff : ok ? ShieldCheck : ShieldAlert;
  return (
    <Card aria-labelledby="ha-card-title" data-testid="ha-card">
      <CardHeader
        id="ha-card-title"
        title="High availability"
        note={`${MODE[d.policy.haMode] ?? d.policy.haMode} mode · FT${ft} (RF${ft + 1}) · ${d.policy.reservation === "segment" ? "segment-based" : "host-based"} reserve`}
        actions={
          <Link href="/settings/ha" className="text-[12px] font-medium text-blue-700 hover:underline">
            HA settings
          </Link>
        }
      />
      <div className="px-4 py-3">
        <div className="flex items-start gap-3">
          <span
            className={cn(
              "flex size-10 shrink-0 items-center justify-center rounded-full",
              tone === "green" && "bg-emerald-50 text-emerald-600",
              tone === "amber" && "bg-amber-50 text-amber-600",
              tone === "red" && "bg-red-50 text-red-600",
              tone === "neutral" && "bg-zinc-100 text-zinc-500",
            )}
          >
            <Icon aria-hidden className="size-5" />
          </span>
          <div className="min-w-0">
            {disabled ? (
              <p className="text-[15px] font-semibold text-zinc-900" data-testid="ha-tolerates">
                HA is disabled: no VM is restarted when its host fails
              </p>
            ) : (
              <p className="text-[15px] font-semibold text-zinc-900" data-testid="ha-tolerates">
                Tolerates {d.toleratedFailures} host failure{d.toleratedFailures === 1 ? "" : "s"}
                <span className="ml-1.5 text-[13px] font-normal text-zinc-500">
                  of {ft} required
                </span>
              </p>
            )}
            <p className="mt-0.5 text-[12.5px] text-zinc-600">
              {disabled
                ? "Enable HA in the HA settings to protect VMs."
                : d.unabsorbable.total === 0
                  ? `Every failure of ${ft === 1 ? "one host" : "up to two hosts"} can be absorbed: each HA VM has somewhere to restart.`
                  : `${fmtInt(d.unabsorbable.total)} failure set${d.unabsorbable.total === 1 ? "" : "s"} cannot be absorbed: some VMs would have nowhere to restart.`}
              {d.pairsSkipped > 0 && (
                <span className="block text-amber-700">
                  Two-host failures were not evaluated ({fmtInt(d.pairsSkipped)} host pairs at this size); the figures cover single host failures.
                </span>
              )}
            </p>
          </div>
          {d.stale && (
            <Badge tone="amber" className="ml-auto" title="The cluster changed since this was computed; a fresh assessment is being computed">
              as of {fmtAgo(d.asOf, now)}
            </Badge>
          )}
        </div>

        <dl className="mt-3 grid grid-cols-1 gap-x-4 gap-y-2 border-t border-zinc-100 pt-3 text-[12.5px] sm:grid-cols-3">
          <div>
            <dt className="text-[11px] font-medium uppercase tracking-wide text-zinc-500">Protected VMs</dt>
            <dd className="mt-0.5 text-zinc-900">
              <span className="tabular font-semibold">{fmtInt(d.protection.protectedRunning)}</span> of {fmtInt(d.protection.running)} running qualify for HA
              {d.protection.notEligibleRunning > 0 && (
                <Link href="/alerts?kind=VM_HA_INELIGIBLE" className="block text-[12px] text-amber-700 hover:underline">
                  {fmtInt(d.protection.notEligibleRunning)} not HA-eligible
                </Link>
              )}
            </dd>
          </div>
          <div>
            <dt className="text-[11px] font-medium uppercase tracking-wide text-zinc-500">Expected recovery</dt>
            <dd className="mt-0.5 text-zinc-900" title={`${d.recovery.detectS} s (${d.timings.missedHeartbeats} missed × ${d.timings.heartbeatS} s heartbeats) + ${d.recovery.failureTimeoutS} s countdown + ${d.recovery.vmStartS} s VM boot`}>
              <span className="tabular font-semibold">≈ {d.recovery.totalS} s</span> after a power loss
              <span className="block text-[12px] text-zinc-500">
                {d.recovery.detectS} s detection + {d.recovery.failureTimeoutS} s countdown + {d.recovery.vmStartS} s boot
              </span>
            </dd>
          </div>
          <div>
            <dt className="text-[11px] font-medium uppercase tracking-wide text-zinc-500">Failover reserve</dt>
            <dd className="mt-0.5 text-zinc-900">
              <span className="tabular font-semibold">{fmtInt(d.reserve.totalCpus)} vCPU</span> · <span className="tabular font-semibold">{fmtMiB(d.reserve.totalMemoryMiB)}</span>
              <span className="block text-[12px] text-zinc-500">
                {d.policy.haMode === "guarantee" ? "kept free by Guarantee mode" : "what Guarantee mode would keep free"} on {fmtInt(d.onlineHosts)} online host{d.onlineHosts === 1 ? "" : "s"}
              </span>
            </dd>
          </div>
        </dl>

        <details className="group mt-3 rounded-md border border-zinc-200" data-testid="ha-reserve">
          <summary className="flex cursor-pointer list-none items-center gap-1.5 px-3 py-2 text-[12.5px] font-medium text-zinc-800 hover:bg-zinc-50">
            <ChevronRight aria-hidden className="size-3.5 text-zinc-400 transition-transform group-open:rotate-90" />
            Reserve per host
            <span className="font-normal text-zinc-500">
              · {fmtInt(d.reserve.groupCount)} distinct reserve{d.reserve.groupCount === 1 ? "" : "s"}
            </span>
          </summary>
          {d.reserve.groups.length === 0 ? (
            <p className="border-t border-zinc-100 px-3 py-2 text-[12.5px] text-zinc-500">No host needs to keep anything free.</p>
          ) : (
            <ul className="divide-y divide-zinc-100 border-t border-zinc-100">
              {d.reserve.groups.map((g, i) => (
                <li key={i} className="px-3 py-2 text-[12.5px]">
                  <p className="text-zinc-900">
                    <span className="tabular font-medium">{g.cpus} vCPU</span> · <span className="tabular font-medium">{fmtMiB(g.memoryMiB)}</span>
                    {g.devices.map((dv) => (
                      <span key={`${dv.type}:${dv.tag}`} className="ml-2 inline-flex items-center gap-1">
                        <span className="tabular">{dv.count} ×</span>
                        <TagChip type={dv.type} name={dv.tag} />
                        <span className="text-zinc-500">{UNIT[dv.type]?.[dv.count === 1 ? 0 : 1]}</span>
                      </span>
                    ))}
                  </p>
                  <p className="mt-0.5 text-[12px] text-zinc-500">
                    on{" "}
                    {g.hosts.map((h, j) => (
                      <span key={h.id}>
                        {j > 0 && ", "}
                        <Link href={`/hosts/${h.id}`} className={entityLink}>
                          {h.name}
                        </Link>
                      </span>
                    ))}
                    {g.hostCount > g.hosts.length && ` and ${fmtInt(g.hostCount - g.hosts.length)} more`}
                  </p>
                </li>
              ))}
              {d.reserve.groupCount > d.reserve.groups.length && (
                <li className="px-3 py-2 text-[12px] text-zinc-500">and {fmtInt(d.reserve.groupCount - d.reserve.groups.length)} other reserves</li>
              )}
            </ul>
          )}
        </details>

        {d.unabsorbable.total > 0 && (
          <details className="group mt-2 rounded-md border border-red-200" data-testid="ha-unabsorbable">
            <summary className="flex cursor-pointer list-none items-center gap-1.5 px-3 py-2 text-[12.5px] font-medium text-red-800 hover:bg-red-50/60">
              <ChevronRight aria-hidden className="size-3.5 text-red-400 transition-transform group-open:rotate-90" />
              Failure sets that cannot be absorbed
              <span className="tabular font-normal text-red-700">· {fmtInt(d.unabsorbable.total)}</span>
            </summary>
            <ul className="divide-y divide-zinc-100 border-t border-red-100">
              {d.unabsorbable.sets.map((s, i) => (
                <li key={i} className="px-3 py-2 text-[12.5px]" data-testid="ha-unabsorbable-set">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-medium text-zinc-900">
                      If{" "}
                      {s.hosts.map((h, j) => (
                        <span key={h.id}>
                          {j > 0 && " + "}
                          <Link href={`/hosts/${h.id}`} className={entityLink}>
                            {h.name}
                          </Link>
                        </span>
                      ))}{" "}
                      fail{s.hosts.length === 1 ? "s" : ""}
                    </span>
                    {s.hosts.length === 1 && (
                      <Link href={`/?whatif=${encodeURIComponent(s.hosts[0].id)}#what-if`} className="text-[12px] font-medium text-blue-700 hover:underline">
                        What-if
                      </Link>
                    )}
                  </div>
                  <ul className="mt-1 space-y-1">
                    {s.items.map((it, k) => (
                      <li key={k} className="text-zinc-700">
                        {it.vmName ? (
                          <>
                            {it.vmId ? (
                              <Link href={`/vms/${it.vmId}`} className={cn(entityLink, "font-medium")}>
                                {it.vmName}
                              </Link>
                            ) : (
                              <span className="font-medium">{it.vmName}</span>
                            )}{" "}
                            cannot be restarted
                          </>
                        ) : (
                          it.headline
                        )}
                        {it.details.length > 0 && (
                          <ul className="mt-0.5 list-disc space-y-0.5 pl-5 text-[12px] text-zinc-600">
                            {it.details.map((x, n) => (
                              <li key={n}>{x}</li>
                            ))}
                          </ul>
                        )}
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
              {d.unabsorbable.total > d.unabsorbable.sets.length && (
                <li className="px-3 py-2 text-[12px] text-zinc-500">and {fmtInt(d.unabsorbable.total - d.unabsorbable.sets.length)} more failure sets</li>
              )}
            </ul>
          </details>
        )}

        {(d.notProtected?.total ?? 0) > 0 && (
          <details className="group mt-2 rounded-md border border-amber-200" data-testid="ha-not-protected">
            <summary className="flex cursor-pointer list-none items-center gap-1.5 px-3 py-2 text-[12.5px] font-medium text-amber-900 hover:bg-amber-50/60">
              <ChevronRight aria-hidden className="size-3.5 text-amber-500 transition-transform group-open:rotate-90" />
              Not protected: only one host could ever run them
              <span className="tabular font-normal text-amber-800">· {fmtInt(d.notProtected.total)}</span>
              <span className="ml-auto text-[11.5px] font-normal text-amber-800">
                {d.policy.haMode === "guarantee" ? "not counted against the guarantee" : "no capacity can give them another host"}
              </span>
            </summary>
            <ul className="divide-y divide-amber-100 border-t border-amber-100">
              {d.notProtected.vms.map((v) => (
                <li key={v.vmId} className="px-3 py-2 text-[12.5px]" data-testid="ha-not-protected-vm">
                  <Link href={`/vms/${v.vmId}`} className={entityLink}>
                    {v.vmName}
                  </Link>
                  {v.hosts.length > 0 && <span className="text-zinc-500"> on {v.hosts.map((h) => h.name).join(", ")}</span>}
                  <span className="block text-[12px] text-zinc-600">{v.reasons.join("; ")}</span>
                </li>
              ))}
              {d.notProtected.total > d.notProtected.vms.length && <li className="px-3 py-2 text-[12px] text-zinc-500">and {fmtInt(d.notProtected.total - d.notProtected.vms.length)} more</li>}
            </ul>
          </details>
        )}
      </div>
    </Card>
  );
}
