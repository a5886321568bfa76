import { createServer, connect, type Server, type Socket } from "node:net";

/**
 * A TCP proxy in front of a service (by default the machine's Postgres) that a test can cut and restore, to make the
 * service "go away" under a running process without stopping the shared service itself.
 *  - `cut()`: every open connection is reset (both sides: Postgres sees its client vanish and rolls back whatever
 *    transaction it had open), and every new connection is reset as soon as it arrives — what a client sees when
 *    the server has gone down.
 *  - `blackhole()`: open connections are reset, new ones are accepted and then never answered — a host that stopped
 *    answering (a firewall dropping packets): only the client's own timeout ends the wait.
 *  - `restore()`: connections are forwarded again.
 */
export class TcpProxy {
  private mode: "forward" | "refuse" | "silent" = "forward";
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number } = { host: "127.0.0.1", port: 5432 }): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
    const proxy = new TcpProxy(server, (server.address() as { port: number }).port, target);
    server.on("connection", (client) => proxy.accept(client));
    return proxy;
  }

  /** A Postgres URL through this proxy to `database` (user postgres, trust, as on this machine). */
  postgresUrl(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Connections currently open through the proxy (client and upstream sides counted once each). */
  get openConnections(): number {
    return this.sockets.size;
  }

  cut(): void {
    this.mode = "refuse";
    this.dropAll();
  }

  blackhole(): void {
    this.mode = "silent";
    this.dropAll();
  }

  restore(): void {
    this.mode = "forward";
  }

  async stop(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private dropAll() {
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
  }

  private track(socket: Socket) {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    // A reset is the point of this proxy; its errors are expected, never a crash of the test process.
    socket.on("error", () => {});
  }

  private accept(client: Socket) {
    this.track(client);
    if (this.mode === "refuse") return void client.resetAndDestroy();
    if (this.mode === "silent") return void client.pause();
    const upstream = connect(this.target.port, this.target.host);
    this.track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    // One side closing closes the other, as a direct connection would.
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  }
}
