// Fresh README screenshots of the main screens, from a running console on a demo store:
//   node scripts/readme-screenshots.mjs [baseUrl]   (default http://localhost:3000)
// Signs in as HAVEN_ADMIN_EMAIL / HAVEN_ADMIN_PASSWORD (or creates that first admin), fails a host
// in the demo and waits for its incident to close, puts a GPU host through maintenance, and writes
// 1440×900 PNGs into docs/screenshots/. Headless system Chromium (CHROMIUM_PATH, /usr/bin/chromium).
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

const BASE = process.argv[2] || "http://localhost:3000";
const OUT = path.resolve(import.meta.dirname, "..", "docs", "screenshots");
const EMAIL = process.env.HAVEN_ADMIN_EMAIL || "admin@haven.test";
const PASSWORD = process.env.HAVEN_ADMIN_PASSWORD || "e2e-admin-password-1";
fs.mkdirSync(OUT, { recursive: true });

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
const page = await ctx.newPage();
page.setDefaultTimeout(90_000);

async function signIn() {
  await page.goto(`${BASE}/sign-in`);
  if (new URL(page.url()).pathname.startsWith("/setup")) {
    const form = page.getByRole("form", { name: "Create the first admin" });
    await form.getByLabel("Name").fill("Ops Admin");
    await form.getByLabel("Email").fill(EMAIL);
    await form.getByLabel("Password").fill(PASSWORD);
    await form.getByRole("button", { name: /create/i }).click();
  } else {
    const form = page.getByRole("form", { name: "Sign in" });
    await form.getByLabel("Email").fill(EMAIL);
    await form.getByLabel("Password").fill(PASSWORD);
    await form.getByRole("button", { name: "Sign in" }).click();
  }
  await page.waitForURL((u) => !u.pathname.startsWith("/sign-in") && !u.pathname.startsWith("/setup"));
}

async function openByName(list, name) {
  await page.goto(`${BASE}/${list}?q=${encodeURIComponent(name)}`);
  await page.getByRole("link", { name, exact: true }).first().click();
  await page.getByRole("heading", { level: 1, name }).waitFor();
  return new URL(page.url()).pathname;
}

async function shot(file, url) {
  if (url) await page.goto(`${BASE}${url}`, { waitUntil: "networkidle" });
  await page.waitForTimeout(400);
  const p = path.join(OUT, file);
  await page.screenshot({ path: p });
  console.log(`${file}: ${Math.round(fs.statSync(p).size / 1024)} KB`);
}

const headerState = () => page.locator("h1").locator("..");

await signIn();

// A host failure to read on the incident timeline.
const failed = await openByName("hosts", "kvm-b04");
await page.getByTestId("fault-host-down").click();
await headerState().getByText("Failed", { exact: true }).waitFor();
await page.goto(`${BASE}/incidents?host=${failed.split("/")[2]}`);
await page.getByRole("link", { name: /^Incident \d+ timeline$/ }).first().click();
await page.waitForURL(/\/incidents\/[^/?]+$/);
const incidentUrl = new URL(page.url()).pathname;
await page.getByText("Incident closed", { exact: true }).waitFor({ timeout: 120_000 });
await openByName("hosts", "kvm-b04");
await page.getByTestId("fault-host-up").click();
await headerState().getByText("Online", { exact: true }).waitFor();

await shot("dashboard.png", "/");
await shot("hosts.png", "/hosts");
const gpuHost = await openByName("hosts", "kvm-a01");
await shot("host-detail.png");
const vm = await openByName("vms", "ml-train-01");
await page.getByText("Devices", { exact: true }).first().scrollIntoViewIfNeeded();
await shot("vm-detail.png");
await shot("gpus.png", "/gpus");
await shot("gpu-dashboard.png", "/gpus/dashboard");
await shot("tags.png", "/tags");
await shot("alerts.png", "/alerts?status=all");
await shot("incident-timeline.png", incidentUrl);
const refused = await openByName("vms", "ml-train-02");
await page.getByRole("button", { name: "Power on", exact: true }).click();
await page.getByTestId("placement-explanation").waitFor();
await page.locator("#vm-power-title").evaluate((el) => el.scrollIntoView({ block: "start" }));
await shot("power-on-refused.png");

// Maintenance of a host with GPU VMs: the plan, then the progress.
await openByName("hosts", "kvm-a02");
await page.getByTestId("maintenance-panel").getByRole("button", { name: "Enter maintenance" }).click();
await page.getByTestId("evacuation-plan").waitFor();
await shot("maintenance-plan.png");
await page.getByRole("dialog").getByRole("button", { name: "Enter maintenance" }).click();
await page.getByTestId("maintenance-progress").waitFor();
await page.waitForTimeout(8000);
await page.reload({ waitUntil: "networkidle" });
await page.getByTestId("maintenance-panel").scrollIntoViewIfNeeded();
await shot("maintenance-progress.png");
await page.getByTestId("maintenance-panel").getByRole("button", { name: "Exit maintenance" }).click();
await headerState().getByText("Online", { exact: true }).waitFor();
void gpuHost;
void vm;
void refused;
await browser.close();
