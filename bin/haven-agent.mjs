#!/usr/bin/env node
// The `haven-agent` npm bin: runs lib/agent/main.ts through tsx (a dependency of this package).
import { register } from "tsx/esm/api";

register();
await import("../lib/agent/main.ts");
