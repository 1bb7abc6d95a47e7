import { NotFoundCard } from "@/components/ui/not-found-card";

export default function IncidentNotFound() {
  return <NotFoundCard title="Incident not found" message="No incident has this id." href="/incidents" linkLabel="Back to incidents" />;
}
