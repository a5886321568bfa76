// `npm run start:client`: the client bot on its own, with long polling.
import { runBotAlone, type BotSpec } from "../shared/launch.js";
import { isEntryPoint } from "../../core/process.js";
import { clientCommands, createClientBot } from "./bot.js";

export const clientBot: BotSpec = {
  name: "client",
  create: createClientBot,
  commands: clientCommands,
  tokenKey: "CLIENT_BOT_TOKEN",
};

if (isEntryPoint(import.meta.url)) await runBotAlone(clientBot);
