"use client";
// Acknowledge (with a note) and resolve, for one alert or a selection: a dialog asks for the
// note; the answer (done, skipped, refused) shows in place; the page refreshes after.
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Dialog } from "radix-ui";
import { Check, CheckCheck } from "lucide-react";
import type { ActionResult } from "@/lib/schemas/action-result";
import { buttonClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";

export type AlertVerb = "acknowledge" | "resolve";

export interface BulkAlertResult {
  done: number;
  skipped: { id: string; reason: string }[];
}

/** The alert actions (server actions, passed in by the page to operators and admins only). */
export interface AlertActions {
  acknowledge: (input: { ids: string[]; note?: string }) => Promise<ActionResult<BulkAlertResult>>;
  resolve: (input: { ids: string[] }) => Promise<ActionResult<BulkAlertResult>>;
}

function describe(verb: AlertVerb, r: ActionResult<BulkAlertResult>): { ok: boolean; text: string } {
  if (!r.ok) return { ok: false, text: r.formError ?? "The action failed" };
  const done = `${r.data.done} alert${r.data.done === 1 ? "" : "s"} ${verb === "acknowledge" ? "acknowledged" : "resolved"}`;
  return r.data.skipped.length ? { ok: r.data.done > 0, text: `${done}; ${r.data.skipped.length} skipped: ${r.data.skipped[0].reason}` } : { ok: true, text: done };
}

/** Runs an alert verb and refreshes the page; `onDone` hears the outcome. */
export function useAlertVerb(actions: AlertActions, onDone?: (msg: { ok: boolean; text: string }) => void) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  function run(verb: AlertVerb, ids: string[], note?: string) {
    setMsg(null);
    startTransition(async () => {
      let m: { ok: boolean; text: string };
      try {
        const r = verb === "acknowledge" ? await actions.acknowledge({ ids, note }) : await actions.resolve({ ids });
        m = describe(verb, r);
      } catch {
        m = { ok: false, text: "The console did not answer; try again" };
      }
      setMsg(m);
      onDone?.(m);
      router.refresh();
    });
  }
  return { pending, msg, setMsg, run };
}

/** The acknowledge dialog: a note (optional) and a confirm button. */
export function AcknowledgeDialog({
  actions,
  ids,
  trigger,
  onDone,
  label,
}: {
  actions: AlertActions;
  ids: string[];
  trigger: React.ReactNode;
  onDone?: (msg: { ok: boolean; text: string }) => void;
  label: string;
}) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState("");
  const verb = useAlertVerb(actions, (m) => {
    if (m.ok) {
      setOpen(false);
      setNote("");
    }
    onDone?.(m);
  });
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger asChild>{trigger}</Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-zinc-900/40" />
        <Dialog.Content className="fixed left-1/2 top-1/2 z-50 w-[min(92vw,30rem)] -translate-x-1/2 -translate-y-1/2 rounded-lg border border-zinc-200 bg-white p-5 shadow-xl focus:outline-none">
          <Dialog.Title className="text-[15px] font-semibold text-zinc-900">{label}</Dialog.Title>
          <Dialog.Description className="mt-1.5 text-[13px] text-zinc-600">
            An acknowledged alert stays live (deduplicated) until its condition clears or someone resolves it. The note is kept with it.
          </Dialog.Description>
          <form
            className="mt-3"
            onSubmit={(e) => {
              e.preventDefault();
              verb.run("acknowledge", ids, note.trim() || undefined);
            }}
          >
            <label htmlFor="ack-note" className="text-[12.5px] font-medium text-zinc-800">
              Note <span className="font-normal text-zinc-500">(optional)</span>
            </label>
            <textarea
              id="ack-note"
              name="note"
              value={note}
              onChange={(e) => setNote(e.target.value)}
              maxLength={500}
              rows={3}
              placeholder="e.g. Known: PSU replaced, watching it"
              className="mt-1 block w-full rounded-md border border-zinc-300 px-2.5 py-1.5 text-[13px] shadow-sm focus:border-blue-500 focus:ring-2 focus:ring-blue-500/30 focus:outline-none"
            />
            {verb.msg && !verb.msg.ok && (
              <p role="alert" className="mt-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-[13px] text-red-800">
                {verb.msg.text}
              </p>
            )}
            <div className="mt-4 flex justify-end gap-2">
              <Dialog.Close asChild>
                <button type="button" className={buttonClass("secondary")}>
                  Cancel
                </button>
              </Dialog.Close>
              <button type="submit" disabled={verb.pending} className={buttonClass("primary")}>
                {verb.pending ? "Acknowledging…" : "Acknowledge"}
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

/**
 * Acknowledge + Resolve buttons for one alert (the detail page, a row). Resolving asks first: a
 * resolved alert leaves the active list (it is raised again only if its condition is still there).
 */
export function AlertRowActions({ actions, id, status, size = "sm", name }: { actions: AlertActions; id: string; status: string; size?: "sm" | "md"; name: string }) {
  const [confirming, setConfirming] = useState(false);
  const verb = useAlertVerb(actions, () => setConfirming(false));
  if (status === "resolved") return null;
  return (
    <div className="flex flex-col items-end gap-1">
      <div className="flex gap-1.5">
        {status === "open" && !confirming && (
          <AcknowledgeDialog
            actions={actions}
            ids={[id]}
            label={`Acknowledge ${name}`}
            onDone={(m) => verb.setMsg(m)}
            trigger={
              <button type="button" className={buttonClass("secondary", size)} aria-label={`Acknowledge ${name}`}>
                <Check aria-hidden className="size-3.5" />
                Acknowledge
              </button>
            }
          />
        )}
        {confirming ? (
          <span className="inline-flex items-center gap-1.5" role="group" aria-label={`Confirm resolving ${name}`}>
            <span className="text-[12px] text-zinc-700">Resolve it?</span>
            <button type="button" className={buttonClass("primary", size)} disabled={verb.pending} onClick={() => verb.run("resolve", [id])} aria-label={`Confirm: resolve ${name}`}>
              <CheckCheck aria-hidden className="size-3.5" />
              {verb.pending ? "Resolving…" : "Resolve"}
            </button>
            <button type="button" className={buttonClass("ghost", size)} disabled={verb.pending} onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <button type="button" className={buttonClass("secondary", size)} onClick={() => setConfirming(true)} aria-label={`Resolve ${name}`}>
            <CheckCheck aria-hidden className="size-3.5" />
            Resolve…
          </button>
        )}
      </div>
      {verb.msg && (
        <p role={verb.msg.ok ? "status" : "alert"} className={cn("text-[12px]", verb.msg.ok ? "text-emerald-700" : "text-red-700")}>
          {verb.msg.text}
        </p>
      )}
    </div>
  );
}
