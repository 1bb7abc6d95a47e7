// Users, roles, sign-in and the audit filter. Importable by client code.
import { z } from "zod";

export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** What each role may do (the README's table says the same). */
export const ROLE_SUMMARY: Record<Role, string> = {
  viewer: "Read every page",
  operator: "Viewer, plus power VMs on/off, host maintenance, acknowledge/resolve alerts, demo faults",
  admin: "Operator, plus inventory, device tags, HA settings, users and agent tokens",
};

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether `role` may do what `need` may. An unknown role may do nothing. */
export function roleAtLeast(role: string | null | undefined, need: Role): boolean {
  return role != null && Object.hasOwn(RANK, role) && RANK[role as Role] >= RANK[need];
}

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

const email = z
  .string({ error: "Enter an email address" })
  .trim()
  .toLowerCase()
  .min(1, "Enter an email address")
  .max(254, "Email is at most 254 characters")
  .pipe(z.email({ error: "Enter a valid email address" }));

const password = z
  .string({ error: "Enter a password" })
  .min(PASSWORD_MIN, `Password must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `Password is at most ${PASSWORD_MAX} characters`);

const name = z.string({ error: "Enter a name" }).trim().min(1, "Enter a name").max(100, "Name is at most 100 characters");

export const ZRole = z.enum(ROLES, { error: "Role must be viewer, operator or admin" });

export const ZSignInInput = z.object({
  email,
  password: z.string({ error: "Enter your password" }).min(1, "Enter your password").max(PASSWORD_MAX, `Password is at most ${PASSWORD_MAX} characters`),
});

export const ZSetupInput = z.object({ email, name, password });

export const ZCreateUserInput = z.object({ email, name, password, role: ZRole });

export const ZSetUserRoleInput = z.object({ id: z.string({ error: "Missing user id" }).min(1, "Missing user id").max(64, "User id is too long"), role: ZRole });

export const ZDeleteUserInput = z.object({ id: z.string({ error: "Missing user id" }).min(1, "Missing user id").max(64, "User id is too long") });

export const ZHostTokenInput = z.object({ hostId: z.string({ error: "Missing host id" }).min(1, "Missing host id").max(128, "Host id is too long") });

export const ZAlertInput = z.object({
  id: z.string({ error: "Missing alert id" }).min(1, "Missing alert id").max(64, "Alert id is too long"),
  note: z.string().trim().max(500, "Note is at most 500 characters").optional(),
});

export const ZVmPowerInput = z.object({ vmId: z.string({ error: "Missing VM id" }).min(1, "Missing VM id").max(64, "VM id is too long") });
export const ZMaintenanceInput = z.object({
  hostId: z.string({ error: "Missing host id" }).min(1, "Missing host id").max(64, "Host id is too long"),
  /** Enter maintenance: rebuild device VMs on other hosts when their device tags allow (else they are powered off). */
  rebuildDeviceVms: z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean()).optional(),
});

const optText = (max: number) => z.preprocess((v) => (v === "" || v === null ? undefined : v), z.string().trim().max(max).optional());
const optDate = z.preprocess(
  (v) => (v === "" || v === null ? undefined : v),
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use a YYYY-MM-DD date").optional(),
);

/** /audit filters (URL search params). */
export const ZAuditFilter = z.object({
  actor: optText(254),
  action: optText(64),
  entity: optText(128),
  from: optDate,
  to: optDate,
  page: z.preprocess((v) => (v === "" || v == null ? undefined : v), z.coerce.number().int().min(1).max(100_000).optional()),
});
export type TAuditFilter = z.output<typeof ZAuditFilter>;
