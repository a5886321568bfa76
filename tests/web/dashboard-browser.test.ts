import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { eq } from "drizzle-orm";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../core/clock.js";
import { registerClient } from "../../core/clients/service.js";
import { accrue } from "../../core/ledger/service.js";
import { submitApplication } from "../../core/partners/service.js";
import { createPromotion } from "../../core/promotions/service.js";
import { submitService } from "../../core/catalog/service.js";
import { createBroadcast } from "../../core/broadcasts/service.js";
import { getNetworkSettings } from "../../core/settings/service.js";
import { createLoginLink, signOutEverywhere, type DashboardIdentity } from "../../core/web-auth/service.js";
import { actorType, balances, jobs, ledgerEntries, partners } from "../../db/schema/index.js";
import { ensureBuilt } from "../../web/build.js";
import { webPages } from "../../web/pages.js";
import { type WebServer } from "../../web/server/main.js";
import { runOutboxOnce } from "../../worker/outbox.js";
import { launchChromium, skipBrowserTests } from "../helpers/browser.js";
import { startTestWebServer } from "../helpers/web-server.js";
import { useTestDb } from "../helpers/db.js";
import { testAppSecret } from "../helpers/env.js";
import { adminId, makePartner, newTelegramId } from "../helpers/fixtures.js";
import { tokens } from "../helpers/processes.js";
import { outboxDepsFor, useFakeTelegram } from "../helpers/worker.js";

/**
 * The dashboard in headless Chromium against the real web server (test Postgres and Redis), with the real worker's
 * job runner sending through a fake Bot API: the bot's one-time link signs an admin in, the overview chart is
 * drawn, an application approved in the page reaches the applicant from the partner bot; the link does not work
 * twice; a partner's owner cannot open another partner's client by URL. Screenshots go to test-artifacts/dashboard/.
 */
const artifactsDir = fileURLToPath(new URL("../../test-artifacts/dashboard/", import.meta.url));
const stepTimeout = 20_000;

const db = useTestDb();
const telegram = useFakeTelegram();

describe.skipIf(skipBrowserTests)("the dashboard in a browser", () => {
  let server: WebServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  let shot = 0;

  beforeAll(async () => {
    rmSync(artifactsDir, { recursive: true, force: true }); // only this run's screenshots
    mkdirSync(artifactsDir, { recursive: true });
    const dashboard = await ensureBuilt(webPages.dashboard);
    server = await startTestWebServer({ db, redis: telegram.redis, telegramApiRoot: telegram.fake.url, pages: { miniApp: null, dashboard } });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A fresh browser (no cookies) showing Russian, as a person in Moscow has it; phone-sized when asked. */
  async function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
    const context = await browser.newContext({ locale: "ru-RU", timezoneId: "Europe/Moscow", viewport });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(stepTimeout);
    page.on("pageerror", (error) => pageErrors.push(error.message));
    return page;
  }

  const screenshot = (page: Page, name: string) => page.screenshot({ path: join(artifactsDir, `${String(++shot).padStart(2, "0")}-${name}.png`), fullPage: true });

  const signInLink = async (identity: DashboardIdentity) => {
    const { token } = await createLoginLink(db, { identity, adminIds: [adminId] });
    return `${server.url}/dashboard/#sign-in=${token}`;
  };

  /** A client with a check at the partner (so the client is in the partner's scope), named so the page can be searched for them. */
  async function clientWithCheck(partner: { partnerId: number; staffTelegramId: number }, firstName: string, amountKopecks: number, receiptNumber: string, at = new Date()) {
    const clock = fixedClock(at);
    const { client } = await registerClient(db, { telegramId: newTelegramId(), firstName }, { appSecret: testAppSecret, clock });
    await accrue(db, { partnerId: partner.partnerId, staffTelegramId: partner.staffTelegramId, clientId: client.id, amountKopecks, receiptNumber }, clock);
    return client;
  }

  it(
    "an admin signs in with the bot's link, sees the overview chart, approves an application and the partner bot tells the applicant; the link works once",
    async () => {
      const cafe = await makePartner(db, "Кофейня Ромашка");
      // Two days, one check each: the turnover line (1 500 ₽, then 2 500 ₽) and the checks line (1, 1) part.
      await clientWithCheck(cafe, "Иван", 150_000, "A-1", new Date(Date.now() - 24 * 3600_000));
      await clientWithCheck(cafe, "Мария", 250_000, "A-2");
      const applicantId = newTelegramId();
      const application = await submitApplication(db, { telegramId: applicantId, name: "Пекарня Колосок", category: "cafe", address: "Москва, Арбат, 5", contactName: "Олег", phone: "+79990003344" });

      const link = await signInLink({ telegramId: adminId, role: "admin", partnerId: null });
      const page = await newPage();
      await page.goto(link);
      await page.getByTestId("who").filter({ hasText: "Администратор сети" }).waitFor();
      expect(page.url()).toBe(`${server.url}/dashboard/`); // the one-time token is out of the address bar

      // Totals of the two checks, and the turnover chart drawn by uPlot in its series colour.
      await page.getByTestId("total-turnover").filter({ hasText: /4\s000\s₽/ }).waitFor();
      await expect(page.getByTestId("total-checks").textContent()).resolves.toMatch(/Чеки\s*2$/);
      const canvas = page.getByTestId("chart-turnover").locator("canvas");
      await canvas.waitFor();
      const pixels = PNG.sync.read(await canvas.screenshot({ path: join(artifactsDir, "turnover-chart-canvas.png") }));
      // The two series' colours (chart.tsx/overview.tsx): turnover blue, checks orange.
      const near = (i: number, [r, g, b]: number[]) => Math.abs(pixels.data[i]! - r!) < 40 && Math.abs(pixels.data[i + 1]! - g!) < 40 && Math.abs(pixels.data[i + 2]! - b!) < 40;
      let painted = 0;
      let turnoverLine = 0;
      let checksLine = 0;
      for (let i = 0; i < pixels.data.length; i += 4) {
        if (pixels.data[i]! < 250 || pixels.data[i + 1]! < 250 || pixels.data[i + 2]! < 250) painted++;
        if (near(i, [0x2f, 0x7e, 0xd8])) turnoverLine++;
        if (near(i, [0xe8, 0x74, 0x3b])) checksLine++;
      }
      expect(painted).toBeGreaterThan(1_000); // axes, grid and lines
      expect(turnoverLine).toBeGreaterThan(30);
      expect(checksLine).toBeGreaterThan(30);
      await screenshot(page, "admin-overview");

      // The pending application, approved in the page.
      await page.getByTestId("nav-partners").click();
      const row = page.getByTestId(`partner-${application.id}`);
      await row.getByTestId("partner-status").filter({ hasText: "Заявка" }).waitFor();
      await screenshot(page, "admin-partners-pending");
      await row.getByTestId("approve").click();
      await row.getByTestId("partner-status").filter({ hasText: "Работает" }).waitFor();
      const [approved] = await db.select().from(partners).where(eq(partners.id, application.id));
      expect(approved!.status).toBe("approved");
      await screenshot(page, "admin-partner-approved");

      // The worker's job runner sends the decision through the partner bot, as after an approval in the admin bot.
      const worker = outboxDepsFor(telegram.fake, db, telegram.redis, new Date(Date.now() + 1_000), [adminId]);
      while ((await runOutboxOnce(worker)) > 0);
      const toApplicant = telegram.fake.messagesTo(tokens.partner, applicantId).map((m) => m.text ?? "");
      expect(toApplicant).toEqual([expect.stringMatching(/заявка одобрена/)]);

      // The same link, opened again in another browser: refused, in the person's language, and no dashboard.
      const again = await newPage();
      await again.goto(link);
      await expect(again.getByTestId("sign-in-failed").textContent()).resolves.toMatch(/ссылка для входа уже использована или устарела/);
      expect(again.url()).toBe(`${server.url}/dashboard/`);
      expect(await again.getByTestId("who").count()).toBe(0);
      await screenshot(again, "link-used-twice");
      expect(pageErrors).toEqual([]);
    },
    120_000,
  );

  it(
    "an admin finds a client, adjusts the balance once for a double click and undoes it; a setting out of bounds is refused with the server's words; logging out everywhere ends the page's session",
    async () => {
      const cafe = await makePartner(db, "Кофейня Ромашка");
      const ivan = await clientWithCheck(cafe, "Иван", 150_000, "A-1");
      const balanceOf = async (clientId: number) => (await db.select().from(balances).where(eq(balances.clientId, clientId)))[0]?.points ?? 0;
      const before = await balanceOf(ivan.id);

      const page = await newPage();
      await page.goto(await signInLink({ telegramId: adminId, role: "admin", partnerId: null }));
      await page.getByTestId("nav-clients").click();
      await page.getByTestId("client-search").fill("Иван");
      await page.getByTestId("client-search").press("Enter");
      await page.getByTestId(`client-${ivan.id}`).getByRole("link", { name: "Иван" }).click();
      await page.getByTestId("client-card").waitFor();
      expect(page.url()).toBe(`${server.url}/dashboard/clients/${ivan.id}`);

      // +50 with a double click on the button: one adjustment (one idempotency key per opened form).
      await page.getByTestId("adjust-open").click();
      await page.getByTestId("adjust-points").fill("50");
      await page.getByTestId("adjust-reason").fill("подарок ко дню рождения");
      // The fields are named by visible labels (the placeholders only give an example, and fit their boxes).
      const form = page.getByTestId("adjust-form");
      expect(await form.getByLabel("Баллы (+ начислить, − списать)").inputValue()).toBe("50");
      expect(await form.getByLabel("Причина").inputValue()).toBe("подарок ко дню рождения");
      await screenshot(page, "admin-adjust-form");
      await page.getByTestId("adjust-submit").dblclick();
      await page.getByTestId("ledger").getByRole("row").filter({ hasText: "подарок ко дню рождения" }).waitFor();
      const adjustments = async () => (await db.select().from(ledgerEntries).where(eq(ledgerEntries.clientId, ivan.id))).filter((e) => e.kind === "adjustment");
      expect((await adjustments()).map((e) => e.points)).toEqual([50]);
      expect(await balanceOf(ivan.id)).toBe(before + 50);
      await screenshot(page, "admin-client-adjusted");

      // Undone with a reason: the balance is back, the row stays with its reversal beside it.
      const [adjustment] = await adjustments();
      const row = page.getByTestId(`ledger-${adjustment!.id}`);
      await row.getByTestId("undo").click();
      await row.getByTestId("reason").fill("ошибка оператора");
      await row.getByTestId("reason-submit").click();
      await page.getByTestId("ledger").getByRole("row").filter({ hasText: "ошибка оператора" }).waitFor();
      expect(await balanceOf(ivan.id)).toBe(before);
      expect(await page.getByTestId(`ledger-${adjustment!.id}`).getByTestId("undo").count()).toBe(0);
      await screenshot(page, "admin-client-undone");

      // A setting: out of its bounds → the server's refusal shown and nothing changed; within them → saved.
      await page.getByTestId("nav-settings").click();
      const welcome = page.getByTestId("setting-welcomeBonus");
      await welcome.getByTestId("edit").click();
      await welcome.getByTestId("setting-value").fill("2000000");
      await welcome.getByTestId("setting-save").click();
      await expect(welcome.getByTestId("error").textContent()).resolves.toMatch(/\S/);
      expect((await getNetworkSettings(db)).welcomeBonus).toBe(100);
      await screenshot(page, "admin-setting-refused");
      await welcome.getByTestId("setting-value").fill("150");
      await welcome.getByTestId("setting-save").click();
      await welcome.filter({ hasText: "150 баллов" }).waitFor();
      expect((await getNetworkSettings(db)).welcomeBonus).toBe(150);

      // The language switch: the same page in English.
      await page.getByTestId("language").getByRole("button", { name: "EN" }).click();
      await page.getByRole("heading", { name: "Network settings" }).waitFor();
      await expect(page.getByTestId("nav").textContent()).resolves.toMatch(/Overview.*Partners.*Clients/);
      await screenshot(page, "admin-settings-english");

      // "Log out everywhere" in the bot: the page's next call finds no session and says so.
      expect(await signOutEverywhere(db, { telegramId: adminId, actorType: "admin" })).toBe(1);
      await page.getByTestId("nav-clients").click();
      await expect(page.getByTestId("session-ended").textContent()).resolves.toMatch(/session has ended/);
      expect(await page.getByTestId("nav").count()).toBe(0);
      expect(pageErrors).toEqual([]);
    },
    120_000,
  );

  it(
    "a page left open notices \"log out everywhere\" without a click (when the tab comes back into view, and within a minute anyway); after a sign-in in another tab it follows the new session",
    async () => {
      /** A signed-in admin page with the page's timers under the test's control. */
      const signedInPage = async () => {
        const page = await newPage();
        await page.clock.install();
        await page.goto(await signInLink({ telegramId: adminId, role: "admin", partnerId: null }));
        await page.getByTestId("who").waitFor();
        return page;
      };

      // The tab regains focus (the person comes back from the bot): the session is checked at once.
      const focused = await signedInPage();
      expect(await signOutEverywhere(db, { telegramId: adminId, actorType: "admin" })).toBe(1);
      await focused.evaluate('window.dispatchEvent(new Event("focus"))'); // (a string: this file is typed for Node, not the page)
      await expect(focused.getByTestId("session-ended").textContent()).resolves.toMatch(/Сессия закончилась/);
      expect(await focused.getByTestId("nav").count()).toBe(0);

      // Nobody touches the page: the minute's check finds the session ended. (Not "still signed in at 59 s": the page's
      // clock runs in real time too, and a slow machine spends seconds loading, so that moment cannot be pinned.)
      const idle = await signedInPage();
      await idle.getByTestId("total-turnover").waitFor();
      expect(await signOutEverywhere(db, { telegramId: adminId, actorType: "admin" })).toBe(1);
      expect(await idle.getByTestId("session-ended").count()).toBe(0);
      await idle.clock.runFor(61_000);
      await idle.getByTestId("session-ended").waitFor();
      expect(await idle.getByTestId("nav").count()).toBe(0);
      await screenshot(idle, "session-ended-while-idle");

      // Signed in again in another tab of the same browser: that ends this tab's session, and the cookie is the new one.
      // Back in this tab, the check adopts the new session (its CSRF token), so a change made here still goes through.
      const first = await signedInPage();
      const second = await first.context().newPage();
      await second.goto(await signInLink({ telegramId: adminId, role: "admin", partnerId: null }));
      await second.getByTestId("who").waitFor();
      await first.bringToFront();
      await first.evaluate('window.dispatchEvent(new Event("focus"))');
      await first.getByTestId("nav-settings").click();
      const welcome = first.getByTestId("setting-welcomeBonus");
      await welcome.getByTestId("edit").click();
      await welcome.getByTestId("setting-value").fill("120");
      await welcome.getByTestId("setting-save").click();
      await welcome.filter({ hasText: "120 баллов" }).waitFor();
      expect((await getNetworkSettings(db)).welcomeBonus).toBe(120);
      expect(await first.getByTestId("session-ended").count()).toBe(0);
      expect(pageErrors).toEqual([]);
    },
    120_000,
  );

  it(
    "every page in the menu opens without an error for an admin and for a partner; a dead job is retried, a service approved, the settlement and a partner's purchases downloaded as CSV",
    async () => {
      const cafe = await makePartner(db, "Кофейня Ромашка");
      await clientWithCheck(cafe, "Иван", 150_000, "A-1");
      const inAWeek = new Date(Date.now() + 7 * 24 * 3600_000);
      await createPromotion(db, { partnerId: cafe.partnerId, staffTelegramId: cafe.staffTelegramId, title: "Кофе за полцены", body: "По будням до полудня", startsAt: new Date(), endsAt: inAWeek });
      const service = await submitService(db, { partnerId: cafe.partnerId, staffTelegramId: cafe.staffTelegramId, name: "Завтрак с собой", description: "Каша и кофе", priceKopecks: 35_000 });
      await createBroadcast(db, { sender: { kind: "partner", partnerId: cafe.partnerId, staffTelegramId: cafe.staffTelegramId }, audience: {}, idempotencyKey: "test-broadcast", text: "Скидка на выпечку", progressChatId: cafe.staffTelegramId });
      const [dead] = await db.insert(jobs).values({ kind: "notify.client", payload: {}, status: "dead", attempts: 8, lastError: "Telegram said no", runAt: new Date() }).returning();

      /** Opens each menu item in turn (a title, no error, nothing left loading) and keeps a screenshot of each. */
      const visitAll = async (page: Page, who: string) => {
        const items = await page.getByTestId("nav").getByRole("link").all();
        for (const item of items) {
          const name = (await item.getAttribute("data-testid")) ?? "";
          await item.click();
          await page.locator(".page-title").waitFor();
          await expect.poll(() => page.getByText(/^Загрузка…$/).count(), { timeout: stepTimeout }).toBe(0);
          expect(await page.getByTestId("error").allTextContents(), name).toEqual([]);
          await screenshot(page, `${who}-${name}`);
        }
        return items.length;
      };

      const admin = await newPage();
      await admin.goto(await signInLink({ telegramId: adminId, role: "admin", partnerId: null }));
      await admin.getByTestId("who").waitFor();
      expect(await visitAll(admin, "admin")).toBe(11);

      await admin.getByTestId("nav-jobs").click();
      await admin.getByTestId(`job-${dead!.id}`).getByTestId("retry").click();
      await admin.getByTestId(`job-${dead!.id}`).waitFor({ state: "detached" }); // no longer among the dead
      expect((await db.select().from(jobs).where(eq(jobs.id, dead!.id)))[0]!.status).toBe("pending");

      await admin.getByTestId("nav-services").click();
      await admin.getByTestId(`service-${service.id}`).getByTestId("approve").click();
      await admin.getByTestId(`service-${service.id}`).filter({ hasText: "Одобрена" }).waitFor();
      await screenshot(admin, "admin-services");

      await admin.getByTestId("nav-broadcasts").click();
      await admin.getByRole("row").filter({ hasText: "Скидка на выпечку" }).filter({ hasText: "Кофейня Ромашка" }).waitFor();
      await screenshot(admin, "admin-broadcasts");

      await admin.getByTestId("nav-settlement").click();
      await admin.getByTestId("settlement").getByRole("row").filter({ hasText: "Кофейня Ромашка" }).waitFor();
      const download = admin.waitForEvent("download");
      await admin.getByTestId("settlement-csv").click();
      const csv = readFileSync((await (await download).path())!, "utf8");
      expect(csv.replace(/^\uFEFF/, "").split(/\r?\n/)[0]).toMatch(/partner/);
      expect(csv).toContain("Кофейня Ромашка");
      // The net's sign is explained, in neutral colour; the gap to the overview's total is explained too.
      await expect(admin.getByTestId("settlement-legend").textContent()).resolves.toMatch(/партнёр должен сети.*сеть должна партнёру/);
      await expect(admin.getByTestId("settlement-unassigned").textContent()).resolves.toMatch(/приветственные бонусы/);
      expect(await admin.getByTestId("settlement").locator(".negative").count()).toBe(0);
      await screenshot(admin, "admin-settlement");

      // The audit log in words: the service approved above, and the sign-in, with their objects; details as key: value.
      await admin.getByTestId("nav-audit").click();
      const approvedRow = admin.getByTestId("audit").getByRole("row").filter({ hasText: "Одобрил услугу" });
      await expect(approvedRow.getByTestId("audit-target").textContent()).resolves.toBe(`Услуга № ${service.id}`);
      await admin.getByTestId("audit").getByRole("row").filter({ hasText: "Вошёл в панель управления" }).filter({ hasText: "Сеть" }).first().waitFor();
      const actions = await admin.getByTestId("audit-action").allTextContents();
      expect(actions.filter((a) => /^[a-z_-]+\.[a-z_-]+$/.test(a))).toEqual([]); // no raw ids
      await expect(admin.getByTestId("audit").getByRole("row").filter({ hasText: "Создал рассылку" }).locator(".details").textContent()).resolves.toBe("audience: {}");
      await screenshot(admin, "admin-audit");

      const partner = await newPage();
      await partner.goto(await signInLink({ telegramId: cafe.staffTelegramId, role: "partner", partnerId: cafe.partnerId }));
      await partner.getByTestId("who").waitFor();
      expect(await visitAll(partner, "partner")).toBe(6);
      await partner.getByTestId("nav-promotions").click();
      await partner.getByRole("row").filter({ hasText: "Кофе за полцены" }).waitFor();
      await screenshot(partner, "partner-promotions");
      await partner.getByTestId("nav-exports").click();
      const exported = partner.waitForEvent("download");
      await partner.getByTestId("export-purchases").click();
      const purchasesCsv = readFileSync((await (await exported).path())!, "utf8").replace(/^\uFEFF/, "").trim().split(/\r?\n/);
      expect(purchasesCsv).toHaveLength(2); // the header and its one check
      expect(purchasesCsv[1]).toContain("A-1");
      expect(pageErrors).toEqual([]);
    },
    120_000,
  );

  it(
    "a partner's owner sees its own client by URL but not another partner's (the forbidden message, none of that client's data); signing out ends the session",
    async () => {
      const a = await makePartner(db, "Кофейня Ромашка");
      const b = await makePartner(db, "Салон Лилия");
      const ours = await clientWithCheck(a, "Алексей", 120_000, "A-1");
      const theirs = await clientWithCheck(b, "Зинаида", 330_000, "B-1");

      const page = await newPage({ width: 390, height: 844 }); // on a phone
      await page.goto(await signInLink({ telegramId: a.staffTelegramId, role: "partner", partnerId: a.partnerId }));
      await page.getByTestId("who").filter({ hasText: "Партнёр: Кофейня Ромашка" }).waitFor();
      await page.getByTestId("total-turnover").filter({ hasText: /1\s200\s₽/ }).waitFor(); // its own check only
      // Admin pages are not in a partner's menu.
      await expect(page.getByTestId("nav").textContent()).resolves.not.toMatch(/Партнёры|Журнал действий|Настройки|Взаиморасчёты/);
      await screenshot(page, "partner-overview-phone");

      // Its own client, by a deep link (a refresh of that page): the card.
      await page.goto(`${server.url}/dashboard/clients/${ours.id}`);
      await page.getByTestId("client-card").filter({ hasText: "Алексей" }).waitFor();
      await screenshot(page, "partner-own-client");

      // Another partner's client, by URL: refused.
      await page.goto(`${server.url}/dashboard/clients/${theirs.id}`);
      await expect(page.getByTestId("error").textContent()).resolves.toBe("У вас нет доступа к этому.");
      const shown = (await page.locator("body").textContent()) ?? "";
      expect(shown).not.toContain("Зинаида");
      expect(shown).not.toMatch(/3\s300/);
      expect(await page.getByTestId("client-card").count()).toBe(0);
      await screenshot(page, "partner-other-client-forbidden");

      // And an admin-only page by URL: refused by the page (the server refuses its API too).
      await page.goto(`${server.url}/dashboard/partners`);
      await expect(page.getByTestId("error").textContent()).resolves.toBe("У вас нет доступа к этому.");

      // Signing out ends the session: after a reload the page asks for a new link.
      await page.getByTestId("sign-out").click();
      await page.getByTestId("signed-out").waitFor();
      await page.reload();
      await expect(page.getByTestId("how-to-sign-in").textContent()).resolves.toMatch(/отправьте \/dashboard/);
      await screenshot(page, "signed-out-phone");
      expect(pageErrors).toEqual([]);
    },
    120_000,
  );
});
