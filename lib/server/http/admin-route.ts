import "server-only";
// The admin side of the JSON API (agent tokens). Three ways in:
//  - a signed-in admin's session cookie (the console),
//  - an admin's personal API token (`Authorization: Bearer haven_…`, role admin), or
//  - HAVEN_ADMIN_TOKEN (16+ characters) as `Authorization: Bearer <admin token>` (scripts, the
//    simulator, benchmarks), which acts as "admin-token" in the audit log.
// Anybody else: 401 (nobody signed in, or a wrong token) or 403 (a viewer or an operator).
import { AppError } from "@/lib/server/errors";
import type { AuditCtx } from "@/lib/server/audit";
import { isAdminToken } from "@/lib/server/agent/tokens";
import { principalFromRequest } from "@/lib/server/auth/request";
import { looksLikeApiToken } from "@/lib/server/auth/api-tokens";
import { bearerToken } from "./problem";

export async function requireAdmin(req: Request): Promise<AuditCtx> {
  const bearer = bearerToken(req);
  if (bearer) {
    if (isAdminToken(bearer)) return { actor: "admin-token" };
    if (!looksLikeApiToken(bearer)) throw new AppError("UNAUTHORIZED", "Wrong admin token: send HAVEN_ADMIN_TOKEN as `Authorization: Bearer <token>`, or sign in as an admin");
  }
  const p = await principalFromRequest(req);
  if (!p) throw new AppError("UNAUTHORIZED", "Sign in as an admin, or send HAVEN_ADMIN_TOKEN as `Authorization: Bearer <token>`");
  if (p.role !== "admin") throw new AppError("FORBIDDEN", `Only an admin may manage agent tokens (you are ${p.role})`);
  return { principal: p };
}
