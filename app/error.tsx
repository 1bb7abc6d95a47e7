"use client";
import { ErrorState } from "@/components/ui/error-state";

export default function RootError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <main id="main" className="min-h-screen bg-zinc-100 p-6">
      <ErrorState error={error} retry={retry} title="The console could not be loaded" />
    </main>
  );
}
