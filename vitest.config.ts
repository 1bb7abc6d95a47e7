import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname), "server-only": path.resolve(import.meta.dirname, "tests/support/server-only-shim.ts") } },
  test: {
    include: ["lib/**/*.test.ts", "tests/**/*.test.ts", "bench/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    server: { deps: { inline: [] } },
  },
});
