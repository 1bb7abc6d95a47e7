"use client";
// The sign-in and first-run setup forms.
import { fieldError } from "@/lib/schemas/action-result";
import { PASSWORD_MIN } from "@/lib/schemas/auth";
import { FormBanner, SubmitButton, TextField } from "@/components/forms/fields";
import { useActionForm, type FormAction } from "@/components/forms/use-action-form";

export function SignInForm({ action, next }: { action: FormAction<null>; next?: string }) {
  const { failed, pending, ready, formProps } = useActionForm(action);
  return (
    <form {...formProps} aria-label="Sign in" className="space-y-3">
      <FormBanner message={failed?.formError} fieldErrors={failed?.fieldErrors} />
      {next && <input type="hidden" name="next" value={next} />}
      <TextField id="signin-email" name="email" type="email" label="Email" autoComplete="username" required errors={fieldError(failed, "email")} />
      <TextField id="signin-password" name="password" type="password" label="Password" autoComplete="current-password" required errors={fieldError(failed, "password")} />
      <SubmitButton pending={pending} ready={ready} pendingLabel="Signing in…" className="w-full">
        Sign in
      </SubmitButton>
    </form>
  );
}

export function SetupForm({ action }: { action: FormAction<null> }) {
  const { failed, pending, ready, formProps } = useActionForm(action);
  return (
    <form {...formProps} aria-label="Create the first admin" className="space-y-3">
      <FormBanner message={failed?.formError} fieldErrors={failed?.fieldErrors} />
      <TextField id="setup-name" name="name" label="Name" autoComplete="name" required errors={fieldError(failed, "name")} />
      <TextField id="setup-email" name="email" type="email" label="Email" autoComplete="username" required errors={fieldError(failed, "email")} />
      <TextField
        id="setup-password"
        name="password"
        type="password"
        label="Password"
        autoComplete="new-password"
        hint={`At least ${PASSWORD_MIN} characters`}
        required
        errors={fieldError(failed, "password")}
      />
      <SubmitButton pending={pending} ready={ready} pendingLabel="Creating…" className="w-full">
        Create admin and sign in
      </SubmitButton>
    </form>
  );
}
