// Entry point of haven-agent (npm run agent -- …, the npm bin, the systemd unit).
import { main } from "./cli";

main().catch((e) => {
  process.stderr.write(`haven-agent: ${(e as Error).message}\n`);
  process.exit(1);
});
