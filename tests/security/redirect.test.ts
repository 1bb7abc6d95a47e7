// Where sign-in leads (`/sign-in?next=…`): only paths of this console. The red team's
// `/%09/127.0.0.1:9/evil` (a tab the browser drops, leaving `//127.0.0.1:9/evil`) and its
// relatives must land on "/", through the page, the action and the proxy alike.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { isValidElement, type ReactElement, type ReactNode } from "react";
import { safeNextPath } from "@/lib/safe-next-path";
import { createTestDb, type TestDb } from "@/tests/support/test-db";
import { setupFirstAdmin } from "@/lib/server/auth/users";
import { signInAction } from "@/app/(auth)/actions";
import SignInPage from "@/app/(auth)/sign-in/page";
import { SignInForm } from "@/components/auth/auth-forms";
import { proxy } from "@/proxy";

const EVIL = [
  "/\t/127.0.0.1:9/evil", // what searchParams.get gives for ?next=/%09/127.0.0.1:9/evil
  "/%09/127.0.0.1:9/evil",
  "/%2509/127.0.0.1:9/evil",
  "/\n/evil.example",
  "/\r\n/evil.example",
  " //evil.example",
  "//evil.example",
  "///evil.example",
  "/\\evil.example",
  "/%5Cevil.example",
  "/%2F/evil.example",
  "\\\\evil.example",
  "https://evil.example/",
  "javascript:alert(1)",
  "/\u0000/evil.example",
  "/\u3000/evil.example",
  "/%E0%A4%A",
  "hosts",
  "",
  "/" + "a".repeat(3000),
];

describe("safeNextPath", () => {
  it.each(EVIL.map((raw) => [JSON.stringify(raw).slice(0, 40), raw]))("refuses %s", (_, raw) => {
    expect(safeNextPath(raw)).toBeNull();
  });

  it("keeps a console path with its query and hash", () => {
    expect(safeNextPath("/hosts?state=failed")).toBe("/hosts?state=failed");
    expect(safeNextPath("/vms/abc#devices")).toBe("/vms/abc#devices");
    expect(safeNextPath("/alerts?q=a b")).toBe("/alerts?q=a%20b");
    expect(safeNextPath("/")).toBe("/");
    expect(safeNextPath(["/hosts"])).toBeNull();
  });
});

describe("sign-in with a hostile next", () => {
  let t: TestDb;
  const PW = "redirect-test-password";
  beforeAll(async () => {
    t = await createTestDb();
    (globalThis as unknown as { __havenDb?: unknown }).__havenDb = t.db;
    await setupFirstAdmin({ email: "root@haven.test", name: "Root", password: PW });
  });
  afterAll(async () => {
    delete (globalThis as unknown as { __havenDb?: unknown }).__havenDb;
    await t?.cleanup();
  });

  /** Where the sign-in action sends the browser (the NEXT_REDIRECT digest's URL). */
  async function landing(next: string): Promise<string> {
    await t.db.signInThrottle.deleteMany();
    try {
      const r = await signInAction(null, { email: "root@haven.test", password: PW, next });
      throw new Error(`no redirect: ${JSON.stringify(r)}`);
    } catch (e) {
      const digest = String((e as { digest?: string }).digest ?? "");
      const m = /^NEXT_REDIRECT;[a-z]+;(.*);\d+;/.exec(digest);
      if (!m) throw e;
      return m[1];
    }
  }

  it("the action lands on / for every off-site next, and on the path for a console one", async () => {
    for (const next of ["/\t/127.0.0.1:9/evil", "//evil.example", "/\\evil.example", "/%09/evil.example", "/sign-in", "/setup?x=1"]) expect(await landing(next), JSON.stringify(next)).toBe("/");
    expect(await landing("/hosts?state=failed")).toBe("/hosts?state=failed");
  });

  function formNext(node: ReactNode): string | undefined | null {
    if (!isValidElement(node)) return null;
    const el = node as ReactElement<{ children?: ReactNode; next?: string }>;
    if (el.type === SignInForm) return el.props.next;
    const kids = ([] as ReactNode[]).concat(el.props.children ?? []);
    for (const k of kids) {
      const found = formNext(k);
      if (found !== null) return found;
    }
    return null;
  }

  it("the page does not carry an off-site next into the form", async () => {
    const page = async (next: string) => formNext(await SignInPage({ searchParams: Promise.resolve({ next }) }));
    expect(await page("/\t/127.0.0.1:9/evil")).toBeUndefined();
    expect(await page("//evil.example/x")).toBeUndefined();
    expect(await page("/hosts?state=failed")).toBe("/hosts?state=failed");
  });

  it("the proxy never writes an off-site next into its redirect to /sign-in", () => {
    const res = proxy(new NextRequest("http://haven.test//evil.example/x", { headers: { host: "haven.test" } }));
    expect(res.status).toBe(307);
    expect(new URL(res.headers.get("location")!).searchParams.get("next")).toBeNull();
  });
});
