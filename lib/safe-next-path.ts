// Where to go after signing in (`/sign-in?next=…`): only a path of this console. A browser
// reads a Location very loosely — it drops tabs and newlines anywhere, turns `\` into `/`,
// and follows `//host` to another site — so `/%09/evil.example` or `/\evil.example` must not
// pass for a path. The value is judged both as given and as the browser would read it after
// decoding: no control characters or whitespace, no `//` or `/\` start, no scheme, and
// resolved against an origin it must still be that origin. Client-safe (no server imports).

const PROBE_ORIGIN = "http://haven.invalid";
const MAX_LEN = 2048;

/**
 * A same-origin path (pathname + query + hash, as the URL parser writes it) for `raw`, or null
 * when `raw` is not a string, too long, or could lead anywhere else.
 */
export function safeNextPath(raw: unknown, origin: string = PROBE_ORIGIN): string | null {
  if (typeof raw !== "string" || !raw || raw.length > MAX_LEN) return null;
  // Decoded until stable (a few rounds: `%2509` hides `%09`), control characters and spaces out.
  let probe = raw;
  for (let i = 0; i < 4; i++) {
    let d: string;
    try {
      d = decodeURIComponent(probe);
    } catch {
      return null; // not valid percent-encoding
    }
    if (d === probe) break;
    probe = d;
  }
  if (/[\u0000-\u001f\u007f-\u009f]/.test(raw) || /[\u0000-\u001f\u007f-\u009f]/.test(probe)) return null;
  probe = probe.replace(/\s+/g, "");
  for (const s of [raw.trim(), probe]) {
    if (!s.startsWith("/") || s.startsWith("//") || s.startsWith("/\\")) return null;
    if (/^[a-z][a-z0-9+.-]*:/i.test(s)) return null;
  }
  let base: URL;
  try {
    base = new URL(origin);
  } catch {
    return null;
  }
  let resolved: URL;
  try {
    resolved = new URL(raw, base);
    if (new URL(probe, base).origin !== base.origin) return null;
  } catch {
    return null;
  }
  if (resolved.origin !== base.origin) return null;
  return resolved.pathname + resolved.search + resolved.hash;
}
