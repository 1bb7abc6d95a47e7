// Security headers: the content security policy (per-request nonce, set by proxy.ts on pages)
// and the static headers every answer carries (next.config.ts headers()). No server-only
// imports: proxy.ts and next.config.ts load this.

/**
 * The pages' CSP. Scripts: only Next's own, carrying this request's nonce ('strict-dynamic' lets
 * them load their chunks) — no 'unsafe-inline' for scripts. Styles: 'unsafe-inline' (React style
 * attributes and the charts' inline styles; styles cannot run code). Nothing may frame the console.
 */
export function pageCsp(nonce: string, dev = process.env.NODE_ENV === "development"): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Server action bodies (next.config.ts `experimental.serverActions.bodySizeLimit`; proxy.ts). */
export const SERVER_ACTION_BODY_LIMIT = "256kb";
export const SERVER_ACTION_BODY_LIMIT_BYTES = 256 * 1024;

/** JSON answers: nothing to load, nothing may frame them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Headers on every answer. */
export const STATIC_SECURITY_HEADERS: { key: string; value: string }[] = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  { key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" },
];

/** Paths anyone may open without a session (pages and APIs). The agent API has its own bearer tokens. */
export function isPublicPath(pathname: string): boolean {
  return (
    pathname === "/sign-in" ||
    pathname === "/setup" ||
    pathname === "/forbidden" ||
    pathname.startsWith("/sso/") || // single sign-on: the IdP's callback and the refusal page
    pathname === "/api/health" ||
    pathname.startsWith("/api/health/") ||
    pathname.startsWith("/api/agent/")
  );
}

/** Whether a Cookie header carries a Haven session cookie (presence only; the server checks it). */
export function hasSessionCookie(cookieHeader: string | null): boolean {
  return /(?:^|;\s*)(?:__Secure-)?haven\.session_token=/.test(cookieHeader ?? "");
}
