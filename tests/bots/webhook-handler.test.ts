import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { webhookHandler, webhookSecret } from "../../bots/shared/webhook.js";

/** The webhook endpoint alone, behind a bare node server (what a bot started alone or `npm start` puts in front). */
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

async function serve(accept: () => Promise<void>) {
  const secret = webhookSecret("0123456789abcdef0123456789abcdef", "partner");
  const handler = webhookHandler({ bot: "partner", path: "/telegram/partner", secret, logger: pino({ level: "silent" }), accept, stopping: () => false });
  const server = createServer((req, res) => {
    if (!handler(req, res)) res.writeHead(404).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, secret };
}

/** Sends raw bytes and returns the status line of the answer (a request target fetch() would never send). */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(request));
    let data = "";
    socket.on("data", (d) => (data += d.toString()));
    socket.on("end", () => resolve(data.split("\r\n")[0] ?? ""));
    socket.on("error", reject);
  });
}

describe("the webhook endpoint", () => {
  it("a request target that is not a parseable URL is simply not its path: no crash, the next request is served", async () => {
    const { port } = await serve(async () => {});
    for (const target of ["//[", "http://a:b", "//[/../telegram/partner"]) {
      expect(await raw(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).toBe("HTTP/1.1 404 Not Found");
    }
    const res = await fetch(`http://127.0.0.1:${port}/telegram/partner`, { method: "POST", body: "{}" });
    expect(res.status).toBe(401);
  });

  it("an update it could not take (Redis answered too late) is refused with 503, so Telegram posts it again", async () => {
    let offered = 0;
    const { port, secret } = await serve(async () => {
      offered++;
      throw new Error("Command timed out");
    });
    const res = await fetch(`http://127.0.0.1:${port}/telegram/partner?x=1`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
      body: JSON.stringify({ update_id: 5, message: { message_id: 1, date: 0, chat: { id: 1, type: "private" }, text: "hi" } }),
    });
    expect(res.status).toBe(503);
    expect(offered).toBe(1);
  });
});
