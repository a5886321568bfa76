import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A redis-server of a test's own on a free port (never the machine's shared one): no persistence, so every start is
 * an empty Redis. An outage test stops it (SIGKILL, like a crash) and starts it again.
 */
export class RedisServer {
  private child: ChildProcess | undefined;
  constructor(readonly port: number) {}

  /** A server on a port free now; not started yet. */
  static async onFreePort(): Promise<RedisServer> {
    return new RedisServer(await freePort());
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const child = spawn("redis-server", ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    let output = "";
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    for (let i = 0; i < 100 && !/Ready to accept connections/.test(output); i++) await sleep(50);
    if (!/Ready to accept connections/.test(output)) throw new Error(`redis-server did not start:\n${output}`);
    return this;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
