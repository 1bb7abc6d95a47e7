"use client";
// The API reference (Scalar), from the @scalar/api-reference package's standalone browser build
// served by this console (/api-docs/scalar.js): no CDN, no fonts from elsewhere, no telemetry, no
// AI agent. The script is added by this (nonce-trusted) bundle, which the page CSP's
// 'strict-dynamic' allows.
import { useEffect, useRef, useState } from "react";

type ScalarApp = { destroy?: () => void };
type ScalarGlobal = { createApiReference: (el: Element, config: Record<string, unknown>) => ScalarApp };

export function ApiReference({ specUrl, scriptUrl }: { specUrl: string; scriptUrl: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let app: ScalarApp | undefined;
    let cancelled = false;
    const mount = () => {
      const S = (window as unknown as { Scalar?: ScalarGlobal }).Scalar;
      if (cancelled || !host.current) return;
      if (!S?.createApiReference) {
        setError("The API reference script did not load.");
        return;
      }
      app = S.createApiReference(host.current, {
        url: specUrl,
        withDefaultFonts: false,
        telemetry: false,
        agent: { disabled: true },
        mcp: { disabled: true },
        hideDarkModeToggle: true,
        darkMode: false,
        hideClientButton: false,
        showDeveloperTools: "never",
        defaultOpenFirstTag: true,
      });
    };
    const existing = document.querySelector<HTMLScriptElement>(`script[data-haven-scalar]`);
    if (existing && (window as unknown as { Scalar?: ScalarGlobal }).Scalar) mount();
    else {
      const s = existing ?? document.createElement("script");
      s.addEventListener("load", mount);
      s.addEventListener("error", () => setError("The API reference script could not be loaded."));
      if (!existing) {
        s.src = scriptUrl;
        s.async = true;
        s.dataset.havenScalar = "1";
        document.body.appendChild(s);
      }
    }
    return () => {
      cancelled = true;
      app?.destroy?.();
    };
  }, [specUrl, scriptUrl]);
  return (
    <>
      {error && (
        <p role="alert" className="text-[13px] text-red-700">
          {error} The document itself is at <a className="underline" href={specUrl}>{specUrl}</a>.
        </p>
      )}
      <div ref={host} data-testid="api-reference" className="min-h-[60vh] overflow-hidden rounded-md border border-zinc-200 bg-white" />
    </>
  );
}
