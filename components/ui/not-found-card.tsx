import { SearchX } from "lucide-react";
import { LinkButton } from "./button";
import { EmptyState } from "./empty-state";

/** "No such host" with a way back to the list. */
export function NotFoundCard({ title = "Not found", message, href = "/", linkLabel = "Go to overview" }: { title?: string; message?: string; href?: string; linkLabel?: string }) {
  return (
    <div className="mx-auto mt-10 max-w-lg rounded-md border border-zinc-200 bg-white shadow-sm">
      <EmptyState
        icon={SearchX}
        title={title}
        action={
          <LinkButton href={href} variant="secondary">
            {linkLabel}
          </LinkButton>
        }
      >
        {message ?? "There is nothing here: it may have been deleted, or the link is wrong."}
      </EmptyState>
    </div>
  );
}
