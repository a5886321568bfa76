// `npx tsx ops/build-pages.ts`: builds the Mini App and the dashboard (web/ui/*/dist) if their sources changed.
// The web server does the same at start, but under systemd its code is read-only (cashback-web.service), so a
// deployment builds them here first, after every `npm ci` or update of the code (README, "Deployment").
import { ensureWebPagesBuilt } from "../web/pages.js";

const pages = await ensureWebPagesBuilt();
process.stdout.write(`pages built: ${pages.miniApp}, ${pages.dashboard}\n`);
