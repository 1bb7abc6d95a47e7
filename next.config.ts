import type { NextConfig } from "next";
import { installForwardedSanitiser } from "./lib/forwarded-sanitiser";
import { API_CSP, SERVER_ACTION_BODY_LIMIT, STATIC_SECURITY_HEADERS } from "./lib/security-headers";

// Next loads this file in the process that serves requests, before it handles one: from here on
// every request's X-Forwarded-* headers are believed only from HAVEN_TRUSTED_PROXIES
// (lib/forwarded.ts) — Next's own server-action origin check included.
installForwardedSanitiser();

const nextConfig: NextConfig = {
  // better-sqlite3 is a native addon; Prisma's client is loaded at run time.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/client", "pino"],
  poweredByHeader: false,
  // Separate build dirs let several builds (or a dev server and a build) share one checkout.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  typedRoutes: false,
  // The build type-checks the app only (tsconfig.build.json: app/, components/, lib/ without
  // tests), so a type error in a test cannot stop `npm start`; `npm test` type-checks everything.
  typescript: { tsconfigPath: "tsconfig.build.json" },
  // Server action bodies (the admin forms are a few KB): refuse anything over 256 KB. proxy.ts
  // answers an over-limit (413) or cross-origin (403) action before Next reads it.
  experimental: { serverActions: { bodySizeLimit: SERVER_ACTION_BODY_LIMIT } },
  // Security headers on every answer; pages get their nonce CSP from proxy.ts, JSON routes this one.
  async headers() {
    return [
      { source: "/:path*", headers: STATIC_SECURITY_HEADERS },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: API_CSP }] },
    ];
  },
};

export default nextConfig;
