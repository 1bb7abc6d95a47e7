"use client";
// A GET form for list filters: works as a plain form (Enter / Apply), and submits by itself
// when a select changes. Next's <Form> turns the submit into a client-side navigation, so the
// filters live in the URL and the server does the filtering.
import Form from "next/form";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Search, X } from "lucide-react";
import { buttonClass } from "./button";
import { cn } from "./cn";

export function FilterBar({
  action,
  keep,
  resetHref,
  active,
  label = "Filters",
  children,
}: {
  /** The list's pathname. */
  action: string;
  /** Params carried over unchanged (sort, dir, size). */
  keep?: Record<string, string | undefined>;
  resetHref?: string;
  /** Whether any filter is set (shows "Clear"). */
  active?: boolean;
  label?: string;
  children: React.ReactNode;
}) {
  // Remount on every URL change so the fields show the URL's values (after "Clear", back/forward).
  const keyOf = useSearchParams().toString();
  return (
    <Form
      key={keyOf}
      action={action}
      scroll={false}
      role="search"
      aria-label={label}
      className="flex flex-wrap items-end gap-2 border-b border-zinc-200 px-4 py-2.5"
      onSubmit={(e) => {
        // Leave blank fields out of the URL ("?power=running", not "?q=&host=&power=running"):
        // disabled fields are not submitted; they are enabled again right after.
        const blank = [...e.currentTarget.elements].filter(
          (el): el is HTMLInputElement | HTMLSelectElement =>
            (el instanceof HTMLInputElement || el instanceof HTMLSelectElement) && el.name !== "" && el.value === "" && !el.disabled,
        );
        for (const el of blank) el.disabled = true;
        setTimeout(() => {
          for (const el of blank) el.disabled = false;
        }, 0);
      }}
      onChange={(e) => {
        const t = e.target as HTMLElement;
        if (t instanceof HTMLSelectElement) t.form?.requestSubmit();
      }}
    >
      {children}
      {Object.entries(keep ?? {}).map(([k, v]) => (v ? <input key={k} type="hidden" name={k} value={v} /> : null))}
      <button type="submit" className={buttonClass("secondary", "sm")}>
        Apply
      </button>
      {active && resetHref && (
        <Link href={resetHref} className={cn(buttonClass("ghost", "sm"), "text-zinc-600")}>
          <X aria-hidden className="size-3.5" />
          Clear
        </Link>
      )}
    </Form>
  );
}

const fieldClass =
  "h-7 rounded-md border border-zinc-300 bg-white px-2 text-[12.5px] text-zinc-900 shadow-sm hover:border-zinc-400 focus:border-blue-600 focus:outline-none focus:ring-2 focus:ring-blue-600/20";

export function FilterSelect({
  name,
  label,
  value,
  options,
  allLabel = "All",
  className,
}: {
  name: string;
  label: string;
  value?: string;
  options: { value: string; label: string }[];
  allLabel?: string;
  className?: string;
}) {
  const id = `filter-${name}`;
  return (
    <div className={cn("flex flex-col gap-0.5", className)}>
      <label htmlFor={id} className="text-[11px] font-medium uppercase tracking-wide text-zinc-500">
        {label}
      </label>
      <select id={id} name={name} defaultValue={value ?? ""} className={cn(fieldClass, "pr-7")}>
        <option value="">{allLabel}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function SearchInput({ name = "q", label = "Search", value, placeholder }: { name?: string; label?: string; value?: string; placeholder?: string }) {
  const id = `filter-${name}`;
  return (
    <div className="flex flex-col gap-0.5">
      <label htmlFor={id} className="text-[11px] font-medium uppercase tracking-wide text-zinc-500">
        {label}
      </label>
      <div className="relative">
        <Search aria-hidden className="pointer-events-none absolute left-2 top-1/2 size-3.5 -translate-y-1/2 text-zinc-400" />
        <input id={id} name={name} type="search" defaultValue={value ?? ""} placeholder={placeholder} className={cn(fieldClass, "w-56 pl-7")} />
      </div>
    </div>
  );
}
