// Personal API tokens (better-auth's API key plugin): what a user may ask for. Importable by client code.
import { z } from "zod";
import { ZRole } from "./auth";

/** Every Haven API token starts with this (so a leaked one is recognisable in logs and scanners). */
export const API_TOKEN_PREFIX = "haven_";
export const API_TOKEN_NAME_MAX = 64;
export const API_TOKEN_MAX_DAYS = 365;
/** The expiries the console offers (days). */
export const API_TOKEN_EXPIRY_CHOICES = [7, 30, 90, 365] as const;

export const ZCreateApiTokenInput = z.object({
  name: z.string({ error: "Enter a name" }).trim().min(1, "Enter a name").max(API_TOKEN_NAME_MAX, `Name is at most ${API_TOKEN_NAME_MAX} characters`),
  role: ZRole,
  expiresInDays: z.coerce
    .number({ error: "Choose an expiry" })
    .int("Expiry is a whole number of days")
    .min(1, "A token lives at least 1 day")
    .max(API_TOKEN_MAX_DAYS, `A token lives at most ${API_TOKEN_MAX_DAYS} days`),
});
export type TCreateApiTokenInput = z.output<typeof ZCreateApiTokenInput>;

export const ZRevokeApiTokenInput = z.object({ id: z.string({ error: "Missing token id" }).min(1, "Missing token id").max(64, "Token id is too long") });
