"use client";
import { useEffect } from "react";
import Link from "next/link";
import { TriangleAlert } from "lucide-react";
import { buttonClass } from "./button";

/**
 * What a user sees when a page fails: a plain sentence, a reference to match the server log,
 * and a retry. Never the error's message or stack (a server error's text can leak internals).
 */
export function ErrorState({ error, retry, title = "This page could not be loaded" }: { error: unknown; retry?: () => void; title?: string }) {
  const digest = error && typeof error === "object" && "digest" in error ? String((error as { digest?: unknown }).digest ?? "") : "";
  useEffect(() => {
    // The full error (with its stack) goes to the browser console for developers, not onto the page.
    console.error(error);
  }, [error]);
  return (
    <div role="alert" className="mx-auto mt-10 max-w-lg rounded-md border border-zinc-200 bg-white p-6 text-center shadow-sm">
      <TriangleAlert aria-hidden className="mx-auto mb-2 size-8 text-amber-500" />
      <h1 className="text-[15px] font-semibold text-zinc-900">{title}</h1>
      <p className="mt-1 text-[13px] text-zinc-600">
        Something went wrong while loading the data. It may be temporary: try again, or come back in a moment.
      </p>
      {digest && (
        <p className="mt-2 text-[12px] text-zinc-500">
          Reference: <code className="font-mono">{digest}</code>
        </p>
      )}
      <div className="mt-4 flex justify-center gap-2">
        {retry && (
          <button type="button" onClick={() => retry()} className={buttonClass("primary")}>
            Try again
          </button>
        )}
        <Link href="/" className={buttonClass("secondary")}>
          Go to overview
        </Link>
      </div>
    </div>
  );
}
