// Alert wording that is pure text (no store, no controller state), so it can be tested alone.

/** Hosts named in an HA_REBUILD_FAILED message; the rest are counted. */
export const ALERT_HOSTS_SHOWN = 3;
/** General (not per-host) reasons kept in the message. */
const GENERAL_SHOWN = 2;

/** The engine's own headline ("no host can run VM db1 (…)"): the alert already says so. */
const REDUNDANT = /^no (host can run|candidate host for) VM /;
/** A host rejected only for its state: listed after the hosts that say something about the VM. */
const STATE_ONLY = /^host is (failed|unreachable|isolated|in maintenance|excluded for this placement|maintenance)$/;

/**
 * The reasons of an HA_REBUILD_FAILED alert, short: the general reasons first (at most two), then the
 * first hosts' lines (`<host>: <why>`, hosts rejected only for their state last), then
 * "… and N more hosts (see the VM page)" where N counts hosts — not lines: the engine's unplaceable
 * reasons already hold one line per host and callers append the rejections again, so the same host
 * may come twice. A line is a host's when it starts with "<name>: " for a name in `hostNames`;
 * without `hostNames`, when it starts with a word without spaces followed by ": ".
 */
export function summarizeRebuildReasons(reasons: readonly string[], opts: { hostNames?: Iterable<string>; shown?: number } = {}): string {
  const shown = opts.shown ?? ALERT_HOSTS_SHOWN;
  const names = opts.hostNames ? new Set(opts.hostNames) : null;
  const hostOf = (line: string): string | null => {
    if (names) {
      // the longest known name the line starts with (names may contain ": " in theory, never in practice)
      let best: string | null = null;
      for (let k = line.indexOf(": "); k > 0; k = line.indexOf(": ", k + 1)) if (names.has(line.slice(0, k))) best = line.slice(0, k);
      return best;
    }
    const m = /^([^\s:;]+): /.exec(line);
    return m ? m[1] : null;
  };
  const general: string[] = [];
  const hosts = new Map<string, string>();
  const seen = new Set<string>();
  for (const line of reasons) {
    if (seen.has(line)) continue;
    seen.add(line);
    const host = hostOf(line);
    if (host === null) {
      if (!REDUNDANT.test(line)) general.push(line);
    } else if (!hosts.has(host)) hosts.set(host, line);
  }
  const lines = [...hosts.entries()];
  const stateOnly = ([host, line]: [string, string]) => STATE_ONLY.test(line.slice(host.length + 2));
  const ordered = [...lines.filter((e) => !stateOnly(e)), ...lines.filter(stateOnly)].map(([, line]) => line);
  const parts = [...general.slice(0, GENERAL_SHOWN), ...ordered.slice(0, shown)];
  if (!parts.length) return "no host fits";
  const more = ordered.length - Math.min(shown, ordered.length);
  return more > 0 ? `${parts.join("; ")}; … and ${more} more host${more === 1 ? "" : "s"} (see the VM page)` : parts.join("; ");
}
