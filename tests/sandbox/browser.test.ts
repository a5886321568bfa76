import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, skipBrowserTests } from "../helpers/browser.js";
import { newSandboxDataDir, SandboxProcess } from "../helpers/sandbox.js";

/**
 * The whole network played in the web chat page, in headless Chromium, as a person evaluating the product would:
 * `npm start` on an empty data directory, then apply as a partner → approve as the admin → join as a client through
 * the partner's link → the cashier accrues → the cashier asks to spend points → the client confirms → both see it.
 * Screenshots of every step go to test-artifacts/browser/.
 */
// The few DOM shapes the functions run inside the page use (the tests compile without the DOM library).
type PageElement = { getAttribute(name: string): string | null; querySelector(selector: string): PageElement | null; textContent: string | null };
type PageDocument = { querySelectorAll(selector: string): ArrayLike<PageElement> };


const artifactsDir = fileURLToPath(new URL("../../test-artifacts/browser/", import.meta.url));
const stepTimeout = 20_000;

describe.skipIf(skipBrowserTests)("the web chat in a browser", () => {
  let sandbox: SandboxProcess;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  let shot = 0;

  beforeAll(async () => {
    rmSync(artifactsDir, { recursive: true, force: true }); // only this run's screenshots
    mkdirSync(artifactsDir, { recursive: true });
    sandbox = await new SandboxProcess(newSandboxDataDir()).start();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    page.setDefaultTimeout(stepTimeout);
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
    if (sandbox) rmSync(sandbox.dataDir, { recursive: true, force: true });
  });

  /** A screenshot of the whole page for this step, numbered in order. */
  const screenshot = (name: string) => page.screenshot({ path: join(artifactsDir, `${String(++shot).padStart(2, "0")}-${name}.png`) });

  it(
    "apply as a partner → approve as admin → join as a client through the partner's link → accrue → redeem, confirmed by the client",
    async () => {
      await page.goto(sandbox.url);
      await expect(page.getByTestId("banner").textContent()).resolves.toContain(`Sandbox — not for real customers. Data lives in ${sandbox.dataDir}`);
      await page.getByTestId("persona-100000001").waitFor();
      await screenshot("start");

      // A new applicant writes to the partner bot and applies.
      const applicantCreated = page.waitForResponse((r) => r.url().endsWith("/api/personas") && r.request().method() === "POST");
      await page.getByTestId("new-applicant").click();
      const applicant = (await (await applicantCreated).json()) as { telegramId: number };
      const owner = page.getByTestId(`pane-partner-${applicant.telegramId}`);
      let mark = await lastMessageId(owner);
      await owner.getByTestId("start").click();
      await botSays(owner, /\/apply/, mark);
      await say(owner, "/apply", /называется/);
      await say(owner, "Кофейня Ромашка", /категорию/);
      await press(owner, /Кафе/, /Адрес/);
      await say(owner, "Москва, Тверская, 1", /контактное лицо/);
      await say(owner, "Анна Петрова", /Телефон/);
      await say(owner, "8 999 000-11-22", /Проверьте заявку/);
      await press(owner, /Подтвердить/, /Заявка отправлена/);
      await screenshot("applied");

      // The admin is told at once and approves from the notification.
      await page.getByTestId("persona-100000001").click();
      const admin = page.getByTestId("pane-admin-100000001");
      await botSays(admin, /Новая заявка партнёра № \d+: «Кофейня Ромашка»/, 0);
      mark = await lastMessageId(owner);
      await press(admin, /Одобрить/, /Одобрено/, /«Кофейня Ромашка»/);
      await botSays(owner, /заявка одобрена/, mark);
      await screenshot("approved");

      // The partner's invitation link, opened in the page as a new client, who joins and shares their phone.
      await say(owner, "/link", /start=p_\w+/);
      await owner.getByRole("link", { name: /t\.me\/\w+\?start=p_/ }).last().click();
      const chooser = page.getByTestId("link-chooser");
      await chooser.waitFor();
      await screenshot("link-chooser");
      const clientCreated = page.waitForResponse((r) => r.url().endsWith("/api/personas") && r.request().method() === "POST");
      await chooser.getByTestId("chooser-new").click();
      const newClient = (await (await clientCreated).json()) as { telegramId: number; phone: string };
      expect(newClient.phone).toMatch(/^\+7\d{10}$/);
      const client = page.getByTestId(`pane-client-${newClient.telegramId}`);
      await userSaid(client, /^\/start p_\w+/);
      await botSays(client, /Выберите язык/, 0);
      await press(client, /Русский/, /Поделитесь номером/);
      mark = await lastMessageId(client);
      await client.getByTestId("share-phone").click();
      await botSays(client, /Добро пожаловать в сеть/, mark);
      await screenshot("client-joined");

      // The partner's owner, at the till, accrues cashback for a check; the client is told.
      await say(owner, "/accrue", /Клиент: введите/);
      await say(owner, newClient.phone, /Сумма чека/);
      await say(owner, "1500", /Номер чека/);
      await say(owner, "A-1", /Начислить клиенту/);
      const clientMark = await lastMessageId(client);
      const accrued = await press(owner, /Подтвердить/, /Начислено (\d+) балл/);
      const points = /Начислено (\d+) балл/.exec(accrued)![1]!;
      const notice = await botSays(client, new RegExp(`\\+${points} балл\\S* от «Кофейня Ромашка»\\. Баланс: \\d+`), clientMark);
      const balance = Number(/Баланс: (\d+)/.exec(notice)![1]);
      await screenshot("accrued");

      // The cashier asks to spend points; the client confirms in their chat; both see the result.
      await say(owner, "/redeem", /Клиент: введите/);
      await say(owner, newClient.phone, /Сумма чека/);
      await say(owner, "1000", /Не больше \d+/);
      mark = await lastMessageId(client);
      await say(owner, "50", /Запрос № \d+ отправлен/);
      await botSays(client, /просит списать 50 баллов/, mark);
      await screenshot("redemption-asked");
      mark = await lastMessageId(owner);
      await press(client, /Подтвердить/, new RegExp(`Списано 50 баллов\\. Остаток: ${balance - 50}\\.`), /просит списать 50 баллов/);
      await botSays(owner, /подтвердил списание 50 баллов/, mark);
      await screenshot("redeemed");

      expect(pageErrors).toEqual([]);
    },
    240_000,
  );

  /** The id of the newest message in the pane (0 when empty); later waits look only at messages after it. */
  async function lastMessageId(pane: Locator): Promise<number> {
    const ids = await pane.getByTestId("message").evaluateAll((rows: PageElement[]) => rows.map((row) => Number(row.getAttribute("data-message-id"))));
    return Math.max(0, ...ids);
  }

  /**
   * Waits until the pane shows a bot message matching `pattern`, newer than message `after` (or message `also` itself,
   * which a bot may edit in place). Returns its text. Waits on the page's own updates, never for a fixed time.
   */
  async function botSays(pane: Locator, pattern: RegExp, after: number, also = -1): Promise<string> {
    const testId = await pane.getAttribute("data-testid");
    const found = await page.waitForFunction(
      ({ testId, source, flags, after, also }) => {
        const regex = new RegExp(source, flags);
        const rows = (globalThis as unknown as { document: PageDocument }).document.querySelectorAll(`[data-testid="${testId}"] [data-testid="message"][data-from="bot"]`);
        for (const row of Array.from(rows).reverse()) {
          const id = Number(row.getAttribute("data-message-id"));
          const text = row.querySelector('[data-testid="message-bot"]')?.textContent ?? "";
          if ((id > after || id === also) && regex.test(text)) return text;
        }
        return null;
      },
      { testId, source: pattern.source, flags: pattern.flags, after, also },
      { timeout: stepTimeout },
    ).catch(async (error: Error) => {
      await screenshot("failed");
      const shown = await pane.getByTestId("message").allTextContents();
      throw new Error(`${testId}: no bot message matching ${pattern} after #${after}; the pane shows:\n${shown.slice(-6).join("\n---\n")}\n(${error.message})`);
    });
    return (await found.jsonValue()) as string;
  }

  /** Waits until the person's own message matching `pattern` is shown in the pane. */
  async function userSaid(pane: Locator, pattern: RegExp): Promise<void> {
    await pane.getByTestId("message-user").filter({ hasText: pattern }).last().waitFor();
  }

  /** Types `text` into the pane, sends it with Enter, and waits for the bot's answer. */
  async function say(pane: Locator, text: string, reply: RegExp): Promise<string> {
    const mark = await lastMessageId(pane);
    await pane.getByTestId("input").fill(text);
    await pane.getByTestId("input").press("Enter");
    return botSays(pane, reply, mark);
  }

  /**
   * Presses the inline button `button` under the newest bot message (or under the newest one matching `under`),
   * and waits for the bot's answer: a new message, or that message edited.
   */
  async function press(pane: Locator, button: RegExp, reply: RegExp, under?: RegExp): Promise<string> {
    const mark = await lastMessageId(pane);
    const withButtons = pane.getByTestId("message").filter({ has: page.getByTestId("inline-button") });
    const row = (under ? withButtons.filter({ has: page.getByTestId("message-bot").filter({ hasText: under }) }) : withButtons).last();
    const messageId = Number(await row.getAttribute("data-message-id"));
    await row.getByTestId("inline-button").filter({ hasText: button }).first().click();
    return botSays(pane, reply, mark, messageId);
  }
});

/**
 * The page's own rules, on the built page with its API answered by the test (no sandbox behind it): how a message's
 * formatting is shown, that a bot's HTML cannot run anything, what each kind of button sends, live edits and alerts,
 * the START button of an empty chat, and a t.me link opened as an existing person.
 */
describe.skipIf(skipBrowserTests)("the web chat page on its own", () => {
  const origin = "http://web-chat.test";
  const bots = {
    client: { username: "sandbox_cashback_bot", firstName: "Cashback" },
    partner: { username: "sandbox_cashback_partner_bot", firstName: "Cashback Partner" },
    admin: { username: "sandbox_cashback_admin_bot", firstName: "Cashback Admin" },
  };
  const alice = { telegramId: 300000001, firstName: "Алиса", languageCode: "ru", role: "client", bot: "client", detail: "Gold · 175 pts" };
  const bob = { telegramId: 300000002, firstName: "Bob", languageCode: "en", role: "client", bot: "client" };
  const formatted = "Bold italic inside, code and https://t.me/sandbox_cashback_bot?start=r_FRIEND or /balance";
  const messages = [
    {
      messageId: 1, from: "bot", date: 1_800_000_000, edited: false, text: formatted,
      entities: [
        { type: "bold", offset: 0, length: 18 },
        { type: "italic", offset: 5, length: 13 },
        { type: "code", offset: 20, length: 4 },
      ],
    },
    {
      messageId: 2, from: "bot", date: 1_800_000_001, edited: false, text: "ignored when html is given",
      html: '<b>Hi</b> <script>window.pwned = 1</script><img src="x" onerror="window.pwned = 2"><a href="javascript:window.pwned = 3">js link</a> <a href="https://example.com/">site</a> <tg-spoiler>hidden</tg-spoiler> <marquee>kept as text</marquee>',
    },
    {
      messageId: 3, from: "bot", date: 1_800_000_002, edited: false, text: "Списать 80 баллов?",
      inlineKeyboard: [[{ text: "✅ Подтвердить", callbackData: "redeem:7:yes" }, { text: "Сайт", url: "https://example.com/" }]],
    },
  ];
  const replyKeyboard = { rows: [[{ text: "💰 Баланс" }], [{ text: "📞 Поделиться номером", requestContact: true }]], oneTime: false };

  let browser: Browser;
  let page: Page;
  let sent: { path: string; body: unknown }[];
  let pendingEvents: unknown[];
  /** What GET /api/chats answers: kept in step with the events the test sends, as the sandbox's server is. */
  type TestMessage = { messageId: number; [field: string]: unknown };
  const chats: Record<string, { messages: TestMessage[]; commands: unknown[]; replyKeyboard: unknown }> = {
    "300000001": { messages: [...messages], commands: [{ command: "balance", description: "Баланс" }], replyKeyboard },
    "300000002": { messages: [], commands: [], replyKeyboard: null },
  };
  type TestEvent =
    | { type: "message"; chatId: number; message: TestMessage }
    | { type: "keyboard"; chatId: number; replyKeyboard: unknown }
    | { type: "callback-answer"; chatId: number; text: string; showAlert: boolean };
  /** Sends an event to the page (on its next connection to /api/events) and applies it to the chat it is about. */
  function push(event: TestEvent) {
    pendingEvents.push({ bot: "client", ...event });
    const chat = chats[String(event.chatId)]!;
    if (event.type === "message") chat.messages = [...chat.messages.filter((m) => m.messageId !== event.message.messageId), event.message];
    if (event.type === "keyboard") chat.replyKeyboard = event.replyKeyboard;
  }
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const { ensureWebChatBuilt } = await import("../../sandbox/web-chat/build.js");
    const dist = await ensureWebChatBuilt();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1300, height: 850 } });
    page.setDefaultTimeout(stepTimeout);
    page.on("pageerror", (error) => pageErrors.push(error.message));
    sent = [];
    pendingEvents = [];
    const { readFile } = await import("node:fs/promises");
    await page.route(`${origin}/**`, async (route) => {
      const request = route.request();
      const path = new URL(request.url()).pathname;
      const json = (body: unknown) => route.fulfill({ contentType: "application/json", body: JSON.stringify(body) });
      if (path === "/api/state") return json({ bots, personas: [alice, bob], dataDir: "/tmp/sandbox-data" });
      const chat = /^\/api\/chats\/client\/(\d+)$/.exec(path);
      if (chat) return json(chats[chat[1]!]);
      if (path.endsWith("/send")) {
        sent.push({ path, body: request.postDataJSON() });
        return json({ ok: true });
      }
      if (path === "/api/events") {
        // Each connection gets what the test queued, then ends; the page reconnects 100 ms later (SSE `retry`).
        const events = pendingEvents.splice(0).map((event) => `data: ${JSON.stringify(event)}\n\n`);
        return route.fulfill({ contentType: "text/event-stream", body: `retry: 100\n\n${events.join("")}` });
      }
      const file = path === "/" ? "index.html" : path.slice(1);
      const type = file.endsWith(".js") ? "text/javascript" : file.endsWith(".css") ? "text/css" : "text/html";
      return route.fulfill({ contentType: type, body: await readFile(join(dist, file)) });
    });
    await page.goto(`${origin}/`);
    await page.getByTestId("persona-300000001").click();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  const pane = () => page.getByTestId("pane-client-300000001");
  const bubble = (id: number) => pane().locator(`[data-testid="message"][data-message-id="${id}"] [data-testid="message-bot"]`);
  /** Waits until the page has sent this many requests to the bots, and returns the last one. */
  async function lastSent(count: number) {
    await expect.poll(() => sent.length, { timeout: stepTimeout }).toBeGreaterThanOrEqual(count);
    return sent[count - 1];
  }

  it("shows entities nested as Telegram does, with links and /commands that work", async () => {
    const text = bubble(1);
    await text.waitFor();
    await expect(text.locator("b").textContent()).resolves.toBe("Bold italic inside");
    await expect(text.locator("b i").textContent()).resolves.toBe("italic inside");
    await expect(text.locator("code").textContent()).resolves.toBe("code");
    await expect(text.getByRole("link", { name: "https://t.me/sandbox_cashback_bot?start=r_FRIEND" }).getAttribute("href")).resolves.toBe(
      "https://t.me/sandbox_cashback_bot?start=r_FRIEND",
    );
    await text.getByRole("link", { name: "/balance" }).click();
    expect(await lastSent(1)).toEqual({ path: "/api/chats/client/300000001/send", body: { text: "/balance" } });
  });

  it("keeps only Telegram's HTML subset: nothing a bot sends can run in the page", async () => {
    const html = bubble(2);
    await html.locator("b", { hasText: "Hi" }).waitFor();
    expect(await html.locator("script, img, marquee").count()).toBe(0);
    expect(await html.locator("a").count()).toBe(1);
    await expect(html.locator("a").getAttribute("href")).resolves.toBe("https://example.com/");
    await expect(html.textContent()).resolves.toMatch(/js link.*site.*hidden.*kept as text/);
    expect(await html.locator(".spoiler").count()).toBe(1);
    expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
    expect(await html.textContent()).not.toContain("ignored when html is given");
  });

  it("sends an inline button's data with its message, a reply button's text, and the person's phone for 'share my phone'", async () => {
    const before = sent.length;
    await pane().getByTestId("inline-button").filter({ hasText: "Подтвердить" }).click();
    expect(await lastSent(before + 1)).toEqual({ path: "/api/chats/client/300000001/send", body: { callbackData: "redeem:7:yes", messageId: 3 } });
    await pane().getByTestId("reply-button").filter({ hasText: "Баланс" }).click();
    expect((await lastSent(before + 2))!.body).toEqual({ text: "💰 Баланс" });
    await pane().getByTestId("share-phone").click();
    expect((await lastSent(before + 3))!.body).toEqual({ contact: true });
    await pane().getByTestId("input").fill("hello");
    await pane().getByTestId("send").click();
    expect((await lastSent(before + 4))!.body).toEqual({ text: "hello" });
  });

  it("shows live edits, new messages and an alert the bot answers a button with", async () => {
    const { inlineKeyboard: _buttonsGone, ...question } = messages[2]!;
    push({ type: "message", chatId: 300000001, message: { ...question, text: "Списано 80 баллов.", edited: true } });
    push({ type: "message", chatId: 300000001, message: { messageId: 4, from: "user", date: 1_800_000_010, edited: false, contactPhone: "+79990000001" } });
    push({ type: "callback-answer", chatId: 300000001, text: "Запрос уже обработан", showAlert: true });
    push({ type: "keyboard", chatId: 300000001, replyKeyboard: null });
    await bubble(3).filter({ hasText: "Списано 80 баллов." }).waitFor();
    await expect(bubble(3).locator(".edited").textContent()).resolves.toMatch(/edited/);
    expect(await pane().locator('[data-message-id="3"] [data-testid="inline-button"]').count()).toBe(0);
    await pane().getByTestId("message-user").filter({ hasText: "+79990000001" }).waitFor();
    await pane().getByTestId("alert").filter({ hasText: "Запрос уже обработан" }).waitFor();
    await pane().getByTestId("reply-keyboard").waitFor({ state: "detached" });
    await pane().getByTestId("alert").getByRole("button", { name: "OK" }).click();
    await pane().getByTestId("alert").waitFor({ state: "detached" });
  });

  it("offers START in an empty chat, and opens a bot link as the person chosen, with its payload", async () => {
    const before = sent.length;
    await page.getByTestId("persona-300000002").click();
    await page.getByTestId("pane-client-300000002").getByTestId("start").click();
    expect(await lastSent(before + 1)).toEqual({ path: "/api/chats/client/300000002/send", body: { text: "/start" } });

    await bubble(1).getByRole("link", { name: /start=r_FRIEND/ }).click();
    const chooser = page.getByTestId("link-chooser");
    await expect(chooser.textContent()).resolves.toMatch(/start=r_FRIEND/);
    await chooser.getByTestId("chooser-300000002").click();
    expect(await lastSent(before + 2)).toEqual({ path: "/api/chats/client/300000002/send", body: { text: "/start r_FRIEND" } });
    await chooser.waitFor({ state: "detached" });

    await page.getByTestId("pane-client-300000002").getByTestId("close-pane").click();
    await page.getByTestId("pane-client-300000002").waitFor({ state: "detached" });
    expect(pageErrors).toEqual([]);
  });
});
