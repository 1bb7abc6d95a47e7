// Runs every public scenario of ../shared/scenarios through runScenario in-process and checks its
// NAME.expect.json with the rules of check.mjs (lib/sim/expect.ts).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runScenario } from "@/lib/sim/scenario-runner";
import { checkScenarioReport, type ScenarioExpect } from "@/lib/sim/expect";
import { silentLogger } from "@/lib/server/ha/log";

const DIR = path.resolve(import.meta.dirname, "../../../shared/scenarios");
const files = fs.existsSync(DIR)
  ? fs
      .readdirSync(DIR)
      .filter((f) => f.endsWith(".json") && !f.endsWith(".expect.json"))
      .sort()
  : [];

describe.skipIf(files.length === 0)(`public scenarios (${DIR})`, () => {
  for (const f of files) {
    it(f.replace(/\.json$/, ""), async () => {
      const spec = JSON.parse(fs.readFileSync(path.join(DIR, f), "utf8"));
      const exp = JSON.parse(fs.readFileSync(path.join(DIR, f.replace(/\.json$/, ".expect.json")), "utf8")) as ScenarioExpect;
      const report = await runScenario(spec, { log: silentLogger });
      let baseline = null;
      if (Object.values(exp.vms ?? {}).some((w) => w.ipsKept)) baseline = await runScenario({ ...spec, events: [], runUntil: 5 }, { log: silentLogger });
      expect(checkScenarioReport(report, exp, baseline)).toEqual([]);
      expect(report.violations).toEqual([]);
    });
  }
});

if (files.length === 0) {
  describe("public scenarios", () => {
    it.skip(`skipped: ${DIR} not found (the shared scenarios live beside the project checkout)`, () => {});
  });
}
