// Sign-in, first-run setup and "not allowed": no console chrome, no session needed.
export const dynamic = "force-dynamic";

export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <main id="main" className="flex min-h-screen items-start justify-center bg-zinc-50 px-4 pt-24">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center justify-center gap-2 text-zinc-900">
          <svg aria-hidden viewBox="0 0 24 24" className="size-6 text-blue-600" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round">
            <path d="M3 11.5 12 4l9 7.5" />
            <path d="M5.5 10v9.5h13V10" />
            <path d="M9.5 19.5v-5h5v5" />
          </svg>
          <span className="text-lg font-semibold tracking-tight">Haven</span>
        </div>
        {children}
      </div>
    </main>
  );
}
