import { SearchX } from "lucide-react";
import { LinkButton } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

export default function ConsoleNotFound() {
  return (
    <div className="mx-auto mt-10 max-w-lg rounded-md border border-zinc-200 bg-white shadow-sm">
      <EmptyState
        icon={SearchX}
        title="Not found"
        action={
          <LinkButton href="/" variant="secondary">
            Go to overview
          </LinkButton>
        }
      >
        There is nothing here: it may have been deleted, or the link is wrong.
      </EmptyState>
    </div>
  );
}
