"use client";
// Live pages: while the tab is visible, ask the server every `intervalMs` whether anything a live
// page shows has changed (GET /api/v1/changes, a cheap version token) and re-render the page
// (router.refresh: server components re-run, client state such as open <details> or a chosen
// what-if host is kept) only when it has. Forms are never disturbed: edit and create pages are
// not live, and a refresh waits while someone is typing in a text field or a dialog is open.
import { startTransition, useEffect } from "react";
import { usePathname, useRouter } from "next/navigation";

/** The pages that follow the cluster live. */
export function isLivePath(pathname: string): boolean {
  if (/\/(edit|new)(\/|$)/.test(pathname)) return false;
  return (
    pathname === "/" ||
    /^\/(hosts|vms|alerts|incidents|gpus|tags)(\/[^/]+)?\/?$/.test(pathname) ||
    pathname === "/gpus/dashboard"
  );
}

function busyEditing(): boolean {
  const el = document.activeElement as HTMLElement | null;
  if (el) {
    const tag = el.tagName;
    const type = (el as HTMLInputElement).type;
    if (tag === "TEXTAREA" || el.isContentEditable) return true;
    if (tag === "INPUT" && !["button", "submit", "reset", "checkbox", "radio", "range", "color", "file"].includes(type)) return true;
  }
  return document.querySelector("dialog[open], [role='dialog'], [role='alertdialog'], [data-live-pause]") !== null;
}

export function LiveRefresh({ intervalMs = 1000 }: { intervalMs?: number }) {
  const router = useRouter();
  const pathname = usePathname();
  const live = isLivePath(pathname);

  useEffect(() => {
    if (!live) return;
    let seen: string | null = null;
    let stopped = false;
    let inflight = false;
    let timer: ReturnType<typeof setTimeout> | null = null;

    const schedule = () => {
      if (stopped) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(tick, intervalMs);
    };
    async function tick() {
      if (stopped) return;
      if (document.hidden || inflight) return schedule();
      inflight = true;
      try {
        const res = await fetch(`/api/v1/changes${seen ? `?since=${encodeURIComponent(seen)}` : ""}`, { cache: "no-store", headers: { accept: "application/json" } });
        if (res.ok) {
          const { version } = (await res.json()) as { version: string };
          if (seen === null) seen = version;
          else if (version !== seen && !busyEditing()) {
            seen = version;
            startTransition(() => router.refresh());
          }
        }
      } catch {
        // The console is restarting or the network blinked: try again next time.
      } finally {
        inflight = false;
        schedule();
      }
    }
    const onVisible = () => {
      if (!document.hidden) tick();
    };
    document.addEventListener("visibilitychange", onVisible);
    schedule();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [live, intervalMs, router, pathname]);

  return null;
}
