import { NotFoundCard } from "@/components/ui/not-found-card";

export default function NetworkNotFound() {
  return <NotFoundCard title="Network not found" message="No network has this id: it may have been deleted." href="/networks" linkLabel="Back to networks" />;
}
