// NVIDIA vGPU type names and the two sysfs shapes they come in:
// - mdev (Maxwell … Ampere with the mdev framework): `mdev_supported_types/<type-id>/name` says
//   "GRID M60-2Q" or "NVIDIA A100-4C";
// - SR-IOV vGPU (Ampere and later, the vendor-specific VFIO framework): every VF has
//   `nvidia/creatable_vgpu_types` ("ID : name" lines, sometimes with a header) and
//   `nvidia/current_vgpu_type` (0 = none).
// MIG-backed types are named `<board>-<slices>-<GB><series>` ("A100-1-5C", "H200X-1-18C",
// "A100-1-5CME" with media extensions); time-sliced ones `<board>-<GB><series>` ("A100-40C",
// "M60-2Q").

export interface VgpuTypeName {
  /** The type as the driver names it, vendor prefix removed: "A100-1-5C". */
  profile: string;
  board: string;
  /** Frame buffer in GB (whole card share or MIG slice). */
  framebufferGB: number | null;
  /** Series letters: Q (virtual workstation), C (compute), B (PC), A (apps), with extensions (CME). */
  series: string | null;
  /** MIG-backed: compute slices of the GPU instance behind the type. */
  migSlices: number | null;
}

const PREFIXES = /^(?:NVIDIA|GRID|Tesla)\s+/i;

/** Parses a vGPU type name loosely; unknown shapes keep their name as the profile. */
export function parseVgpuTypeName(raw: string): VgpuTypeName {
  let profile = raw.trim();
  while (PREFIXES.test(profile)) profile = profile.replace(PREFIXES, "");
  const mig = /^(.+?)-(\d+)-(\d+)([A-Z]+)$/.exec(profile);
  if (mig) return { profile, board: mig[1], migSlices: Number(mig[2]), framebufferGB: Number(mig[3]), series: mig[4] };
  const ts = /^(.+)-(\d+)([A-Z]+)$/.exec(profile);
  if (ts) return { profile, board: ts[1], migSlices: null, framebufferGB: Number(ts[2]), series: ts[3] };
  return { profile, board: profile, migSlices: null, framebufferGB: null, series: null };
}

export interface CreatableVgpuType {
  id: number;
  name: string;
}

/**
 * `creatable_vgpu_types` → types. Lines look like "1414 : NVIDIA H200X-1-18C"; the driver may
 * print a header ("ID    : vGPU Name"), pad with spaces or tabs, or leave the file empty
 * (nothing creatable on this VF now). Anything that is not "<number> : <name>" is skipped.
 */
export function parseCreatableVgpuTypes(text: string): CreatableVgpuType[] {
  const out: CreatableVgpuType[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(\d+)\s*:\s*(\S.*?)\s*$/.exec(line);
    if (m) out.push({ id: Number(m[1]), name: m[2] });
  }
  return out;
}
