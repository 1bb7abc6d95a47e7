import { describe, expect, it } from "vitest";
import { Cadence, Pacer } from "./pacing";

describe("Pacer", () => {
  it("lets a timer fire during a long chain of awaited work", async () => {
    const pacer = new Pacer(5);
    let fired = 0;
    const t = setTimeout(() => fired++, 0);
    const end = performance.now() + 60;
    // A chain of resolved awaits (as synchronous store answers are): without breathe() the
    // timer could not run before the loop ends.
    while (performance.now() < end) {
      await Promise.resolve();
      await pacer.breathe();
    }
    expect(fired).toBe(1);
    clearTimeout(t);
  });

  it("does not yield within a slice", async () => {
    const pacer = new Pacer(10_000);
    let fired = 0;
    const t = setTimeout(() => fired++, 0);
    for (let i = 0; i < 1000; i++) await pacer.breathe();
    expect(fired).toBe(0);
    clearTimeout(t);
  });
});

describe("Cadence", () => {
  it("waits factor × the last duration before the job is due again", async () => {
    const c = new Cadence(3);
    expect(c.due()).toBe(true);
    await c.run(() => new Promise((r) => setTimeout(r, 30)));
    expect(c.lastMs).toBeGreaterThanOrEqual(25);
    expect(c.due()).toBe(false);
    await new Promise((r) => setTimeout(r, c.lastMs * 3 + 10));
    expect(c.due()).toBe(true);
  });
});
