// Shows its children only to a role at least `role`. A convenience for hiding controls: the
// services refuse the action itself whatever the page shows.
import { roleAtLeast, type Role } from "@/lib/schemas/auth";
import { getPrincipal } from "@/lib/server/auth/session";

export async function RoleGate({ role, children, fallback = null }: { role: Role; children: React.ReactNode; fallback?: React.ReactNode }) {
  const me = await getPrincipal();
  return roleAtLeast(me?.role, role) ? <>{children}</> : <>{fallback}</>;
}
