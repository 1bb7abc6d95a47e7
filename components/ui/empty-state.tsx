import { Inbox } from "lucide-react";
import { cn } from "./cn";

export function EmptyState({
  title,
  children,
  icon: Icon = Inbox,
  action,
  className,
}: {
  title: string;
  children?: React.ReactNode;
  icon?: React.ComponentType<{ className?: string; "aria-hidden"?: boolean }>;
  action?: React.ReactNode;
  className?: string;
}) {
  return (
    <div className={cn("flex flex-col items-center justify-center px-6 py-10 text-center", className)}>
      <Icon aria-hidden className="mb-2 size-8 text-zinc-300" />
      <p className="text-[13px] font-medium text-zinc-800">{title}</p>
      {children && <div className="mt-1 max-w-md text-[12.5px] text-zinc-500">{children}</div>}
      {action && <div className="mt-3">{action}</div>}
    </div>
  );
}
