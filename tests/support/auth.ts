// Users of each role in a test store, and `runAs` to call actions and routes as one of them.
import type { PrismaClient } from "@prisma/client";
import type { Role } from "@/lib/schemas/auth";
import { runAs, type Principal } from "@/lib/server/auth/principal";

export { runAs };

export type RolePrincipals = Record<Role, Principal>;

/** Creates one user per role (no password: these sign in through runAs only). */
export async function seedRoleUsers(db: PrismaClient, prefix = "t"): Promise<RolePrincipals> {
  const out = {} as RolePrincipals;
  for (const role of ["viewer", "operator", "admin"] as Role[]) {
    const email = `${prefix}-${role}@haven.test`;
    const u = await db.user.upsert({ where: { email }, create: { email, name: `${role} ${prefix}`, role }, update: { role } });
    out[role] = { id: u.id, email: u.email, name: u.name, role };
  }
  return out;
}
