import "server-only";
// Who is acting. Services take it in ctx and check the role there (not only the UI).
//
// A principal is a signed-in user. A ctx with no `principal` key is an in-process caller the
// code trusts (seed, scenario runner, CLI scripts, the HA controller): it acts as "system".
// Actions and routes ALWAYS pass the principal they resolved from the session — `null` when
// nobody is signed in — so a request can never be mistaken for the system.
import { AsyncLocalStorage } from "node:async_hooks";
import { roleAtLeast, type Role } from "@/lib/schemas/auth";
import { AppError } from "@/lib/server/errors";

export interface Principal {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** Set when the request came with a personal API token (its role is already folded into `role`). */
  token?: { id: string; name: string };
}

export interface AuthCtx {
  /** The signed-in user; null for an anonymous request; absent for a trusted in-process caller. */
  principal?: Principal | null;
}

const NEED_WORD: Record<Role, string> = { viewer: "a viewer", operator: "an operator", admin: "an admin" };

/** Throws UNAUTHORIZED (nobody signed in) or FORBIDDEN (role too low). A ctx without principal is the system. */
export function authorize(ctx: AuthCtx | undefined, need: Role): Principal | "system" {
  if (!ctx || !("principal" in ctx)) return "system";
  const p = ctx.principal;
  if (!p) throw new AppError("UNAUTHORIZED", "Sign in first");
  if (!roleAtLeast(p.role, need)) throw new AppError("FORBIDDEN", `Only ${NEED_WORD[need]} or above may do this (you are ${p.role})`);
  return p;
}

/** The audit actor of a ctx: the user's email, else the ctx's own actor name, else "system". */
export function actorOf(ctx: (AuthCtx & { actor?: string; userId?: string | null }) | undefined): { actor: string; userId: string | null } {
  if (ctx?.principal) {
    const t = ctx.principal.token;
    return { actor: t ? `${ctx.principal.email} (API token "${t.name}")` : ctx.principal.email, userId: ctx.principal.id };
  }
  return { actor: ctx?.actor ?? "system", userId: ctx?.userId ?? null };
}

// ------------------------------------------------------------------ test seam
// Tests (and scripts) call server actions and routes as plain functions, outside a request:
// `runAs(principal, fn)` makes `getPrincipal()` answer that principal inside fn.
const als = new AsyncLocalStorage<{ principal: Principal | null }>();

export function runAs<T>(principal: Principal | null, fn: () => T): T {
  return als.run({ principal }, fn);
}

export function principalOverride(): { principal: Principal | null } | undefined {
  return als.getStore();
}
