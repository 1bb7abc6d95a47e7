import "server-only";
// The signed-in user of the current request. Pages use `requirePageRole` (redirects), actions
// and routes `getPrincipal()` and pass it to the services, which check the role.
import { cache } from "react";
import { redirect } from "next/navigation";
import { roleAtLeast, ROLES, type Role } from "@/lib/schemas/auth";
import { AppError } from "@/lib/server/errors";
import { getAuth } from "./auth";
import { principalOverride, type Principal } from "./principal";

export type { Principal } from "./principal";

/** The current request's headers; empty outside a request (scripts, tests). */
export async function currentRequestHeaders(): Promise<Headers> {
  return (await requestHeaders()) ?? new Headers();
}

async function requestHeaders(): Promise<Headers | null> {
  try {
    const { headers } = await import("next/headers");
    return new Headers(await headers());
  } catch {
    return null; // outside a request (scripts, tests without runAs)
  }
}

/** The user a request's cookie names (null when anonymous, expired or unknown). */
export async function principalFromHeaders(h: Headers): Promise<Principal | null> {
  if (!/haven[.-]session_token/.test(h.get("cookie") ?? "")) return null;
  let s;
  try {
    s = await getAuth().api.getSession({ headers: h });
  } catch {
    return null;
  }
  if (!s?.user) return null;
  const u = s.user as { id: string; email: string; name: string; role?: string | null };
  const role = (ROLES as readonly string[]).includes(u.role ?? "") ? (u.role as Role) : "viewer";
  return { id: u.id, email: u.email, name: u.name, role };
}

const cachedPrincipal = cache(async (): Promise<Principal | null> => {
  const h = await requestHeaders();
  return h ? principalFromHeaders(h) : null;
});

/** The signed-in user, or null. Tests and scripts set it with `runAs`. */
export async function getPrincipal(): Promise<Principal | null> {
  const o = principalOverride();
  if (o) return o.principal;
  return cachedPrincipal();
}

/** For routes and actions: the user, or an UNAUTHORIZED / FORBIDDEN AppError. */
export async function requireRole(need: Role): Promise<Principal> {
  const p = await getPrincipal();
  if (!p) throw new AppError("UNAUTHORIZED", "Sign in first");
  if (!roleAtLeast(p.role, need)) throw new AppError("FORBIDDEN", `Your role (${p.role}) may not do this`);
  return p;
}

/** For pages: the user, else a redirect to /sign-in (anonymous) or /forbidden (role too low). */
export async function requirePageRole(need: Role = "viewer"): Promise<Principal> {
  const p = await getPrincipal();
  if (!p) redirect("/sign-in");
  if (!roleAtLeast(p.role, need)) redirect("/forbidden");
  return p;
}
