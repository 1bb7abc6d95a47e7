import Link from "next/link";

export default function NotFound() {
  return (
    <main id="main" className="flex min-h-screen items-center justify-center bg-zinc-100 p-6">
      <div className="max-w-md rounded-md border border-zinc-200 bg-white p-6 text-center shadow-sm">
        <p className="text-[12px] font-semibold uppercase tracking-wide text-zinc-500">404</p>
        <h1 className="mt-1 text-[17px] font-semibold text-zinc-900">Page not found</h1>
        <p className="mt-1 text-[13px] text-zinc-600">There is no page at this address.</p>
        <Link href="/" className="mt-4 inline-flex h-8 items-center rounded-md bg-blue-600 px-3 text-[13px] font-medium text-white hover:bg-blue-700">
          Go to the console
        </Link>
      </div>
    </main>
  );
}
