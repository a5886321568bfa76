import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sign } from "@telegram-apps/init-data-node";
import jsQR from "jsqr";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { PNG } from "pngjs";
import { Api, InlineKeyboard } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebChatBuilt } from "../../sandbox/web-chat/build.js";
import { startWebChatServer } from "../../sandbox/web-chat/server.js";
import { clientIdForCode } from "../../core/clients/codes.js";
import { setClientBlocked } from "../../core/clients/service.js";
import { adjustBalance } from "../../core/ledger/service.js";
import { moderateService, submitService } from "../../core/catalog/service.js";
import { createPromotion } from "../../core/promotions/service.js";
import { findClient } from "../../core/clients/service.js";
import { balanceOf } from "../../core/ledger/post.js";
import { createLogger } from "../../core/logger.js";
import { ensureBuilt } from "../../web/build.js";
import { webPages } from "../../web/pages.js";
import { type WebServer } from "../../web/server/main.js";
import { launchChromium, skipBrowserTests } from "../helpers/browser.js";
import { startTestWebServer } from "../helpers/web-server.js";
import { useTestDb } from "../helpers/db.js";
import { adminId, makeClient, makePartner, newTelegramId } from "../helpers/fixtures.js";
import { botInfo, tokens } from "../helpers/processes.js";
import { useFakeTelegram } from "../helpers/worker.js";

/**
 * The client Mini App in headless Chromium against the real web server (test Postgres and Redis), opened the way
 * Telegram opens it: launch parameters in the fragment, initData signed with the client bot's token. The balance
 * shown is the ledger's, the QR decodes to the six digits shown and that code names this client, the history
 * scrolls back to the first entry, the dark theme is dark, and a forged or foreign initData gets the error screen.
 * Screenshots go to test-artifacts/mini-app/.
 */
const artifactsDir = fileURLToPath(new URL("../../test-artifacts/mini-app/", import.meta.url));
const stepTimeout = 20_000;

const db = useTestDb();
const telegram = useFakeTelegram();

/** Telegram's colours as its clients pass them (tgWebAppThemeParams). */
const lightTheme = { bg_color: "#ffffff", secondary_bg_color: "#efeff4", text_color: "#000000", hint_color: "#999999", link_color: "#2481cc", button_color: "#2481cc", button_text_color: "#ffffff" };
const darkTheme = {
  bg_color: "#17212b",
  secondary_bg_color: "#0e1621",
  section_bg_color: "#17212b",
  text_color: "#f5f5f5",
  hint_color: "#708499",
  link_color: "#6ab3f3",
  button_color: "#5288c1",
  button_text_color: "#ffffff",
  accent_text_color: "#6ab3f3",
};

type Person = { id: number; first_name: string; language_code?: string };

const initDataFor = (person: Person, token: string = tokens.client, authDate = new Date()) => sign({ user: person }, token, authDate);

describe.skipIf(skipBrowserTests)("the client Mini App in a browser", () => {
  let server: WebServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    rmSync(artifactsDir, { recursive: true, force: true }); // only this run's screenshots
    mkdirSync(artifactsDir, { recursive: true });
    const miniApp = await ensureBuilt(webPages.miniApp);
    server = await startTestWebServer({ db, redis: telegram.redis, telegramApiRoot: telegram.fake.url, pages: { miniApp, dashboard: null } });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  /** A phone-sized page (Russian, Moscow time), in the given colour scheme. */
  async function newPage(colorScheme: "light" | "dark" = "light"): Promise<Page> {
    const context = await browser.newContext({ locale: "ru-RU", timezoneId: "Europe/Moscow", viewport: { width: 390, height: 760 }, deviceScaleFactor: 2, colorScheme });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(stepTimeout);
    page.on("pageerror", (error) => pageErrors.push(error.message));
    return page;
  }

  /** The Mini App as Telegram opens it: its URL with the launch parameters in the fragment. */
  const openApp = (page: Page, initData: string, theme: Record<string, string> = lightTheme) => {
    const launch = new URLSearchParams({ tgWebAppData: initData, tgWebAppVersion: "8.0", tgWebAppPlatform: "web", tgWebAppThemeParams: JSON.stringify(theme) });
    return page.goto(`${server.url}/app/#${launch}`);
  };

  const screenshot = (target: Page | Locator, name: string) =>
    "goto" in target ? target.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true }) : target.screenshot({ path: join(artifactsDir, `${name}.png`) });

  /** What a QR code on the page says: its element screenshotted and decoded with jsQR. */
  async function readQr(element: Locator): Promise<string> {
    const png = PNG.sync.read(await element.screenshot());
    const decoded = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
    expect(decoded, "the QR code decodes").not.toBeNull();
    return decoded!.data;
  }

  /** The six digits the page shows (it shows them as two groups of three). */
  async function digitsShownAsCode(element: Locator): Promise<string> {
    await element.waitFor();
    const code = (await element.textContent())!.replace(/\s/g, "");
    expect(code).toMatch(/^\d{6}$/);
    return code;
  }

  /** A client with some history: 44 adjustments after the welcome bonus, so the history has three pages of 20. */
  async function clientWithHistory() {
    const { clientId, telegramId } = await makeClient(db);
    const person: Person = { id: telegramId, first_name: "Иван", language_code: "ru" };
    for (let i = 1; i <= 44; i++) {
      await adjustBalance(db, { adminTelegramId: adminId, clientId, points: i * 10, reason: `test entry ${i}`, idempotencyKey: `mini-app:${clientId}:${i}` });
    }
    return { person, clientId, balance: await balanceOf(db, clientId) };
  }

  it(
    "shows the client's balance and a QR that decodes to the six digits shown, a code that names this client; the history scrolls back to the first entry",
    async () => {
      const { person, clientId, balance } = await clientWithHistory();
      expect(balance).toBeGreaterThan(9_000); // 100 welcome + 10 + 20 + … + 440
      const page = await newPage();
      await openApp(page, initDataFor(person));

      const shown = page.getByTestId("balance");
      await expect.poll(() => shown.getAttribute("data-points")).toBe(String(balance));
      const expectedText = `${new Intl.NumberFormat("ru-RU").format(balance)} баллов`;
      expect((await shown.textContent())?.replace(/\s/g, " ")).toBe(expectedText.replace(/\s/g, " "));
      await expect.poll(() => page.getByTestId("tier").textContent()).toMatch(/^Уровень: /);

      const digitsShown = page.getByTestId("till-code");
      await digitsShown.waitFor();
      const code = (await digitsShown.textContent())!.replace(/\s/g, "");
      expect(code).toMatch(/^\d{6}$/);
      const qr = page.getByTestId("till-qr");
      await expect.poll(() => readQr(qr)).toBe(code);
      expect(await clientIdForCode(telegram.redis, code)).toBe(clientId);
      await expect.poll(() => page.getByTestId("till-countdown").textContent()).toMatch(/^Новый код через \d+:\d\d$/);
      await screenshot(page, "01-card-light");
      await screenshot(qr, "02-till-qr");

      // History: 45 entries, 20 a page, read as the end of the list scrolls into view.
      await page.getByTestId("tab-history").click();
      const rows = page.getByTestId("history-row");
      await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(20);
      for (let scrolls = 0; scrolls < 10 && (await rows.count()) < 45; scrolls++) {
        await page.getByTestId("history-sentinel").scrollIntoViewIfNeeded();
        await page.waitForTimeout(300);
      }
      await expect.poll(() => rows.count()).toBe(45);
      await expect(rows.last().textContent()).resolves.toMatch(/Приветственный бонус/);
      await expect(rows.first().textContent()).resolves.toMatch(/Корректировка.*\+440/);
      await page.getByText("Это всё.").waitFor();
      await screenshot(page, "03-history-scrolled");

      // Friends: the referral link and its QR agree.
      await page.getByTestId("tab-friends").click();
      const link = (await page.getByTestId("referral-link").textContent())!;
      expect(link).toMatch(new RegExp(`^https://t\\.me/${botInfo.client.username}\\?start=r_\\w+$`));
      await expect.poll(() => readQr(page.getByTestId("referral-qr"))).toBe(link);
      await screenshot(page, "04-friends");
      expect(pageErrors).toEqual([]);
    },
    120_000,
  );

  it(
    "the till code is replaced by a fresh one before it expires, and the QR follows",
    async () => {
      const { person, clientId } = await clientWithHistory();
      const page = await newPage();
      await page.clock.install();
      await openApp(page, initDataFor(person));
      const digits = page.getByTestId("till-code");
      await digitsShownAsCode(digits);
      const first = await digitsShownAsCode(digits);
      expect(await page.getByTestId("till-countdown").textContent()).toMatch(/^Новый код через 9:[345]\d$/);

      // Nine and a half minutes later (the code lives ten): a new code, without the person doing anything.
      await page.clock.fastForward("09:31");
      await expect.poll(() => digitsShownAsCode(digits)).not.toBe(first);
      const second = await digitsShownAsCode(digits);
      await expect.poll(() => readQr(page.getByTestId("till-qr"))).toBe(second);
      expect(await clientIdForCode(telegram.redis, second)).toBe(clientId);
      expect(pageErrors).toEqual([]);
    },
    60_000,
  );

  it(
    "in Telegram's dark theme the page is dark, and its QR still decodes",
    async () => {
      const { person } = await clientWithHistory();
      const page = await newPage("dark");
      await openApp(page, initDataFor(person), darkTheme);
      await page.getByTestId("till-code").waitFor();
      expect(await page.evaluate("document.documentElement.dataset.theme")).toBe("dark");
      expect(await page.evaluate("getComputedStyle(document.body).backgroundColor")).toBe("rgb(14, 22, 33)"); // secondary_bg_color
      expect(await page.evaluate("getComputedStyle(document.body).color")).toBe("rgb(245, 245, 245)"); // text_color
      const code = (await page.getByTestId("till-code").textContent())!.replace(/\s/g, "");
      await expect.poll(() => readQr(page.getByTestId("till-qr"))).toBe(code);
      await screenshot(page, "05-card-dark");
      expect(pageErrors).toEqual([]);
    },
    60_000,
  );

  it(
    "a tampered, foreign or missing initData, a stranger and a blocked client each get their error screen — and no data",
    async () => {
      const { person, clientId } = await clientWithHistory();
      const stranger: Person = { id: newTelegramId(), first_name: "Гость" };
      const valid = initDataFor(person);
      // Another person's id with this person's hash: the signature no longer matches.
      const tampered = valid.replace(encodeURIComponent(`"id":${person.id}`), encodeURIComponent(`"id":${person.id + 1}`));
      expect(tampered).not.toBe(valid);
      const cases: [string, string | null, string, RegExp][] = [
        ["tampered", tampered, "auth", /открыта слишком давно или не из Telegram/],
        ["another-bot", initDataFor(person, tokens.partner), "auth", /открыта слишком давно или не из Telegram/],
        ["expired", initDataFor(person, tokens.client, new Date(Date.now() - 2 * 3600_000)), "auth", /открыта слишком давно/],
        ["stranger", initDataFor(stranger), "not-client", /Откройте бота и нажмите «Старт»/],
        ["outside-telegram", null, "not-telegram", /Откройте эту страницу из клиентского бота/],
      ];
      for (const [name, initData, kind, text] of cases) {
        // Outside Telegram (no theme from it) the page follows the device's scheme: that one is opened dark.
        const page = await newPage(initData === null ? "dark" : "light");
        if (initData === null) await page.goto(`${server.url}/app/`);
        else await openApp(page, initData);
        const screen = page.getByTestId("error-screen");
        await screen.waitFor();
        expect(await screen.getAttribute("data-error-kind"), name).toBe(kind);
        expect(await screen.textContent(), name).toMatch(text);
        expect(await page.getByTestId("balance").count(), name).toBe(0);
        if (initData === null) expect(await page.evaluate("getComputedStyle(document.body).backgroundColor")).toBe("rgb(14, 22, 33)");
        await screenshot(page, `06-error-${name}`);
      }

      // Blocked while the page is open: its next call puts the blocked screen in place of the card.
      const open = await newPage();
      await openApp(open, valid);
      await open.getByTestId("till-code").waitFor();
      await setClientBlocked(db, { adminTelegramId: adminId, clientId, blocked: true, reason: "test: blocked" });
      await open.getByTestId("tab-history").click();
      await open.getByTestId("error-screen").waitFor();
      expect(await open.getByTestId("error-screen").getAttribute("data-error-kind")).toBe("blocked");
      expect(await open.getByTestId("balance").count()).toBe(0);

      const page = await newPage();
      await openApp(page, valid);
      await page.getByTestId("error-screen").waitFor();
      expect(await page.getByTestId("error-screen").getAttribute("data-error-kind")).toBe("blocked");
      expect(await page.getByTestId("error-screen").textContent()).toMatch(/заблокирован/);
      await screenshot(page, "07-error-blocked");
      expect(pageErrors).toEqual([]);
    },
    90_000,
  );

  it(
    "the partners' promotions and services with their addresses; switching to English is kept for the client",
    async () => {
      const { person, clientId } = await clientWithHistory();
      const { partnerId, staffTelegramId } = await makePartner(db, "Кофейня Ромашка");
      const day = 24 * 3600_000;
      await createPromotion(db, { partnerId, staffTelegramId, title: "Второй кофе в подарок", body: "По будням до полудня.", startsAt: new Date(), endsAt: new Date(Date.now() + 7 * day) });
      const service = await submitService(db, { partnerId, staffTelegramId, name: "Капучино", description: "Большой, на овсяном молоке", priceKopecks: 25_050 });
      await moderateService(db, { adminTelegramId: adminId, serviceId: service.id, verdict: { decision: "approve" } });

      const page = await newPage();
      await openApp(page, initDataFor(person));
      await page.getByTestId("tab-network").click();
      const promotions = page.getByTestId("promotions");
      await promotions.getByText("Второй кофе в подарок").waitFor();
      expect(await promotions.textContent()).toMatch(/Кофейня Ромашка.*Тверская, 1.*По будням до полудня\./);
      const services = page.getByTestId("services");
      expect((await services.textContent())?.replace(/\s/g, " ")).toMatch(/Капучино250,50 ₽Кофейня Ромашка📍 Тверская, 1Большой, на овсяном молоке/);
      await screenshot(page, "09-partners");

      await page.getByTestId("language-en").click();
      await page.getByText("Promotions").waitFor();
      await expect.poll(async () => (await findClient(db, { id: clientId }))?.language).toBe("en");
      // Opened again (the same initData, whose Telegram language is Russian): the client's choice wins.
      const again = await newPage();
      await openApp(again, initDataFor(person));
      await again.getByTestId("till-code").waitFor();
      expect(await again.getByTestId("balance").textContent()).toMatch(/^[\d,]+ points$/);
      expect(await again.getByTestId("tab-history").textContent()).toBe("History");
      await screenshot(again, "10-card-english");
      expect(pageErrors).toEqual([]);
    },
    60_000,
  );

  it(
    "Telegram's back button shows on a sub-view and brings the card back; copying the invitation link buzzes",
    async () => {
      const { person } = await clientWithHistory();
      const page = await newPage();
      await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
      // Telegram's mobile clients: the page posts its calls to TelegramWebviewProxy and gets events through
      // Telegram.WebView.receiveEvent. Recorded here.
      await page.addInitScript({ content: "window.__telegramCalls = []; window.TelegramWebviewProxy = { postEvent: (name, data) => window.__telegramCalls.push([name, data ? JSON.parse(data) : null]) };" });
      const calls = async () => (await page.evaluate("window.__telegramCalls")) as [string, Record<string, unknown> | null][];
      const backButtonShown = async () => (await calls()).filter(([name]) => name === "web_app_setup_back_button").at(-1)?.[1]?.is_visible;
      await openApp(page, initDataFor(person));
      await page.getByTestId("till-code").waitFor();
      expect(await calls()).toContainEqual(["web_app_ready", null]);

      await page.getByTestId("tab-history").click();
      await expect.poll(backButtonShown).toBe(true);
      expect(await page.getByTestId("view-card").isHidden()).toBe(true);
      await page.evaluate("window.Telegram.WebView.receiveEvent('back_button_pressed')");
      await page.getByTestId("view-card").waitFor({ state: "visible" });
      expect(await page.getByTestId("view-history").isHidden()).toBe(true);
      await expect.poll(backButtonShown).toBe(false);

      await page.getByTestId("tab-friends").click();
      await page.getByTestId("copy-link").click();
      await expect.poll(() => page.getByTestId("copy-link").textContent()).toMatch(/Скопировано/);
      expect(await page.evaluate("navigator.clipboard.readText()")).toBe(await page.getByTestId("referral-link").textContent());
      expect(await calls()).toContainEqual(["web_app_trigger_haptic_feedback", { type: "notification", notification_type: "success" }]);
      expect(pageErrors).toEqual([]);
    },
    60_000,
  );

  it(
    "in the sandbox's web chat, the bot's '💳 My card' button opens the Mini App over the chat, signed in as that person",
    async () => {
      const { person, balance } = await clientWithHistory();
      const bots = Object.fromEntries(
        (["client", "partner", "admin"] as const).map((name) => [name, { token: tokens[name], id: botInfo[name].id, username: botInfo[name].username, firstName: botInfo[name].first_name }]),
      ) as Parameters<typeof startWebChatServer>[0]["bots"];
      const dataDir = mkdtempSync(join(tmpdir(), "mini-app-web-chat-"));
      const webChat = await startWebChatServer({
        host: "127.0.0.1",
        port: 0,
        botApi: telegram.fake,
        bots,
        staticDir: await ensureWebChatBuilt(),
        listPersonas: async () => [{ telegramId: person.id, firstName: person.first_name, languageCode: "ru", role: "client", bot: "client" }],
        dataDir,
        logger: createLogger("silent"),
        webApp: server.listener,
      });
      try {
        // What the client bot sends with PUBLIC_URL set to the web chat's own address.
        const clientBot = new Api(tokens.client, { apiRoot: telegram.fake.url });
        await clientBot.sendMessage(person.id, "Ваша карта — в приложении", { reply_markup: new InlineKeyboard().webApp("💳 Моя карта", `${webChat.url}/app/`) });

        const page = await newPage();
        await page.setViewportSize({ width: 1280, height: 900 });
        await page.goto(webChat.url);
        await page.getByTestId(`persona-${person.id}`).click();
        await page.locator('[data-testid="inline-button"][data-web-app="true"]').click();
        const overlay = page.getByTestId("web-app");
        await overlay.waitFor();
        const app = page.frameLocator('[data-testid="web-app-frame"]');
        await expect.poll(() => app.getByTestId("balance").getAttribute("data-points")).toBe(String(balance));
        const code = (await app.getByTestId("till-code").textContent())!.replace(/\s/g, "");
        expect(code).toMatch(/^\d{6}$/);
        await screenshot(page, "08-web-chat-overlay");
        await page.getByTestId("web-app-close").click();
        await expect.poll(() => overlay.count()).toBe(0);
        expect(pageErrors).toEqual([]);
      } finally {
        await webChat.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
