// The VM form's warning for a device tag no device carries: it names the known tags of that type
// and says what follows. A well-formed but unknown tag is allowed (the device may come later).

const TYPE_WORDS: Record<string, string> = { gpu: "GPU", vgpu: "vGPU", sriov: "SR-IOV VF" };
const SHOWN = 6;

export function unknownTagWarning(type: string, tag: string, known: readonly { type: string; name: string }[]): string | null {
  const t = tag.trim();
  if (!t) return null;
  const ofType = known.filter((k) => k.type === type).map((k) => k.name);
  if (ofType.includes(t)) return null;
  const words = TYPE_WORDS[type] ?? type;
  const list = ofType.length
    ? `Known ${words} tags: ${ofType.slice(0, SHOWN).map((n) => `"${n}"`).join(", ")}${ofType.length > SHOWN ? ` and ${ofType.length - SHOWN} more` : ""}.`
    : `No ${words} tag exists yet.`;
  return `No device carries the ${words} tag "${t}". ${list} The VM can be saved, but it cannot start on any host until a device carries this tag.`;
}
