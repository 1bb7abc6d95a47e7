import "server-only";
// The admin side of the JSON API (agent tokens for now). Until the console has user sessions it
// is guarded by one shared secret: HAVEN_ADMIN_TOKEN (at least 16 characters), sent as
// `Authorization: Bearer <admin token>`. Without HAVEN_ADMIN_TOKEN the admin API does not exist (404).
import { AppError } from "@/lib/server/errors";
import { adminApiEnabled, isAdminToken } from "@/lib/server/agent/tokens";
import { bearerToken } from "./problem";

export function requireAdmin(req: Request): void {
  if (!adminApiEnabled()) throw new AppError("NOT_FOUND", "The admin API is off: set HAVEN_ADMIN_TOKEN (16+ characters) on the console to enable it");
  if (!isAdminToken(bearerToken(req))) throw new AppError("UNAUTHORIZED", "Send the admin token as `Authorization: Bearer <HAVEN_ADMIN_TOKEN>`");
}
