import { describe, expect, it } from "vitest";
import { tokens, testAdminId } from "../helpers/processes.js";
import { useProduct, type User } from "./harness.js";

// `npm start`: one process runs the three bots and the worker.
const product = useProduct(["all"]);

describe("npm start", () => {
  it("serves all three bots, publishes their commands in both languages, and exits 0 on SIGTERM", async () => {
    const owner: User = { id: 508, first_name: "Нина" };
    await product.say("client", { id: 641, first_name: "Ким" }, "/start", /Выберите язык/);
    await product.say("admin", { id: testAdminId, first_name: "Админ" }, "/help", /\/queue/);
    await product.say("partner", owner, "/apply", /называется/);
    await product.say("partner", owner, "/cancel", /Отменено/);
    for (const bot of ["client", "partner", "admin"] as const) {
      const commands = product.fake.calls(tokens[bot]).filter((c) => c.method === "setMyCommands");
      expect(commands.map((c) => c.params.language_code ?? "default").sort()).toEqual(["default", "en", "ru"]);
    }
    await product.process("all").stop();
    expect(product.process("all").exitCode).toBe(0);
  });
});
