import { NotFoundCard } from "@/components/ui/not-found-card";

export default function AlertNotFound() {
  return <NotFoundCard title="Alert not found" message="No alert has this id." href="/alerts" linkLabel="Back to alerts" />;
}
