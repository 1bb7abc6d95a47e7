// Display formatting shared by server and client components (no server-only imports).

const nf = new Intl.NumberFormat("en-US");

export function fmtInt(n: number): string {
  return nf.format(n);
}

/** 4096 → "4 GiB", 1536 → "1.5 GiB", 512 → "512 MiB", 2 TiB and up in TiB. */
export function fmtMiB(mib: number): string {
  const abs = Math.abs(mib);
  if (mib === 0) return "0 GiB";
  if (abs >= 1024 * 1024) return `${trim(mib / (1024 * 1024))} TiB`;
  if (abs >= 1024) return `${trim(mib / 1024)} GiB`;
  return `${mib} MiB`;
}

export function fmtGiB(gib: number): string {
  if (gib >= 1024) return `${trim(gib / 1024)} TiB`;
  return `${gib} GiB`;
}

function trim(x: number): string {
  return x >= 100 ? String(Math.round(x)) : x.toFixed(1).replace(/\.0$/, "");
}

export function fmtPct(used: number, total: number): string {
  if (total <= 0) return "—";
  return `${Math.round((used / total) * 100)}%`;
}

/** "2026-11-23 06:55:01 UTC": absolute times in UTC, the same on every operator's screen. */
export function fmtDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  return d.toISOString().replace("T", " ").replace(/\.\d{3}Z$/, " UTC");
}

/** "12 s ago", "5 min ago", "3 h ago", "4 d ago" relative to `now`. */
export function fmtAgo(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "never";
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return "—";
  const s = Math.round((now - t) / 1000);
  if (s < 0) return "just now";
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

/** "1 VM", "3 VMs". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${fmtInt(n)} ${n === 1 ? one : many}`;
}

export function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
