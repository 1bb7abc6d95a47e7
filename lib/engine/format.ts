// Wording helpers shared by the engine's reasons.
import type { DeviceType } from "./types";

export function fmtMem(mib: number): string {
  if (mib % 1024 === 0) return `${mib / 1024} GiB`;
  if (Math.abs(mib) >= 1024) return `${(mib / 1024).toFixed(1)} GiB`;
  return `${mib} MiB`;
}

const UNIT: Record<DeviceType, [string, string]> = {
  gpu: ["GPU", "GPUs"],
  vgpu: ["vGPU slot", "vGPU slots"],
  sriov: ["VF", "VFs"],
};

/** "1 free sriov VF tagged "trading-a"" */
export function fmtDevices(type: DeviceType, tag: string, count: number, adjective = "free"): string {
  const unit = UNIT[type][count === 1 ? 0 : 1];
  // "1 free GPU", "2 free vGPU slots", "1 free sriov VF" (the SR-IOV wording admins see on NICs)
  const noun = type === "sriov" ? `sriov ${unit}` : unit;
  return `${count}${adjective ? ` ${adjective}` : ""} ${noun} tagged "${tag}"`;
}

export function unitName(type: DeviceType, count: number): string {
  return UNIT[type][count === 1 ? 0 : 1];
}

export function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}
