// The console's sections, in sidebar order.
export interface NavItem {
  href: string;
  label: string;
  icon: "overview" | "hosts" | "vms" | "gpus" | "networks" | "tags" | "groups" | "alerts" | "incidents" | "gpuDashboard" | "haSettings" | "notifications" | "apiTokens" | "apiDocs";
  group: "Inventory" | "Placement" | "Operations" | "Settings" | null;
}

export const NAV_ITEMS: NavItem[] = [
  { href: "/", label: "Overview", icon: "overview", group: null },
  { href: "/hosts", label: "Hosts", icon: "hosts", group: "Inventory" },
  { href: "/vms", label: "VMs", icon: "vms", group: "Inventory" },
  { href: "/gpus", label: "GPUs", icon: "gpus", group: "Inventory" },
  { href: "/networks", label: "Networks", icon: "networks", group: "Inventory" },
  { href: "/tags", label: "Device tags", icon: "tags", group: "Placement" },
  { href: "/placement-groups", label: "Placement groups", icon: "groups", group: "Placement" },
  { href: "/alerts", label: "Alerts", icon: "alerts", group: "Operations" },
  { href: "/incidents", label: "Incidents", icon: "incidents", group: "Operations" },
  { href: "/gpus/dashboard", label: "GPU dashboard", icon: "gpuDashboard", group: "Operations" },
  { href: "/settings/ha", label: "HA settings", icon: "haSettings", group: "Settings" },
  { href: "/settings/notifications", label: "Notifications", icon: "notifications", group: "Settings" },
  { href: "/settings/api-tokens", label: "API tokens", icon: "apiTokens", group: "Settings" },
  { href: "/api-docs", label: "API reference", icon: "apiDocs", group: "Settings" },
];

function under(pathname: string, href: string): boolean {
  return pathname === href || pathname.startsWith(`${href}/`);
}

/** Whether `href` is the current section: the most specific item wins (/gpus/dashboard is not /gpus). */
export function isActive(pathname: string, href: string): boolean {
  if (href === "/") return pathname === "/";
  return under(pathname, href) && !NAV_ITEMS.some((o) => o.href !== href && o.href.startsWith(`${href}/`) && under(pathname, o.href));
}
