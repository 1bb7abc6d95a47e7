// The signed-in user at the foot of the sidebar: name, role, admin pages, sign out.
import Link from "next/link";
import { LogOut, ScrollText, Users } from "lucide-react";
import type { Principal } from "@/lib/server/auth/principal";

/** `signOut`: the sign-out server action, passed in by the layout. */
export function UserPanel({ me, signOut }: { me: Principal; signOut: () => Promise<void> }) {
  return (
    <div className="border-t border-zinc-800 px-3 py-3 text-[12.5px] text-zinc-300" data-testid="user-panel">
      {me.role === "admin" && (
        <nav aria-label="Administration" className="mb-2 flex flex-col">
          <Link href="/users" className="flex items-center gap-2 rounded px-2 py-1 hover:bg-zinc-800 hover:text-white">
            <Users aria-hidden className="size-4" /> Users
          </Link>
          <Link href="/audit" className="flex items-center gap-2 rounded px-2 py-1 hover:bg-zinc-800 hover:text-white">
            <ScrollText aria-hidden className="size-4" /> Audit log
          </Link>
        </nav>
      )}
      <div className="flex items-center justify-between gap-2 px-2">
        <div className="min-w-0">
          <p className="truncate font-medium text-white" data-testid="signed-in-as" title={me.email}>
            {me.name}
          </p>
          <p className="truncate text-[11.5px] text-zinc-400">
            <span data-testid="signed-in-role">{me.role}</span> · {me.email}
          </p>
        </div>
        <form action={signOut}>
          <button type="submit" className="inline-flex items-center gap-1 rounded px-1.5 py-1 text-zinc-300 hover:bg-zinc-800 hover:text-white" aria-label="Sign out" title="Sign out">
            <LogOut aria-hidden className="size-4" />
          </button>
        </form>
      </div>
    </div>
  );
}
