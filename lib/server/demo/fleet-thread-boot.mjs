// Worker entry of the demo fleet's thread: TypeScript through tsx's loader (a worker does not
// inherit the process's `--import tsx`), then the fleet (fleet-thread.ts).
import { register } from "tsx/esm/api";

register();
await import("./fleet-thread.ts");
