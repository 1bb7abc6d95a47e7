// Form primitives for the admin forms: labelled fields with their errors next to them
// (aria-invalid + aria-describedby), the form-level banner and the submit button.
import { AlertCircle } from "lucide-react";
import { buttonClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";

export const inputClass =
  "h-8 w-full rounded-md border border-zinc-300 bg-white px-2.5 text-[13px] text-zinc-900 shadow-sm placeholder:text-zinc-400 hover:border-zinc-400 focus:border-blue-600 focus:outline-none focus:ring-2 focus:ring-blue-600/20 aria-[invalid=true]:border-red-500 aria-[invalid=true]:ring-red-500/20 disabled:bg-zinc-50 disabled:text-zinc-500";

/** Ids a field's control points at: its error list and its hint. */
export function fieldIds(id: string) {
  return { error: `${id}-error`, hint: `${id}-hint` };
}

/** The aria props of a control with (maybe) an error and a hint. */
export function controlAria(id: string, errors: string[] | undefined, hint?: React.ReactNode) {
  const ids = fieldIds(id);
  const describedBy = [errors?.length ? ids.error : null, hint ? ids.hint : null].filter(Boolean).join(" ");
  return {
    id,
    "aria-invalid": errors?.length ? (true as const) : undefined,
    "aria-describedby": describedBy || undefined,
  };
}

export function FieldErrorText({ id, errors }: { id: string; errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <p id={fieldIds(id).error} className="mt-1 text-[12px] text-red-700" data-field-error>
      {errors.join(" ")}
    </p>
  );
}

/** Label, control (children), hint and error, stacked. */
export function Field({
  id,
  label,
  hint,
  errors,
  className,
  required,
  children,
}: {
  id: string;
  label: React.ReactNode;
  hint?: React.ReactNode;
  errors?: string[];
  className?: string;
  required?: boolean;
  children: React.ReactNode;
}) {
  return (
    <div className={cn("min-w-0", className)}>
      <div className="mb-1 flex items-baseline">
        <label htmlFor={id} className="block text-[12.5px] font-medium text-zinc-800">
          {label}
        </label>
        {required && (
          <span aria-hidden className="ml-0.5 text-[12.5px] text-red-600">
            *
          </span>
        )}
      </div>
      {children}
      {hint && (
        <p id={fieldIds(id).hint} className="mt-1 text-[12px] text-zinc-500">
          {hint}
        </p>
      )}
      <FieldErrorText id={id} errors={errors} />
    </div>
  );
}

type InputProps = Omit<React.InputHTMLAttributes<HTMLInputElement>, "id"> & {
  id: string;
  label: React.ReactNode;
  hint?: React.ReactNode;
  errors?: string[];
  fieldClassName?: string;
};

export function TextField({ id, label, hint, errors, fieldClassName, className, required, ...rest }: InputProps) {
  return (
    <Field id={id} label={label} hint={hint} errors={errors} className={fieldClassName} required={required}>
      <input className={cn(inputClass, className)} required={false} aria-required={required || undefined} {...rest} {...controlAria(id, errors, hint)} />
    </Field>
  );
}

type SelectProps = Omit<React.SelectHTMLAttributes<HTMLSelectElement>, "id"> & {
  id: string;
  label: React.ReactNode;
  hint?: React.ReactNode;
  errors?: string[];
  options: { value: string; label: string }[];
  placeholder?: string;
  fieldClassName?: string;
};

export function SelectField({ id, label, hint, errors, options, placeholder, fieldClassName, className, required, ...rest }: SelectProps) {
  return (
    <Field id={id} label={label} hint={hint} errors={errors} className={fieldClassName} required={required}>
      <select className={cn(inputClass, "pr-7", className)} aria-required={required || undefined} {...rest} {...controlAria(id, errors, hint)}>
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** A checkbox that always submits: a hidden "false" first, "true" when checked (the last value wins). */
export function CheckboxField({
  id,
  name,
  label,
  hint,
  errors,
  defaultChecked,
  checked,
  onChange,
}: {
  id: string;
  name: string;
  label: React.ReactNode;
  hint?: React.ReactNode;
  errors?: string[];
  defaultChecked?: boolean;
  checked?: boolean;
  onChange?: (checked: boolean) => void;
}) {
  return (
    <div>
      <input type="hidden" name={name} value="false" />
      <div className="flex items-center gap-2">
        <input
          type="checkbox"
          name={name}
          value="true"
          className="size-4 rounded border-zinc-300 text-blue-600 focus:ring-2 focus:ring-blue-600/20"
          defaultChecked={checked === undefined ? defaultChecked : undefined}
          checked={checked}
          onChange={onChange ? (e) => onChange(e.currentTarget.checked) : undefined}
          {...controlAria(id, errors, hint)}
        />
        <label htmlFor={id} className="text-[13px] text-zinc-800">
          {label}
        </label>
      </div>
      {hint && (
        <p id={fieldIds(id).hint} className="ml-6 mt-0.5 text-[12px] text-zinc-500">
          {hint}
        </p>
      )}
      <FieldErrorText id={id} errors={errors} />
    </div>
  );
}

/** The form-level error: what went wrong as a whole, announced to screen readers. */
export function FormBanner({ message, fieldErrors }: { message?: string; fieldErrors?: Record<string, string[]> }) {
  if (!message) return null;
  const count = fieldErrors ? Object.keys(fieldErrors).filter((k) => k !== "_form").length : 0;
  const formLevel = fieldErrors?._form ?? [];
  return (
    <div role="alert" tabIndex={-1} data-form-error className="mb-4 flex gap-2 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-[13px] text-red-800">
      <AlertCircle aria-hidden className="mt-0.5 size-4 shrink-0" />
      <div>
        <p className="font-medium">{message}</p>
        {formLevel.map((m, i) => (
          <p key={i}>{m}</p>
        ))}
        {count > 1 && <p className="text-red-700">{count} fields need attention.</p>}
      </div>
    </div>
  );
}

export function SubmitButton({
  pending,
  ready = true,
  children,
  pendingLabel,
  className,
}: {
  pending: boolean;
  /** False until hydrated: a click before then would do a plain GET submit. */
  ready?: boolean;
  children: React.ReactNode;
  pendingLabel?: string;
  className?: string;
}) {
  return (
    <button type="submit" disabled={pending || !ready} aria-busy={pending || undefined} className={cn(buttonClass("primary"), className)}>
      {pending ? (pendingLabel ?? "Saving…") : children}
    </button>
  );
}

export function FormSection({ title, description, children, actions }: { title: string; description?: React.ReactNode; children: React.ReactNode; actions?: React.ReactNode }) {
  return (
    <fieldset className="rounded-md border border-zinc-200 bg-white px-4 pb-4 pt-3 shadow-[0_1px_2px_rgba(0,0,0,0.04)]">
      <div className="mb-3 flex items-start justify-between gap-3">
        <div>
          <legend className="text-[13px] font-semibold text-zinc-900">{title}</legend>
          {description && <p className="mt-0.5 text-[12px] text-zinc-500">{description}</p>}
        </div>
        {actions}
      </div>
      {children}
    </fieldset>
  );
}
