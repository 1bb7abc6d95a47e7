// A stored text (alert, event, engine reason) in the console's words: "SR-IOV VF" for "sriov VF",
// the placement score's direction, and store ids replaced by names — linked when there is a page —
// or "(deleted)", never the raw id (lib/display/text.ts).
import Link from "next/link";
import { plainText, textSegments, type TextRef } from "@/lib/display/text";
import { entityLink } from "./table";

export function HumanText({ text, refs = {}, links = true }: { text: string; refs?: Record<string, TextRef>; links?: boolean }) {
  const segs = textSegments(text, refs);
  return (
    <>
      {segs.map((s, i) =>
        typeof s === "string" ? (
          s
        ) : s.href && links ? (
          <Link key={i} href={s.href} className={entityLink}>
            {s.text}
          </Link>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </>
  );
}

/** The same text as a plain string (for `title` attributes). */
export function humanTitle(text: string, refs: Record<string, TextRef> = {}): string {
  return plainText(text, refs);
}
