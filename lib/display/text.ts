// Display wording for text written by the engine and the HA controller (alert messages, event
// messages, placement reasons). The writers keep their words; the console shows them in the words
// an admin uses: "SR-IOV VF" (not "sriov VF"), a placement score that says which way is better,
// names (linked) instead of store ids. Pure: usable by server and client components.

/** A store id (cuid): "c" then 24 lowercase letters and digits. */
export const ID_PATTERN = /\bc[a-z0-9]{24}\b/g;

/** The store ids a text contains, once each, in order. */
export function idsIn(text: string): string[] {
  return [...new Set(text.match(ID_PATTERN) ?? [])];
}

/** Internal words → the words an admin reads. Only whole words; tags in quotes are left alone. */
export function humanizeText(text: string): string {
  return outsideQuotes(text, (part) =>
    part
      .replace(/\bsriov (VFs?)\b/g, "SR-IOV $1")
      .replace(/\bsriov\b/g, "SR-IOV VF")
      .replace(/\bvgpu\b/g, "vGPU")
      // the engine's placement score: lower wins (load after placement plus penalties)
      .replace(/\bscore (\d+(?:\.\d+)?):/g, "score $1 (lower is better):"),
  );
}

/** Applies `f` to the parts of `text` outside double quotes (device tags are quoted and kept as typed). */
function outsideQuotes(text: string, f: (s: string) => string): string {
  return text
    .split(/("[^"]*")/)
    .map((part, i) => (i % 2 === 1 ? part : f(part)))
    .join("");
}

export type TextRef = { name: string; href: string | null };
export type TextSegment = string | { text: string; href: string | null; id: string };

/**
 * A text as segments: plain strings and the store ids it names, each replaced by its name (and a
 * link when there is a page for it). An id nothing resolves becomes "(deleted)" — never the raw id.
 */
export function textSegments(text: string, refs: ReadonlyMap<string, TextRef> | Record<string, TextRef>): TextSegment[] {
  const get = (id: string): TextRef | undefined => (refs instanceof Map ? refs.get(id) : (refs as Record<string, TextRef>)[id]);
  const human = humanizeText(text);
  const out: TextSegment[] = [];
  let last = 0;
  for (const m of human.matchAll(ID_PATTERN)) {
    const i = m.index ?? 0;
    if (i > last) out.push(human.slice(last, i));
    const ref = get(m[0]);
    out.push({ text: ref?.name ?? "(deleted)", href: ref?.href ?? null, id: m[0] });
    last = i + m[0].length;
  }
  if (last < human.length) out.push(human.slice(last));
  return out;
}

/** The same text as one string (ids replaced by names): for titles and tooltips. */
export function plainText(text: string, refs: ReadonlyMap<string, TextRef> | Record<string, TextRef> = {}): string {
  return textSegments(text, refs)
    .map((s) => (typeof s === "string" ? s : s.text))
    .join("");
}
