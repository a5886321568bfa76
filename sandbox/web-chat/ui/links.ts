import type { BotInfo, BotName } from "../protocol.js";

export type BotLink = { bot: BotName; payload: string | undefined };

/**
 * A link to one of the sandbox's bots (`https://t.me/<username>?start=<payload>`, also without the scheme or on
 * telegram.me), as Telegram would open it: a chat with that bot, started with the payload. Anything else: null.
 */
export function parseBotLink(url: string, bots: Record<BotName, BotInfo>): BotLink | null {
  let parsed: URL;
  try {
    parsed = new URL(/^[a-z]+:\/\//i.test(url) ? url : `https://${url}`);
  } catch {
    return null;
  }
  if (!["t.me", "telegram.me", "www.t.me"].includes(parsed.hostname.toLowerCase())) return null;
  const username = parsed.pathname.replace(/^\/+|\/+$/g, "").toLowerCase();
  const bot = (Object.keys(bots) as BotName[]).find((name) => bots[name].username.toLowerCase() === username);
  if (!bot) return null;
  return { bot, payload: parsed.searchParams.get("start") ?? undefined };
}

/**
 * A web_app button's URL that the web chat opens as a Mini App: a page of this same server (the sandbox serves the
 * Mini App beside the web chat; 127.0.0.1 and localhost are the same machine). Anything else is shown as a link.
 */
export function isOwnWebApp(url: string, here: { protocol: string; hostname: string; port: string }): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const local = new Set([here.hostname, "127.0.0.1", "localhost"]);
  return parsed.protocol === here.protocol && parsed.port === here.port && local.has(parsed.hostname);
}
