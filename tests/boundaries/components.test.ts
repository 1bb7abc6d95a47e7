// The agreed direction (issue 11, STYLE.md): app → components. A component receives data and
// actions as props; it imports neither lib/server nor a route file under app/ (a type-only
// import is tolerated until the types move to lib/).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(ts|tsx)$/.test(name)) out.push(p);
  }
  return out;
}

/** Value imports (and re-exports) of lib/server or app/ in one source text. */
export function forbiddenImports(src: string): string[] {
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+["']([^"']+)["']/gms;
  for (const m of src.matchAll(re)) {
    const typeOnly = !!m[2] || /^\{\s*(type\s+[\w$]+\s*(as\s+[\w$]+)?\s*,?\s*)+\}$/.test(m[3].trim());
    const from = m[4];
    if (typeOnly) continue;
    if (/^@\/(lib\/server|app)(\/|$)/.test(from) || /(^|\/)app\/\(/.test(from)) out.push(from);
  }
  for (const m of src.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)) if (/^@\/(lib\/server|app)(\/|$)/.test(m[1])) out.push(m[1]);
  return out;
}

describe("components take data and actions as props", () => {
  it("the check itself sees a value import and lets a type-only one through", () => {
    expect(forbiddenImports(`import { getVm } from "@/lib/server/queries/vms";`)).toEqual(["@/lib/server/queries/vms"]);
    expect(forbiddenImports(`import { a, type B } from "@/app/(console)/vms/power-actions";`)).toEqual(["@/app/(console)/vms/power-actions"]);
    expect(forbiddenImports(`import type { VmDetail } from "@/lib/server/queries/vms";`)).toEqual([]);
    expect(forbiddenImports(`import { type VmDetail } from "@/lib/server/queries/vms";`)).toEqual([]);
    expect(forbiddenImports(`import { Badge } from "@/components/ui/badge";`)).toEqual([]);
  });

  it("no file under components/ value-imports lib/server or a route file", () => {
    const bad: string[] = [];
    for (const f of files(path.join(ROOT, "components"))) {
      for (const from of forbiddenImports(readFileSync(f, "utf8"))) bad.push(`${path.relative(ROOT, f)} → ${from}`);
    }
    expect(bad).toEqual([]);
  });
});
