import { existsSync } from "node:fs";
import { chromium } from "playwright-core";

/** Debian's chromium (`apt-get install chromium`; .ci/run installs it). */
export const chromiumPath = "/usr/bin/chromium";

/**
 * Browser tests are skipped (with a warning) on a machine without chromium, but never in CI, where a missing
 * chromium fails them.
 */
export const skipBrowserTests = !existsSync(chromiumPath) && !process.env.CI;
if (skipBrowserTests) console.warn(`browser tests skipped: ${chromiumPath} is missing (apt-get install chromium); in CI they run and .ci/run installs it`);

/** Debian's chromium, with the flags this machine needs (no sandbox as root, no GPU, no calls to Google's hosts). */
export const launchChromium = () =>
  chromium.launch({ executablePath: chromiumPath, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
