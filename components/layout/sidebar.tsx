"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { Bell, BellRing, BookOpen, ChartColumnBig, Gpu, KeyRound, LayoutDashboard, Monitor, Network, Server, ShieldCheck, Siren, Tags, Waypoints } from "lucide-react";
import { cn } from "@/components/ui/cn";
import { isActive, NAV_ITEMS, type NavItem } from "./nav-items";

const ICONS: Record<NavItem["icon"], React.ComponentType<{ className?: string; "aria-hidden"?: boolean }>> = {
  overview: LayoutDashboard,
  hosts: Server,
  vms: Monitor,
  gpus: Gpu,
  networks: Network,
  tags: Tags,
  groups: Waypoints,
  alerts: Bell,
  incidents: Siren,
  gpuDashboard: ChartColumnBig,
  haSettings: ShieldCheck,
  notifications: BellRing,
  apiTokens: KeyRound,
  apiDocs: BookOpen,
};

/** The console's primary navigation (left rail on wide screens, a scrolling row on narrow ones). */
/** `alerts`: the open alerts by severity; the badge is red only for a critical one (an info alert is not an emergency). */
export function Sidebar({ alerts }: { alerts: { open: number; critical: number; warning: number; info: number } }) {
  const openAlerts = alerts.open;
  const badgeTone = alerts.critical > 0 ? "bg-red-600 text-white" : alerts.warning > 0 ? "bg-amber-500 text-zinc-950" : "bg-sky-600 text-white";
  const pathname = usePathname();
  const groups: (NavItem["group"])[] = [null, "Inventory", "Placement", "Operations", "Settings"];
  return (
    <nav aria-label="Console" className="flex gap-1 overflow-x-auto px-2 py-2 md:flex-col md:gap-0 md:overflow-visible md:px-3 md:py-3">
      {groups.map((g) => (
        <div key={g ?? "top"} className="flex gap-1 md:mb-3 md:block">
          {g && <p className="hidden px-2 pb-1 pt-1 text-[10.5px] font-semibold uppercase tracking-[0.08em] text-zinc-500 md:block">{g}</p>}
          <ul className="flex gap-1 md:block md:space-y-px">
            {NAV_ITEMS.filter((i) => i.group === g).map((item) => {
              const Icon = ICONS[item.icon];
              const active = isActive(pathname, item.href);
              return (
                <li key={item.href}>
                  <Link
                    href={item.href}
                    aria-current={active ? "page" : undefined}
                    className={cn(
                      "flex items-center gap-2.5 whitespace-nowrap rounded-md px-2 py-1.5 text-[13px] transition-colors",
                      active ? "bg-zinc-800 font-medium text-white" : "text-zinc-300 hover:bg-zinc-800/60 hover:text-white",
                    )}
                  >
                    <Icon aria-hidden className={cn("size-4 shrink-0", active ? "text-blue-400" : "text-zinc-400")} />
                    <span className="flex-1">{item.label}</span>
                    {item.icon === "alerts" && openAlerts > 0 && (
                      <span
                        className={cn("tabular rounded-full px-1.5 text-[11px] font-semibold leading-[18px]", badgeTone)}
                        aria-label={`${openAlerts} open${alerts.critical ? `, ${alerts.critical} critical` : ""}`}
                        data-testid="sidebar-alerts"
                        data-tone={alerts.critical > 0 ? "critical" : alerts.warning > 0 ? "warning" : "info"}
                      >
                        {openAlerts > 999 ? "999+" : openAlerts}
                      </span>
                    )}
                  </Link>
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </nav>
  );
}
