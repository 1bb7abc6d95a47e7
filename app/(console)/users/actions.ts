"use server";
// Users (admin): create, change role, delete. Thin over lib/server/auth/users.ts (role-checked, audited).
import type { ActionResult } from "@/lib/schemas/action-result";
import { runServiceAction } from "@/lib/server/auth/action";
import { createUser, deleteUser, setUserRole } from "@/lib/server/auth/users";

type Prev = ActionResult<unknown> | null;
type Input = FormData | Record<string, unknown>;

export async function createUserAction(_prev: Prev, input: Input) {
  return runServiceAction(input, async (raw, ctx) => {
    const u = await createUser(raw, ctx);
    return { id: u.id, email: u.email, role: u.role };
  });
}

export async function setUserRoleAction(_prev: Prev, input: Input) {
  return runServiceAction(input, async (raw, ctx) => {
    const u = await setUserRole(raw, ctx);
    return { id: u.id, role: u.role };
  });
}

export async function deleteUserAction(_prev: Prev, input: Input) {
  return runServiceAction(input, (raw, ctx) => deleteUser(raw, ctx));
}
