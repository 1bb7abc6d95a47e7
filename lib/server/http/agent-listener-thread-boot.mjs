// Worker entry of the agent listener's thread: TypeScript through tsx's loader (a worker does not
// inherit the process's `--import tsx`), then the listener (agent-listener-thread.ts).
import { register } from "tsx/esm/api";

register();
await import("./agent-listener-thread.ts");
