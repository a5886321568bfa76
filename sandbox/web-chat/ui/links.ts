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
