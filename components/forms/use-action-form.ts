"use client";
// useActionState for the admin forms: submit without React's automatic form reset (so a
// refused form keeps what the admin typed), a pending flag, focus on the first invalid
// field after a refusal, and a callback on success.
import { startTransition, useActionState, useEffect, useRef, useSyncExternalStore } from "react";
import type { ActionResult } from "@/lib/schemas/action-result";

export type FormAction<T> = (prev: ActionResult<unknown> | null, input: FormData) => Promise<ActionResult<T>>;

const noSubscribe = () => () => {};

/** False while server-rendered and before hydration; true once the form's handlers are live. */
export function useHydrated(): boolean {
  return useSyncExternalStore(noSubscribe, () => true, () => false);
}

export function useActionForm<T>(action: FormAction<T>, onSuccess?: (data: T) => void) {
  const [state, dispatch, pending] = useActionState(action as (prev: ActionResult<T> | null, input: FormData) => Promise<ActionResult<T>>, null);
  const handled = useRef<ActionResult<T> | null>(null);
  const cb = useRef(onSuccess);
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    cb.current = onSuccess;
  });
  useEffect(() => {
    if (!state || handled.current === state) return;
    handled.current = state;
    if (state.ok) cb.current?.(state.data);
    else {
      const form = formRef.current;
      const target = form?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form?.querySelector<HTMLElement>("[data-form-error]");
      target?.focus?.();
    }
  }, [state]);
  const onSubmit = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const fd = new FormData(e.currentTarget);
    startTransition(() => dispatch(fd));
  };
  /** Submits the given fields without a form (delete buttons, quick actions). */
  const submit = (fields: Record<string, string>) => {
    const fd = new FormData();
    for (const [k, v] of Object.entries(fields)) fd.append(k, v);
    startTransition(() => dispatch(fd));
  };
  const failed = state && !state.ok ? state : null;
  const ready = useHydrated();
  /** Spread on the <form>: `data-ready` tells tests (and styles) the handlers are live. */
  const formProps = { ref: formRef, onSubmit, noValidate: true, "data-ready": ready ? "true" : undefined } as const;
  return { state, pending, onSubmit, submit, failed, formRef, ready, formProps };
}
