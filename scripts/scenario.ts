// npm run scenario -- <file.json>
// Runs one scenario file (../shared/scenarios/FORMAT.md) and prints its JSON report on stdout.
// Exit 0: it ran; 1: it ran but an invariant was violated; 2: the file is invalid.
import fs from "node:fs";
import { ZScenario, formatScenarioIssues } from "@/lib/schemas/scenario";
import { isAppError } from "@/lib/server/errors";
import { runScenario } from "@/lib/sim/scenario-runner";

const MAX_SCENARIO_BYTES = 8 * 1024 * 1024;

async function main(): Promise<number> {
  const file = process.argv.slice(2).find((a) => a !== "--");
  if (!file) {
    process.stderr.write("usage: npm run scenario -- <file.json>\n");
    return 2;
  }
  let raw: unknown;
  try {
    // Hostile input: a scenario is a few KB; refuse anything over 8 MB before reading it.
    const size = fs.statSync(file).size;
    if (size > MAX_SCENARIO_BYTES) {
      process.stderr.write(`${file}: the file is ${size} bytes; a scenario is at most ${MAX_SCENARIO_BYTES} bytes\n`);
      return 2;
    }
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    process.stderr.write(`${file}: ${(e as Error).message}\n`);
    return 2;
  }
  const parsed = ZScenario.safeParse(raw);
  if (!parsed.success) {
    process.stderr.write(`${file}: invalid scenario\n${formatScenarioIssues(parsed.error)}\n`);
    return 2;
  }
  try {
    const report = await runScenario(parsed.data);
    process.stdout.write(JSON.stringify(report, null, 2) + "\n");
    return report.violations.length ? 1 : 0;
  } catch (e) {
    if (isAppError(e) && e.code === "VALIDATION") {
      const fields = e.fieldErrors ? Object.entries(e.fieldErrors).map(([k, v]) => `${k}: ${v.join("; ")}`) : [];
      process.stderr.write(`${file}: ${e.message}\n${fields.join("\n")}\n`);
      return 2;
    }
    throw e;
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(3);
  },
);
