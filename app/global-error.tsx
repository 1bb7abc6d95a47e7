"use client";
import "./globals.css";
import { ErrorState } from "@/components/ui/error-state";

export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-zinc-100 p-6 font-sans text-[13px]">
        <title>Error · Haven</title>
        <ErrorState error={error} retry={retry} title="The console could not be loaded" />
      </body>
    </html>
  );
}
