// A production bundle can load lib/server/errors.ts more than once (a copy per chunk): an
// AppError made by one copy — the controller channel's, in the instrumentation bundle — must
// still be an AppError to another copy's isAppError, or a refused power-on shows "Something went
// wrong" instead of every host's reason (found in the production build).
import { describe, expect, it, vi } from "vitest";
import { AppError, isAppError } from "@/lib/server/errors";

describe("isAppError across module copies", () => {
  it("recognises an AppError of another copy of the module, and nothing else", async () => {
    vi.resetModules();
    const copy = "@/lib/server/errors?copy";
    const other = (await import(/* @vite-ignore */ copy)) as typeof import("@/lib/server/errors");
    expect(other.AppError).not.toBe(AppError);
    const e = new other.AppError("CONFLICT", "vm1 cannot be powered on: no host fits", { "hosts.h1": ["no GPU"] });
    expect(e instanceof AppError).toBe(false);
    expect(isAppError(e)).toBe(true);
    expect(isAppError(new Error("plain"))).toBe(false);
    expect(isAppError({ code: "CONFLICT", message: "look-alike" })).toBe(false);
    const forged = Object.assign(new Error("x"), { code: "NOT_A_CODE", [Symbol.for("haven.app-error")]: true });
    expect(isAppError(forged)).toBe(false);
  });
});
