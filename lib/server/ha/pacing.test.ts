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

describe("LoopLag", () => {
  it("remembers the largest timer drift of its horizon, then forgets it", async () => {
    const { LoopLag } = await import("./pacing");
    const lag = new LoopLag(100, 1000);
    lag.tick(0);
    lag.tick(100);
    expect(lag.recentMaxMs(100)).toBe(0);
    lag.tick(2600); // the loop was held for 2.4 s
    expect(lag.recentMaxMs(2700)).toBe(2400);
    lag.tick(2700);
    expect(lag.recentMaxMs(3500)).toBe(2400);
    lag.tick(3700);
    expect(lag.recentMaxMs(3700)).toBe(900);
    lag.tick(5000);
    expect(lag.recentMaxMs(6000)).toBe(1200);
  });

  it("measures a real blocked event loop", async () => {
    const { LoopLag } = await import("./pacing");
    const lag = new LoopLag(20, 5000).start();
    await new Promise((r) => setTimeout(r, 50));
    const end = performance.now() + 300;
    while (performance.now() < end) {
      /* the loop is blocked */
    }
    await new Promise((r) => setTimeout(r, 60));
    lag.stop();
    expect(lag.recentMaxMs()).toBeGreaterThan(200);
  });
});
