// The ops endpoints, the same in every process: GET /healthz (liveness: the event loop runs), /readyz (readiness:
// Postgres, Redis, migrations, not shutting down) and /metrics (Prometheus text).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Runtime } from "../runtime.js";
import { readiness } from "./health.js";
import { metricsText } from "./metrics.js";

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

const opsPaths = new Set(["/healthz", "/readyz", "/metrics"]);

/** Answers GET /healthz, /readyz and /metrics; returns false (and does nothing) for any other path. */
export function opsRoutes(runtime: Pick<Runtime, "db" | "redis" | "logger">): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0] ?? "/";
    if ((req.method !== "GET" && req.method !== "HEAD") || !opsPaths.has(path)) return false;
    const send = (status: number, contentType: string, body: string) => {
      res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    const answer = async () => {
      if (path === "/healthz") return send(200, "text/plain; charset=utf-8", "ok");
      if (path === "/readyz") {
        const ready = await readiness(runtime);
        return send(ready.ok ? 200 : 503, "application/json", JSON.stringify({ status: ready.ok ? "ok" : "unavailable", checks: ready.checks }));
      }
      const metrics = await metricsText();
      send(200, metrics.contentType, metrics.body);
    };
    answer().catch((err: unknown) => {
      runtime.logger.error({ err, path }, "ops request failed");
      if (!res.headersSent) send(500, "text/plain; charset=utf-8", "internal error");
      else res.destroy();
    });
    return true;
  };
}

/** An HTTP server listening, with its address (for logs and tests) and a close that ends its open connections. */
export type Listening = { url: string; close(): Promise<void> };

/**
 * Serves `handler` on `port` (0: any free one) on `host` (default: every interface; the logged URL then says
 * 127.0.0.1). Slow or idle clients do not hold sockets for ever (a CSV download keeps writing, so it is not cut).
 * Rejects if the port is taken (EADDRINUSE).
 */
export async function listen(handler: NodeHandler, options: { port: number; host?: string }): Promise<Listening> {
  const server = createServer(handler);
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? "127.0.0.1";
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * A process started alone: an HTTP server on `port` (0: any free one) answering the ops routes, and passing every
 * other request to `fallback` (a bot's webhook) or 404. Logs "ops server listening" with its `url` once it listens
 * (tests started with port 0 read the port from that line).
 */
export async function startOpsServer(options: { port: number; host?: string; runtime: Pick<Runtime, "db" | "redis" | "logger">; fallback?: NodeHandler }): Promise<Listening> {
  const ops = opsRoutes(options.runtime);
  const server = await listen(
    (req, res) => {
      if (ops(req, res)) return;
      if (options.fallback) return options.fallback(req, res);
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found");
    },
    { port: options.port, ...(options.host !== undefined && { host: options.host }) },
  );
  options.runtime.logger.info({ url: server.url }, "ops server listening");
  return server;
}
