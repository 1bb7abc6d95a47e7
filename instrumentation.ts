// Next's server start hook. The HA controller, the agent listener and (in demo mode) the simulated
// agent fleet run in their own process, forked here (lib/server/control): a page render can then
// never delay failure detection. Not in the Edge runtime, not while `next build` runs.
//   HAVEN_CONTROLLER=0       this console instance runs no controller (UI only)
//   HAVEN_CONTROLLER=inline  the controller runs inside this process (debugging; pages can delay it)
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  // First start: the env admin, or where the one-time setup page is (stderr).
  const { announceSignIn } = await import("./lib/server/auth/bootstrap");
  await announceSignIn();
  const mode = (process.env.HAVEN_CONTROLLER ?? "process").trim().toLowerCase();
  if (mode === "0" || mode === "off") return;
  if (mode === "inline") {
    const { startServerRuntime } = await import("./lib/server/runtime");
    await startServerRuntime();
    return;
  }
  const { startControllerProcess } = await import("./lib/server/control/process");
  startControllerProcess();
}
