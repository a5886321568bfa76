import { describe, expect, it } from "vitest";
import { tokens, testAdminId } from "../helpers/processes.js";
import { useProduct, webhookBasePath, type User } from "./harness.js";

// `npm start` with WEBHOOK_URL: the one HTTP server on PORT serves the three bots' webhooks next to the web app.
const product = useProduct(["all"], {}, { webhook: true });

describe("npm start with WEBHOOK_URL", () => {
  it("receives all three bots' updates on their paths of its one port, and exits 0 on SIGTERM", async () => {
    const url = await product.process("all").listeningUrl();
    for (const bot of ["client", "partner", "admin"] as const) {
      expect(product.balancer.backends(`${webhookBasePath}/${bot}`)).toEqual([url]);
      expect(product.fake.calls(tokens[bot]).filter((c) => c.method === "getUpdates")).toEqual([]);
    }
    await product.say("client", { id: 641, first_name: "Ким" }, "/start", /Выберите язык/);
    await product.say("admin", { id: testAdminId, first_name: "Админ" }, "/help", /\/queue/);
    const owner: User = { id: 508, first_name: "Нина" };
    await product.say("partner", owner, "/apply", /называется/);
    await product.say("partner", owner, "/cancel", /Отменено/);
    for (const bot of ["client", "partner", "admin"] as const) {
      const posts = product.balancer.forwarded.filter((f) => f.path === `${webhookBasePath}/${bot}`);
      expect(posts.length).toBeGreaterThan(0);
      expect(posts.every((f) => f.answers.every((a) => a.backend === url))).toBe(true);
    }
    // The same port still serves the rest: the ops routes and the web app.
    expect(await (await fetch(`${url}/healthz`)).text()).toBe("ok");
    expect((await fetch(`${url}${webhookBasePath}/nobody`, { method: "POST" })).status).toBe(404);
    await product.process("all").stop();
    expect(product.process("all").exitCode).toBe(0);
  }, 150_000);
});
