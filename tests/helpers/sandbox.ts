import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Persona } from "../../sandbox/web-chat/protocol.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** A fresh, empty data directory for one sandbox. */
export const newSandboxDataDir = () => mkdtempSync(join(tmpdir(), "sandbox-test-"));

/**
 * `npm start` with no configuration, as a user runs it: a real child process with none of production's variables
 * (PATH and HOME only), the data in `dataDir`, the web chat on a free port. Resolves once it printed its address.
 */
export class SandboxProcess {
  private child: ChildProcess | undefined;
  output = "";
  url = "";
  /** Milliseconds from spawn to the printed address (the page is served from then on). */
  startedInMs = 0;

  constructor(
    readonly dataDir: string,
    private readonly extraEnv: Record<string, string> = {},
  ) {}

  async start(args: string[] = [], timeoutMs = 90_000): Promise<this> {
    this.output = "";
    const spawned = Date.now();
    const child = spawn(process.execPath, ["--import", "tsx", "main.ts", ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", SANDBOX_DATA_DIR: this.dataDir, SANDBOX_PORT: "0", ...this.extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    child.stderr?.on("data", (d: Buffer) => (this.output += d.toString()));
    this.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the sandbox printed no address within ${timeoutMs} ms:\n${this.output}`)), timeoutMs);
      child.stdout?.on("data", (d: Buffer) => {
        this.output += d.toString();
        const address = /open (http:\/\/127\.0\.0\.1:\d+)/.exec(this.output);
        if (address) {
          clearTimeout(timer);
          resolve(address[1]!);
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the sandbox exited (${code ?? signal}) before printing its address:\n${this.output}`));
      });
    });
    this.startedInMs = Date.now() - spawned;
    return this;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Resolves when the process has exited (by itself, e.g. a fault-injected crash, or after a signal). */
  async exited(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await once(child, "exit");
  }

  /** SIGKILL: nothing of the sandbox's own shutdown runs, as when the machine's power goes. */
  async kill(): Promise<void> {
    this.child?.kill("SIGKILL");
    await this.exited();
  }

  /** Ctrl+C. */
  async stop(): Promise<void> {
    this.child?.kill("SIGINT");
    await this.exited();
  }
}

type ChatView = { messages: { messageId: number; from: "bot" | "user"; text?: string; caption?: string; inlineKeyboard?: { text: string; callbackData?: string }[][] }[] };

/** The web chat's HTTP API, as the page uses it: send as a person, read what the bot answered. */
export class WebChat {
  constructor(readonly url: string) {}

  async state(): Promise<{ personas: Persona[] }> {
    return (await fetch(`${this.url}/api/state`)).json() as never;
  }

  async chat(bot: string, telegramId: number): Promise<ChatView> {
    return (await fetch(`${this.url}/api/chats/${bot}/${telegramId}`)).json() as never;
  }

  async send(bot: string, telegramId: number, body: object): Promise<void> {
    const res = await fetch(`${this.url}/api/chats/${bot}/${telegramId}/send`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`send ${JSON.stringify(body)} as ${telegramId}: ${res.status} ${await res.text()}`);
  }

  /** What the bot has shown in this chat so far: each message in its current form (an edit makes a new one). */
  async seen(bot: string, telegramId: number): Promise<Set<string>> {
    return new Set((await this.chat(bot, telegramId)).messages.filter((m) => m.from === "bot").map(shown));
  }

  /** Waits until the bot shows (sends, or edits a message into) something matching `expected` that is not in `seen`. */
  async waitForBot(bot: string, telegramId: number, expected: RegExp, seen: Set<string> = new Set(), timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const fromBot = (await this.chat(bot, telegramId)).messages.filter((m) => m.from === "bot");
      const found = fromBot.find((m) => !seen.has(shown(m)) && expected.test(m.text ?? m.caption ?? ""));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`@${bot} showed nothing new matching ${expected} to ${telegramId}; it showed:\n${fromBot.map((m) => m.text ?? m.caption).join("\n---\n")}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Sends `text` and waits for the bot's answer matching `expected`. */
  async say(bot: string, telegramId: number, text: string, expected: RegExp) {
    const seen = await this.seen(bot, telegramId);
    await this.send(bot, telegramId, { text });
    return this.waitForBot(bot, telegramId, expected, seen);
  }

  /** Presses the newest inline button whose text matches `button`; with `expected`, waits for the bot's answer. */
  async press(bot: string, telegramId: number, button: RegExp, expected?: RegExp) {
    const seen = await this.seen(bot, telegramId);
    const messages = (await this.chat(bot, telegramId)).messages.filter((m) => m.from === "bot");
    for (const m of [...messages].reverse()) {
      const found = m.inlineKeyboard?.flat().find((b) => button.test(b.text) && b.callbackData);
      if (!found) continue;
      await this.send(bot, telegramId, { callbackData: found.callbackData, messageId: m.messageId });
      return expected ? this.waitForBot(bot, telegramId, expected, seen) : undefined;
    }
    throw new Error(`no button ${button} in @${bot}'s chat with ${telegramId}`);
  }
}

const shown = (m: ChatView["messages"][number]) => `${m.messageId}:${m.text ?? m.caption ?? ""}:${JSON.stringify(m.inlineKeyboard ?? null)}`;
