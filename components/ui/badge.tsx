import { cn } from "./cn";

export type Tone = "neutral" | "green" | "amber" | "red" | "blue" | "violet" | "sky" | "zinc";

const TONES: Record<Tone, { box: string; dot: string }> = {
  neutral: { box: "bg-zinc-100 text-zinc-700 ring-zinc-300/70", dot: "bg-zinc-400" },
  zinc: { box: "bg-zinc-800 text-zinc-50 ring-zinc-800", dot: "bg-zinc-300" },
  green: { box: "bg-emerald-50 text-emerald-800 ring-emerald-600/25", dot: "bg-emerald-500" },
  amber: { box: "bg-amber-50 text-amber-800 ring-amber-600/30", dot: "bg-amber-500" },
  red: { box: "bg-red-50 text-red-800 ring-red-600/25", dot: "bg-red-500" },
  blue: { box: "bg-blue-50 text-blue-800 ring-blue-600/25", dot: "bg-blue-500" },
  violet: { box: "bg-violet-50 text-violet-800 ring-violet-600/25", dot: "bg-violet-500" },
  sky: { box: "bg-sky-50 text-sky-800 ring-sky-600/25", dot: "bg-sky-500" },
};

/** A compact status pill; `dot` adds a leading status dot (colour is never the only signal: the label says it). */
export function Badge({
  tone = "neutral",
  dot = false,
  pulse = false,
  className,
  title,
  children,
}: {
  tone?: Tone;
  dot?: boolean;
  pulse?: boolean;
  className?: string;
  title?: string;
  children: React.ReactNode;
}) {
  const t = TONES[tone];
  return (
    <span
      title={title}
      className={cn(
        "inline-flex items-center gap-1.5 whitespace-nowrap rounded px-1.5 py-px text-[11.5px] font-medium leading-[18px] ring-1 ring-inset",
        t.box,
        className,
      )}
    >
      {dot && (
        <span className="relative flex size-1.5" aria-hidden>
          {pulse && <span className={cn("absolute inline-flex size-full animate-ping rounded-full opacity-60", t.dot)} />}
          <span className={cn("relative inline-flex size-1.5 rounded-full", t.dot)} />
        </span>
      )}
      {children}
    </span>
  );
}
