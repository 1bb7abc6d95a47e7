// Sanitises the forwarding headers of every request a Node HTTP(S) server of this process
// receives, before any handler (Next's included) sees it: only the socket knows the peer.
//   untrusted peer → X-Forwarded-*, X-Real-IP and Forwarded are dropped; X-Forwarded-For = peer
//   trusted proxy  → kept; the peer is appended to X-Forwarded-For (as a proxy would do)
// Trusted proxies: HAVEN_TRUSTED_PROXIES (lib/forwarded.ts). Installed by next.config.ts, which
// Next loads in the serving process before it handles a request (`next start`, `next dev`).
// No server-only imports (next.config.ts loads this).
import http from "node:http";
import https from "node:https";
import { FORWARDING_HEADERS, isTrustedProxy, markForwardingSanitised, normaliseAddress, trustedProxies, UNKNOWN_CLIENT, type TrustedProxies } from "./forwarded";

const INSTALLED = Symbol.for("haven.forwarded.sanitiser");

/** Rewrites one incoming request's forwarding headers from its socket's peer address. */
export function sanitiseForwarding(req: http.IncomingMessage, trusted: TrustedProxies = trustedProxies()): void {
  const h = req.headers;
  const peer = normaliseAddress(req.socket?.remoteAddress) ?? UNKNOWN_CLIENT;
  if (isTrustedProxy(peer, trusted)) {
    const xff = Array.isArray(h["x-forwarded-for"]) ? h["x-forwarded-for"].join(", ") : h["x-forwarded-for"];
    h["x-forwarded-for"] = xff?.trim() ? `${xff}, ${peer}` : peer;
    return;
  }
  for (const k of FORWARDING_HEADERS) delete h[k];
  h["x-forwarded-for"] = peer;
}

/** Installs the sanitiser on every HTTP and HTTPS server of this process (once). */
export function installForwardedSanitiser(): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[INSTALLED]) return;
  g[INSTALLED] = true;
  for (const proto of [http.Server.prototype, https.Server.prototype] as { emit: (event: string | symbol, ...args: unknown[]) => boolean }[]) {
    const emit = proto.emit;
    proto.emit = function (this: unknown, event: string | symbol, ...args: unknown[]): boolean {
      if (event === "request" || event === "checkContinue" || event === "checkExpectation") sanitiseForwarding(args[0] as http.IncomingMessage);
      return emit.call(this, event, ...args);
    };
  }
  markForwardingSanitised();
}
