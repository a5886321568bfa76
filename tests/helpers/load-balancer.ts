import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What the balancer did with one request: which backends it went to and what each answered (or how it failed). */
export type Forwarded = { path: string; updateId: number | undefined; answers: { backend: string; status?: number; error?: string }[] };

/**
 * A test load balancer in front of bot replicas: the address Telegram (the fake Bot API) posts webhooks to. Each path
 * has its backends; a request goes to the next one in turn (so consecutive updates alternate between replicas), or,
 * for an update chosen with {@link duplicate}, to all of them at the same moment, as a retrying proxy or Telegram
 * itself may deliver one update twice. The poster gets the first answer. A path without backends answers 502.
 */
export class LoadBalancer {
  readonly forwarded: Forwarded[] = [];
  private readonly routes = new Map<string, { backends: string[]; next: number }>();
  private duplicated: (update: { update_id: number }) => boolean = () => false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<LoadBalancer> {
    let balancer: LoadBalancer | undefined;
    const server = createServer((req, res) => {
      void balancer!.forward(req).then(
        ({ status, body, headers }) => res.writeHead(status, headers).end(body),
        () => res.writeHead(502).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    balancer = new LoadBalancer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return balancer;
  }

  /** Requests for `path` go to `backends` (base URLs) in turn. */
  route(path: string, backends: string[]): void {
    this.routes.set(path, { backends: [...backends], next: 0 });
  }

  /** The backends `path` goes to now. */
  backends(path: string): string[] {
    return [...(this.routes.get(path)?.backends ?? [])];
  }

  /** Updates matching `predicate` are posted to every backend of their path at once. */
  duplicate(predicate: (update: { update_id: number }) => boolean): void {
    this.duplicated = predicate;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async forward(req: IncomingMessage): Promise<{ status: number; body: Buffer; headers: Record<string, string> }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const path = (req.url ?? "/").split("?", 1)[0]!;
    let update: { update_id: number } | undefined;
    try {
      update = JSON.parse(body.toString("utf8")) as { update_id: number };
    } catch {
      update = undefined;
    }
    const route = this.routes.get(path);
    const record: Forwarded = { path, updateId: update?.update_id, answers: [] };
    this.forwarded.push(record);
    if (!route || route.backends.length === 0) return { status: 502, body: Buffer.alloc(0), headers: {} };
    const targets = update && this.duplicated(update) ? route.backends : [route.backends[route.next++ % route.backends.length]!];
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string" && !["host", "connection", "content-length"].includes(name)) headers[name] = value;
    const attempts = targets.map(async (backend) => {
      try {
        const res = await fetch(`${backend}${req.url ?? "/"}`, { method: req.method, headers, ...(body.length > 0 && { body }) });
        const answer = Buffer.from(await res.arrayBuffer());
        record.answers.push({ backend, status: res.status });
        return { status: res.status, body: answer, headers: {} };
      } catch (err) {
        record.answers.push({ backend, error: String(err) });
        throw err;
      }
    });
    // The first answer goes back; a backend that failed counts only if all did.
    return Promise.any(attempts).catch(() => ({ status: 502, body: Buffer.alloc(0), headers: {} }));
  }
}
