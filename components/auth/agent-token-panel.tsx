"use client";
// Issue / rotate / revoke a host's agent token. A new token is shown here once: it is stored
// only as a hash, so it cannot be shown again.
import { useState } from "react";
import { useRouter } from "next/navigation";
import { FormBanner } from "@/components/forms/fields";
import { useActionForm, type FormAction } from "@/components/forms/use-action-form";
import { buttonClass } from "@/components/ui/button";

export function AgentTokenPanel({
  hostId,
  hasToken,
  issue,
  revoke,
}: {
  hostId: string;
  hasToken: boolean;
  issue: FormAction<{ hostName: string; token: string; issuedAt: string }>;
  revoke: FormAction<unknown>;
}) {
  const router = useRouter();
  // Rotating or revoking cuts off the agent that uses the current token: both ask first.
  const [confirm, setConfirm] = useState<"rotate" | "revoke" | null>(null);
  const iss = useActionForm(issue, () => {
    setConfirm(null);
    router.refresh();
  });
  const rev = useActionForm(revoke, () => {
    setConfirm(null);
    router.refresh();
  });
  const issued = iss.state?.ok ? iss.state.data : null;
  const failed = iss.failed ?? rev.failed;
  return (
    <div className="space-y-3" data-ready={iss.ready ? "true" : undefined}>
      <FormBanner message={failed?.formError} fieldErrors={failed?.fieldErrors} />
      {issued && (
        <div role="status" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-[13px] text-amber-900">
          <p className="font-medium">New token for {issued.hostName} — copy it now; it is not shown again.</p>
          <code data-testid="agent-token" className="mt-1 block select-all break-all rounded bg-white px-2 py-1 font-mono text-[12px] text-zinc-900">
            {issued.token}
          </code>
          <p className="mt-1 text-[12px]">Any earlier token of this host stopped working.</p>
        </div>
      )}
      {confirm ? (
        <div role="group" aria-label={confirm === "rotate" ? "Confirm rotating the token" : "Confirm revoking the token"} className="rounded-md border border-red-200 bg-red-50/60 px-3 py-2 text-[13px] text-red-900">
          <p>
            {confirm === "rotate"
              ? "The agent that uses the current token is refused from now on until it is given the new one (its host goes unreachable, then failed). Rotate?"
              : "The agent that uses this token is refused from now on and no new token is issued (its host goes unreachable, then failed). Revoke?"}
          </p>
          <div className="mt-2 flex gap-2">
            {confirm === "rotate" ? (
              <button type="button" className={buttonClass("primary")} disabled={!iss.ready || iss.pending} onClick={() => iss.submit({ hostId })}>
                {iss.pending ? "Rotating…" : "Rotate token"}
              </button>
            ) : (
              <button type="button" className={buttonClass("primary")} disabled={!rev.ready || rev.pending} onClick={() => rev.submit({ hostId })}>
                {rev.pending ? "Revoking…" : "Revoke token"}
              </button>
            )}
            <button type="button" className={buttonClass("ghost")} disabled={iss.pending || rev.pending} onClick={() => setConfirm(null)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div className="flex gap-2">
          {hasToken ? (
            <>
              <button type="button" className={buttonClass("secondary")} disabled={!iss.ready} onClick={() => setConfirm("rotate")}>
                Rotate token…
              </button>
              <button type="button" className={buttonClass("secondary")} disabled={!rev.ready} onClick={() => setConfirm("revoke")}>
                Revoke token…
              </button>
            </>
          ) : (
            <button type="button" className={buttonClass("primary")} disabled={!iss.ready || iss.pending} onClick={() => iss.submit({ hostId })}>
              {iss.pending ? "Issuing…" : "Issue token"}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
