// Device preparation before a start: create the VM's mdev vGPUs (mdev framework) and set the vGPU
// type of its VFs (NVIDIA's SR-IOV vGPU), by writing to sysfs as the kernel documents it:
//   echo <uuid> > /sys/bus/pci/devices/<parent>/mdev_supported_types/<type>/create
//   echo <type id> > /sys/bus/pci/devices/<vf>/nvidia/current_vgpu_type
import fs from "node:fs";
import path from "node:path";
import type { DevicePrep } from "./domain-xml";

export async function prepareDevices(sysfsRoot: string, prep: DevicePrep): Promise<void> {
  const dev = (addr: string, ...p: string[]) => path.join(sysfsRoot, "bus", "pci", "devices", addr, ...p);
  for (const m of prep.mdevs) {
    if (fs.existsSync(dev(m.parent, m.uuid))) continue;
    try {
      fs.writeFileSync(dev(m.parent, "mdev_supported_types", m.typeId, "create"), m.uuid);
    } catch (e) {
      throw new Error(`could not create vGPU ${m.uuid} (${m.typeId}) on ${m.parent}: ${(e as Error).message}`);
    }
  }
  for (const v of prep.vfVgpuTypes) {
    try {
      fs.writeFileSync(dev(v.vf, "nvidia", "current_vgpu_type"), String(v.typeId));
    } catch (e) {
      throw new Error(`could not set vGPU type ${v.typeId} on VF ${v.vf}: ${(e as Error).message}`);
    }
  }
}
