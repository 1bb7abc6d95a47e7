"use client";
// Demo mode: buttons that inject faults into the simulated fleet (POST /api/v1/demo/faults), then
// keep the page fresh for a while so the HA controller's reaction shows up (unreachable after the
// missed heartbeats, failed after the countdown, VMs rebuilt elsewhere).
import { useEffect, useRef, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import type { TDemoFaultInput } from "@/lib/schemas/demo";
import { buttonClass } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";

export interface FaultPanelHost {
  id: string;
  up: boolean;
  isolated: boolean;
  storageHealthy: boolean;
  nics: { name: string; up: boolean }[];
}

const WATCH_MS = 60_000;
const REFRESH_MS = 2_000;

export function FaultPanel({ host, vm }: { host?: FaultPanelHost; vm?: { id: string; running: boolean } }) {
  const router = useRouter();
  const [, startTransition] = useTransition();
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [nic, setNic] = useState(host?.nics[0]?.name ?? "");
  const [localFails, setLocalFails] = useState(false);
  /** Bumped after each fault: the page then refreshes itself for WATCH_MS. */
  const [watch, setWatch] = useState(0);
  const timer = useRef<ReturnType<typeof setInterval> | null>(null);

  useEffect(() => {
    if (!watch) return;
    const watchUntil = Date.now() + WATCH_MS;
    timer.current = setInterval(() => {
      if (Date.now() > watchUntil) {
        if (timer.current) clearInterval(timer.current);
        return;
      }
      startTransition(() => router.refresh());
    }, REFRESH_MS);
    return () => {
      if (timer.current) clearInterval(timer.current);
    };
  }, [watch, router]);

  async function inject(fault: TDemoFaultInput) {
    setBusy(true);
    setMsg(null);
    try {
      const res = await fetch("/api/v1/demo/faults", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(fault) });
      const body = (await res.json().catch(() => ({}))) as { message?: string; detail?: string; title?: string };
      setMsg(res.ok ? { ok: true, text: body.message ?? "Done" } : { ok: false, text: body.detail ?? body.title ?? `Failed (${res.status})` });
      if (res.ok) {
        setWatch((w) => w + 1);
        startTransition(() => router.refresh());
      }
    } catch {
      setMsg({ ok: false, text: "The console did not answer" });
    } finally {
      setBusy(false);
    }
  }

  // Background refreshes do not disable the buttons; only a fault being sent does.
  const disabled = busy;
  const btn = (label: string, fault: TDemoFaultInput, testId: string, show = true) =>
    show ? (
      <button type="button" className={buttonClass("secondary", "sm")} disabled={disabled} onClick={() => inject(fault)} data-testid={testId}>
        {label}
      </button>
    ) : null;
  const nicUp = host?.nics.find((n) => n.name === nic)?.up ?? true;

  return (
    <Card aria-labelledby="demo-faults-title" data-testid="fault-panel" className="mt-4">
      <CardHeader id="demo-faults-title" title="Simulate a fault" note="demo mode: the simulated fleet, not real hardware" />
      <CardBody className="space-y-3">
        {host && (
          <div className="flex flex-wrap items-center gap-2">
            {host.up ? btn("Fail host (power loss)", { action: "host-down", host: host.id }, "fault-host-down") : btn("Restore host", { action: "host-up", host: host.id }, "fault-host-up")}
            {host.up && (host.isolated ? btn("Restore network", { action: "host-rejoin", host: host.id }, "fault-host-rejoin") : btn("Cut network (isolate)", { action: "host-isolate", host: host.id }, "fault-host-isolate"))}
            {host.up &&
              (host.storageHealthy
                ? btn("Fail storage controller", { action: "storage-down", host: host.id }, "fault-storage-down")
                : btn("Restore storage controller", { action: "storage-up", host: host.id }, "fault-storage-up"))}
            {host.up && host.nics.length > 0 && (
              <span className="inline-flex items-center gap-1.5">
                <label htmlFor="fault-nic" className="text-[12px] text-zinc-600">
                  NIC
                </label>
                <select id="fault-nic" value={nic} onChange={(e) => setNic(e.target.value)} className="h-7 rounded-md border border-zinc-300 bg-white px-1.5 text-[12px]" data-testid="fault-nic">
                  {host.nics.map((n) => (
                    <option key={n.name} value={n.name}>
                      {n.name}
                      {n.up ? "" : " (down)"}
                    </option>
                  ))}
                </select>
                {nicUp ? btn("Fail NIC", { action: "nic-down", host: host.id, nic }, "fault-nic-down") : btn("Restore NIC", { action: "nic-up", host: host.id, nic }, "fault-nic-up")}
              </span>
            )}
          </div>
        )}
        {vm && (
          <div className="flex flex-wrap items-center gap-3">
            <button type="button" className={buttonClass("secondary", "sm")} disabled={disabled || !vm.running} onClick={() => inject({ action: "vm-crash", vm: vm.id, localRestartFails: localFails })} data-testid="fault-vm-crash">
              Crash VM
            </button>
            <label className="inline-flex items-center gap-1.5 text-[12px] text-zinc-600">
              <input type="checkbox" checked={localFails} onChange={(e) => setLocalFails(e.target.checked)} />
              its local restart fails too
            </label>
            {!vm.running && <span className="text-[12px] text-zinc-500">The VM is not running on a simulated host.</span>}
          </div>
        )}
        <p role="status" aria-live="polite" className={msg ? (msg.ok ? "text-[12px] text-emerald-700" : "text-[12px] text-red-700") : "sr-only"}>
          {msg?.text ?? ""}
        </p>
      </CardBody>
    </Card>
  );
}
