// `npm run start:partner`: the partner bot on its own, with long polling.
import { runBotAlone, type BotSpec } from "../shared/launch.js";
import { isEntryPoint } from "../../core/process.js";
import { partnerCommands, createPartnerBot } from "./bot.js";

export const partnerBot: BotSpec = {
  name: "partner",
  create: createPartnerBot,
  commands: partnerCommands,
  tokenKey: "PARTNER_BOT_TOKEN",
  peers: ["client"],
};

if (isEntryPoint(import.meta.url)) await runBotAlone(partnerBot);
