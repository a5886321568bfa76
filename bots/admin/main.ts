// `npm run start:admin`: the admin bot on its own, with long polling.
import { isEntryPoint, runBotAlone, type BotSpec } from "../shared/launch.js";
import { adminCommands, createAdminBot } from "./bot.js";

export const adminBot: BotSpec = {
  name: "admin",
  create: createAdminBot,
  commands: adminCommands,
  tokenKey: "ADMIN_BOT_TOKEN",
  needsAdminIds: true,
};

if (isEntryPoint(import.meta.url)) await runBotAlone(adminBot);
