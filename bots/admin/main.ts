// `npm run start:admin`: the admin bot on its own, with long polling.
import { runBotAlone, type BotSpec } from "../shared/launch.js";
import { isEntryPoint } from "../../core/process.js";
import { adminCommands, createAdminBot } from "./bot.js";

export const adminBot: BotSpec = {
  name: "admin",
  create: createAdminBot,
  commands: adminCommands,
  tokenKey: "ADMIN_BOT_TOKEN",
  needsAdminIds: true,
};

if (isEntryPoint(import.meta.url)) await runBotAlone(adminBot);
