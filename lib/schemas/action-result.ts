// What a server action answers a form with. Importable by client code.

/** Field path ("deviceRequests.0.tag") → messages. */
export type ActionFieldErrors = Record<string, string[]>;

export type ActionResult<T> = { ok: true; data: T } | { ok: false; fieldErrors?: ActionFieldErrors; formError?: string };

/** The messages for one field of a failed result (several names: the first that has some). */
export function fieldError(state: ActionResult<unknown> | null | undefined, ...names: string[]): string[] | undefined {
  if (!state || state.ok || !state.fieldErrors) return undefined;
  for (const n of names) {
    const m = state.fieldErrors[n];
    if (m && m.length) return m;
  }
  return undefined;
}
