import Link from "next/link";
import { Sidebar } from "@/components/layout/sidebar";
import { Header } from "@/components/layout/header";
import { getClusterLive } from "@/lib/server/queries/cluster";
import { countActiveAlertsLive } from "@/lib/server/queries/overview";
import { requirePageRole } from "@/lib/server/auth/session";
import { UserPanel } from "@/components/auth/user-panel";
import { signOutAction } from "@/app/(auth)/actions";
import { LiveRefresh } from "@/components/live/live-refresh";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const me = await requirePageRole("viewer"); // no session: to /sign-in (proxy.ts answers earlier)
  const [cluster, alerts] = await Promise.all([getClusterLive(), countActiveAlertsLive()]);
  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-blue-600 px-3 py-2 font-medium text-white focus:not-sr-only focus:absolute focus:left-3 focus:top-3"
      >
        Skip to content
      </a>
      <aside className="shrink-0 bg-zinc-900 md:w-56">
        <div className="md:sticky md:top-0 md:h-screen md:overflow-y-auto">
          <div className="flex h-12 items-center gap-2 border-b border-zinc-800 px-5">
            <Link href="/" className="flex items-center gap-2 rounded text-white">
              <svg aria-hidden viewBox="0 0 24 24" className="size-5 text-blue-500" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round">
                <path d="M3 11.5 12 4l9 7.5" />
                <path d="M5.5 10v9.5h13V10" />
                <path d="M9.5 19.5v-5h5v5" />
              </svg>
              <span className="text-[15px] font-semibold tracking-tight">Haven</span>
            </Link>
          </div>
          <Sidebar alerts={alerts} />
          <UserPanel me={me} signOut={signOutAction} />
        </div>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <Header cluster={cluster} alerts={alerts} />
        <main id="main" tabIndex={-1} className="flex-1 px-4 py-5 focus:outline-none md:px-6">
          {children}
        </main>
        <LiveRefresh />
      </div>
    </div>
  );
}
