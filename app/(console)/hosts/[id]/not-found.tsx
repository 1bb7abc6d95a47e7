import { NotFoundCard } from "@/components/ui/not-found-card";

export default function HostNotFound() {
  return <NotFoundCard title="Host not found" message="No host has this id: it may have been removed from the cluster." href="/hosts" linkLabel="Back to hosts" />;
}
