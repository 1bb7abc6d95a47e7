// Playwright: the PRODUCTION build served by `next start` on port 3210, against a fresh
// throwaway SQLite store (migrated and demo-seeded by scripts/start.ts --fresh), driven by
// the system Chromium (Debian package `chromium`; never `npx playwright install`).
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";
import { ADMIN_STATE } from "./e2e/fixtures/auth";
import { ssoEnv } from "./e2e/fixtures/sso";

const PORT = Number(process.env.E2E_PORT || 3210);
const ROOT = import.meta.dirname;
/** The e2e store; specs may read it (process.env.E2E_DATABASE_URL). */
export const E2E_DATABASE_URL = process.env.E2E_DATABASE_URL || `file:${path.join(ROOT, "data", "e2e.db")}`;
process.env.E2E_DATABASE_URL = E2E_DATABASE_URL;
const DIST_DIR = process.env.E2E_DIST_DIR || ".next-test";
/** The dedicated agent listener of the e2e console (in its HA controller's process). */
const AGENT_PORT = Number((process.env.E2E_AGENT_PORT ||= String(PORT + 1)));
/** The admin the e2e server creates on its empty store (HAVEN_ADMIN_*); specs sign in with it. */
export const E2E_ADMIN_EMAIL = (process.env.E2E_ADMIN_EMAIL ||= "admin@haven.test");
export const E2E_ADMIN_PASSWORD = (process.env.E2E_ADMIN_PASSWORD ||= "e2e-admin-password-1");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
/** The test OpenID Connect provider e2e/sso.spec.ts starts; the console trusts it (single sign-on). */
const OIDC_PORT = Number((process.env.E2E_OIDC_PORT ||= String(PORT + 2)));

function chromiumLaunch() {
  return {
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  };
}

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: false,
  // One console, one store: specs that change the cluster must not race each other.
  workers: Number(process.env.E2E_WORKERS || 1),
  retries: 0,
  timeout: 45_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    headless: true,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
  },
  projects: [
    // Signs in once as the e2e admin (e2e/auth.setup.ts); the specs start from that state.
    { name: "setup", testMatch: /.*\.setup\.ts/, use: { ...devices["Desktop Chrome"], launchOptions: chromiumLaunch() } },
    {
      name: "chromium",
      dependencies: ["setup"],
      use: {
        ...devices["Desktop Chrome"],
        storageState: ADMIN_STATE,
        launchOptions: chromiumLaunch(),
      },
    },
  ],
  webServer: {
    command: `${path.join(ROOT, "node_modules", ".bin", "tsx")} --conditions=react-server scripts/start.ts --fresh`,
    cwd: ROOT,
    // Ready when the port accepts connections (a page that errors must fail a test, not hang here).
    port: PORT,
    reuseExistingServer: false,
    // Builds first when .next-test is missing or stale (scripts/test-all.ts builds before this).
    timeout: 600_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      DATABASE_URL: E2E_DATABASE_URL,
      HAVEN_ADMIN_EMAIL: E2E_ADMIN_EMAIL,
      HAVEN_ADMIN_PASSWORD: E2E_ADMIN_PASSWORD,
      NEXT_DIST_DIR: DIST_DIR,
      PORT: String(PORT),
      HAVEN_AGENT_PORT: String(AGENT_PORT),
      HAVEN_AGENT_HOST: "127.0.0.1",
      // Shorter HA timings for the seeded cluster so the failure stories stay quick (the rule
      // isolation < missed × heartbeat + failure timeout holds: 4 < 3 × 1 + 5).
      HAVEN_SEED_TIMINGS: process.env.E2E_SEED_TIMINGS ?? "failureTimeoutS=5,isolationTimeoutS=4",
      NEXT_TELEMETRY_DISABLED: "1",
      CHECKPOINT_DISABLE: "1",
      // Single sign-on against the spec's IdP; also sets HAVEN_BASE_URL to this console.
      ...ssoEnv(`http://127.0.0.1:${OIDC_PORT}`, `http://127.0.0.1:${PORT}`),
    },
  },
});
