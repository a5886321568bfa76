import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSandboxDataDir, SandboxProcess } from "../helpers/sandbox.js";

/**
 * The whole network played in the web chat page, in headless Chromium, as a person evaluating the product would:
 * `npm start` on an empty data directory, then apply as a partner → approve as the admin → join as a client through
 * the partner's link → the cashier accrues → the cashier asks to spend points → the client confirms → both see it.
 * Screenshots of every step go to test-artifacts/browser/.
 */
const chromiumPath = "/usr/bin/chromium";

// The few DOM shapes the functions run inside the page use (the tests compile without the DOM library).
type PageElement = { getAttribute(name: string): string | null; querySelector(selector: string): PageElement | null; textContent: string | null };
type PageDocument = { querySelectorAll(selector: string): ArrayLike<PageElement> };

const artifactsDir = fileURLToPath(new URL("../../test-artifacts/browser/", import.meta.url));
const stepTimeout = 20_000;

const chromiumMissing = !existsSync(chromiumPath);
if (chromiumMissing && !process.env.CI) {
  console.warn(`browser test skipped: ${chromiumPath} is missing (apt-get install chromium); in CI it runs and .ci/run installs it`);
}

describe.skipIf(chromiumMissing && !process.env.CI)("the web chat in a browser", () => {
  let sandbox: SandboxProcess;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  let shot = 0;

  beforeAll(async () => {
    rmSync(artifactsDir, { recursive: true, force: true }); // only this run's screenshots
    mkdirSync(artifactsDir, { recursive: true });
    sandbox = await new SandboxProcess(newSandboxDataDir()).start();
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
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
      await expect(page.getByTestId("banner").textContent()).resolves.toMatch(/Sandbox — not for real customers\. Data lives in \.data\//);
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
