"use client";
// Re-renders the page's server components every `everyMs` while `active` (an open incident, a
// maintenance in progress), without a reload. Stops when the tab is hidden.
import { useEffect, useTransition } from "react";
import { useRouter } from "next/navigation";

export function AutoRefresh({ active, everyMs = 2000, label }: { active: boolean; everyMs?: number; label?: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => {
      if (document.visibilityState === "visible") startTransition(() => router.refresh());
    }, everyMs);
    return () => clearInterval(t);
  }, [active, everyMs, router]);
  if (!active || !label) return null;
  return (
    <span className="inline-flex items-center gap-1.5 text-[12px] text-zinc-500" aria-live="polite">
      <span className={`inline-block size-1.5 rounded-full ${pending ? "bg-sky-500" : "bg-emerald-500"}`} aria-hidden />
      {label}
    </span>
  );
}
