// Next's server start hook: the HA controller (and, in demo mode, the simulated agent fleet) run
// inside the console's Node.js server. Not in the Edge runtime, not while `next build` runs, not
// when HAVEN_CONTROLLER=0 (a console instance that only serves the UI and the agent API later).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  // First start: the env admin, or where the one-time setup page is (stderr).
  const { announceSignIn } = await import("./lib/server/auth/bootstrap");
  await announceSignIn();
  if (process.env.HAVEN_CONTROLLER === "0") return;
  const { startServerRuntime } = await import("./lib/server/runtime");
  await startServerRuntime();
}
