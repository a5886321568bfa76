import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { tokens, testAdminId } from "../helpers/processes.js";
import { useProduct, type User } from "./harness.js";

/** A port nothing listens on now (the OS picks it). */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer().once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

// `npm start`: one process runs the three bots, the worker and the web server.
const webPort = await freePort();
const product = useProduct(["all"], { PORT: String(webPort), PUBLIC_URL: `http://localhost:${webPort}` });

/** The web server answers once its pages are built (a first start builds them after the bots are up). */
async function fetchWhenUp(path: string, timeoutMs = 90_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(`http://127.0.0.1:${webPort}${path}`);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

describe("npm start", () => {
  it("serves all three bots and the web pages, publishes the bots' commands in both languages, and exits 0 on SIGTERM", async () => {
    const owner: User = { id: 508, first_name: "Нина" };
    await product.say("client", { id: 641, first_name: "Ким" }, "/start", /Выберите язык/);
    await product.say("admin", { id: testAdminId, first_name: "Админ" }, "/help", /\/queue/);
    await product.say("partner", owner, "/apply", /называется/);
    await product.say("partner", owner, "/cancel", /Отменено/);
    for (const bot of ["client", "partner", "admin"] as const) {
      const commands = product.fake.calls(tokens[bot]).filter((c) => c.method === "setMyCommands");
      expect(commands.map((c) => c.params.language_code ?? "default").sort()).toEqual(["default", "en", "ru"]);
    }
    expect(await (await fetchWhenUp("/healthz")).text()).toBe("ok");
    for (const page of ["/app/", "/dashboard/"]) {
      const res = await fetchWhenUp(page);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/<script type="module"[^>]+src="\/(app|dashboard)\/assets\//);
    }
    await product.process("all").stop();
    expect(product.process("all").exitCode).toBe(0);
  }, 150_000);
});
