// Typed service errors from a closed set of codes. Services throw them; actions turn them
// into `{ ok: false, formError, fieldErrors }`, routes into RFC 9457 problem+json.
import { z } from "zod";

export const APP_ERROR_CODES = [
  "NOT_FOUND",
  "VALIDATION",
  "CONFLICT",
  "FORBIDDEN",
  "UNAUTHORIZED",
  "UNAVAILABLE",
  "INTERNAL",
] as const;

export type AppErrorCode = (typeof APP_ERROR_CODES)[number];

/** Field path ("vms.3.devices.0") → messages. */
export type FieldErrors = Record<string, string[]>;

/** The HTTP status that goes with each code. */
export const APP_ERROR_STATUS: Record<AppErrorCode, number> = {
  NOT_FOUND: 404,
  VALIDATION: 422,
  CONFLICT: 409,
  FORBIDDEN: 403,
  UNAUTHORIZED: 401,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/**
 * Marks an AppError across copies of this module: a production bundle may load it more than once
 * (each chunk its own class), and an error made by one copy (e.g. the controller channel's, which
 * lives in the instrumentation bundle) must still be recognised by another's `isAppError`.
 */
const APP_ERROR_BRAND = Symbol.for("haven.app-error");

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly fieldErrors?: FieldErrors;

  constructor(code: AppErrorCode, message: string, fieldErrors?: FieldErrors, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AppError";
    this.code = code;
    (this as unknown as Record<symbol, boolean>)[APP_ERROR_BRAND] = true;
    if (fieldErrors && Object.keys(fieldErrors).length > 0) this.fieldErrors = fieldErrors;
  }

  get status(): number {
    return APP_ERROR_STATUS[this.code];
  }
}

export function isAppError(e: unknown): e is AppError {
  if (e instanceof AppError) return true;
  return (
    typeof e === "object" &&
    e !== null &&
    (e as Record<symbol, unknown>)[APP_ERROR_BRAND] === true &&
    (APP_ERROR_CODES as readonly string[]).includes((e as { code?: string }).code ?? "")
  );
}

/** Top-level field errors of a ZodError (zod 4 `z.flattenError`), without empty entries. */
export function zodFieldErrors(err: z.ZodError): FieldErrors {
  const flat = z.flattenError(err);
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(flat.fieldErrors as Record<string, string[] | undefined>)) {
    if (v && v.length) out[k] = v;
  }
  if (flat.formErrors.length) out._form = flat.formErrors;
  return out;
}

/** Field errors keyed by the full dotted path of each issue ("hosts.0.gpus.1.model"). */
export function zodPathErrors(err: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of err.issues) {
    const key = issue.path.length ? issue.path.map(String).join(".") : "_form";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

/** A VALIDATION AppError from a ZodError (full-path field errors). */
export function appErrorFromZod(err: z.ZodError, message = "Invalid input"): AppError {
  return new AppError("VALIDATION", message, zodPathErrors(err), { cause: err });
}
