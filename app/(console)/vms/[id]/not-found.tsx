import { NotFoundCard } from "@/components/ui/not-found-card";

export default function VmNotFound() {
  return <NotFoundCard title="VM not found" message="No VM has this id: it may have been deleted." href="/vms" linkLabel="Back to VMs" />;
}
