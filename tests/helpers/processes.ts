import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { testAppSecret, testDatabaseUrl, testRedisUrl } from "./env.js";

export const tokens = {
  client: "1000001:CLIENTclientCLIENTclientCLIENTcl0",
  partner: "1000002:PARTNERpartnerPARTNERpartnerPAR0",
  admin: "1000003:ADMINadminADMINadminADMINadminAD0",
} as const;
export const botInfo = {
  client: { id: 1_000_001, username: "cashback_client_bot", first_name: "Cashback" },
  partner: { id: 1_000_002, username: "cashback_partner_bot", first_name: "Cashback Partner" },
  admin: { id: 1_000_003, username: "cashback_admin_bot", first_name: "Cashback Admin" },
} as const;
export const testAdminId = 7_000_001;

const root = fileURLToPath(new URL("../../", import.meta.url));
/** `all` is `npm start`: the three bots and the worker in one process. */
const entryPoints = { client: "bots/client/main.ts", partner: "bots/partner/main.ts", admin: "bots/admin/main.ts", worker: "worker/main.ts", all: "main.ts" } as const;
export type ProcessName = keyof typeof entryPoints;

/** A product process (a bot or the worker) running as a real child, pointed at the fake Bot API and the test stores. */
export class ProductProcess {
  private child: ChildProcess | undefined;
  output = "";

  constructor(
    readonly name: ProcessName,
    private readonly apiRoot: string,
    private readonly extraEnv: Record<string, string> = {},
  ) {}

  start(): this {
    const child = spawn(process.execPath, ["--import", "tsx", entryPoints[this.name]], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        DATABASE_URL: testDatabaseUrl,
        REDIS_URL: testRedisUrl,
        CLIENT_BOT_TOKEN: tokens.client,
        PARTNER_BOT_TOKEN: tokens.partner,
        ADMIN_BOT_TOKEN: tokens.admin,
        ADMIN_IDS: String(testAdminId),
        APP_SECRET: testAppSecret,
        TELEGRAM_API_ROOT: this.apiRoot,
        // A process that listens (webhooks, ops server) logs its address at info: the tests read it (listeningUrl).
        LOG_LEVEL: "WEBHOOK_URL" in this.extraEnv || "METRICS_PORT" in this.extraEnv ? "info" : "warn",
        // Tests type faster than people; the limiter itself is tested with its default.
        RATE_LIMIT_MAX: "1000",
        // `all` also runs the web server: any free port unless a test asks for one.
        PORT: "0",
        ...this.extraEnv,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (this.output += d.toString()));
    this.child = child;
    return this;
  }

  /**
   * The address its HTTP server listens on (a bot alone with METRICS_PORT, `all` on PORT), read from its
   * "ops server listening" or "web server listening" log line (logged at info: see LOG_LEVEL above).
   */
  async listeningUrl(timeoutMs = 30_000): Promise<string> {
    for (const until = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 50))) {
      for (const line of this.output.split("\n")) {
        if (!/"msg":"(ops|web) server listening"/.test(line)) continue;
        const url = (JSON.parse(line) as { url?: string }).url;
        if (url) return url;
      }
      if (!this.running) throw new Error(`${this.name} exited before it listened:\n${this.output}`);
      if (Date.now() > until) throw new Error(`${this.name} logged no listening address within ${timeoutMs} ms:\n${this.output}`);
    }
  }

  /** The exit code once it has exited (null if killed by a signal or still running). */
  get exitCode() {
    return this.child?.exitCode ?? null;
  }

  get running() {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGKILL: no shutdown handler runs, like a crash or an OOM kill. */
  async kill(): Promise<void> {
    if (!this.child || !this.running) return;
    const exited = once(this.child, "exit");
    this.child.kill("SIGKILL");
    await exited;
  }

  /** SIGTERM and wait for a clean exit. */
  async stop(): Promise<void> {
    if (!this.child || !this.running) return;
    const exited = once(this.child, "exit");
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child?.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
