"use client";
// A delete button with a confirmation dialog; the action's refusal is shown in the dialog.
import { useState } from "react";
import { useRouter } from "next/navigation";
import { AlertDialog } from "radix-ui";
import { Trash2 } from "lucide-react";
import { buttonClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { useActionForm, type FormAction } from "./use-action-form";

export function DeleteDialog({
  action,
  id,
  idField = "id",
  title,
  description,
  confirmLabel = "Delete",
  triggerLabel = "Delete",
  redirectTo,
  size = "md",
}: {
  action: FormAction<unknown>;
  id: string;
  idField?: string;
  title: string;
  description: React.ReactNode;
  confirmLabel?: string;
  triggerLabel?: string;
  /** Where the action sends the browser after deleting (a same-site path); without it the page is refreshed. */
  redirectTo?: string;
  size?: "sm" | "md";
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const { pending, submit, failed, ready } = useActionForm(action, () => {
    // With redirectTo the action redirects (the deleted record's page cannot be shown again).
    setOpen(false);
    router.refresh();
  });
  return (
    <AlertDialog.Root open={open} onOpenChange={setOpen}>
      <AlertDialog.Trigger asChild>
        <button type="button" disabled={!ready} className={cn(buttonClass("secondary", size), "text-red-700 hover:bg-red-50")}>
          <Trash2 aria-hidden className="size-3.5" />
          {triggerLabel}
        </button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-zinc-900/40" />
        <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 w-[min(92vw,28rem)] -translate-x-1/2 -translate-y-1/2 rounded-lg border border-zinc-200 bg-white p-5 shadow-xl focus:outline-none">
          <AlertDialog.Title className="text-[15px] font-semibold text-zinc-900">{title}</AlertDialog.Title>
          <AlertDialog.Description className="mt-1.5 text-[13px] text-zinc-600">{description}</AlertDialog.Description>
          {failed?.formError && (
            <p role="alert" className="mt-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-[13px] text-red-800">
              {failed.formError}
            </p>
          )}
          <div className="mt-5 flex justify-end gap-2">
            <AlertDialog.Cancel asChild>
              <button type="button" className={buttonClass("secondary")}>
                Cancel
              </button>
            </AlertDialog.Cancel>
            <button
              type="button"
              disabled={pending}
              onClick={() => submit(redirectTo ? { [idField]: id, redirectTo } : { [idField]: id })}
              className={cn(buttonClass("primary"), "bg-red-600 hover:bg-red-700")}
            >
              {pending ? "Deleting…" : confirmLabel}
            </button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
