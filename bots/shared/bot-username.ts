import type { BotDeps } from "./deps.js";
import type { BotName } from "../../telegram/bot-name.js";
import { botUsernameKey } from "./deps.js";

/**
 * The @username of one of the network's bots, for the links another bot gives out (a partner's link to the client
 * bot). Each bot publishes its username in Redis at start and again whenever Redis reconnects; if Redis has lost it
 * (restarted empty) and this process has that bot's token, Telegram is asked (getMe) and the answer published again.
 * Undefined only when neither can tell.
 */
export async function botUsername(deps: BotDeps, bot: BotName): Promise<string | undefined> {
  const cached = await deps.redis.get(botUsernameKey(bot)).catch(() => null);
  if (cached) return cached;
  const api = deps.peerApis?.[bot];
  if (!api) return undefined;
  try {
    const me = await api.getMe();
    await deps.redis.set(botUsernameKey(bot), me.username).catch(() => undefined);
    return me.username;
  } catch (err) {
    deps.logger.warn({ err, bot }, "could not ask Telegram for a bot's username");
    return undefined;
  }
}
