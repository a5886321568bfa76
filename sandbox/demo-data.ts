import { sql } from "drizzle-orm";
import type { Db, Tx } from "../db/client.js";
import type { PartnerSettings } from "../db/schema/index.js";
import { registerClient, type Client } from "../core/clients/service.js";
import { addDays, addMinutes, fixedClock, startOfDay, type Clock } from "../core/clock.js";
import { addRatingComment, recordRating } from "../core/feedback/service.js";
import { accrue, confirmRedemption, requestRedemption } from "../core/ledger/service.js";
import { moderateService, submitService } from "../core/catalog/service.js";
import { addStaff, moderateApplication, submitApplication, updatePartnerSettings } from "../core/partners/service.js";
import type { Partner } from "../core/partners/access.js";
import { createPromotion } from "../core/promotions/service.js";
import { chooseLanguage, type Language } from "../core/users/service.js";

/**
 * The sandbox's demo network, written on first start through the product's own use-cases (the functions the bots
 * call), so the data obeys every rule a real network does: tiers earned by accruals in their 365-day window, welcome
 * and referral bonuses paid by the core, a redemption confirmed by the client, services approved by the admin.
 * Everything is a fixed list: the same people, partners and checks every time (only the codes the core draws differ).
 */

export type DemoPerson = { telegramId: number; firstName: string; lastName?: string; languageCode: Language };

type PartnerKey = "coffee" | "salon" | "books";

type DemoPartner = {
  key: PartnerKey;
  name: string;
  /** One of the partner bot's category keys (bots/partner/keyboards.ts). */
  category: string;
  address: string;
  phone: string;
  owner: DemoPerson;
  cashiers: DemoPerson[];
  settings?: PartnerSettings;
  services: { name: string; description: string; rubles: number }[];
};

/** Regular visits: `count` checks at one partner, the first `firstDaysAgo` days ago, then every `everyDays`. */
type Visits = { at: PartnerKey; firstDaysAgo: number; everyDays: number; count: number; rubles: number };

type DemoClient = DemoPerson & {
  phone: string;
  joinedDaysAgo: number;
  /** The `/start` link they came by: a partner's (`p_…`) or another demo client's (`r_…`). */
  cameVia?: { partner: PartnerKey } | { referrer: number };
  visits: Visits[];
  /** Their answer to the NPS question about their latest visit (a low score with a comment for the partner). */
  ratesLastVisit?: { score: number; comment?: string };
};

export const demoPartners: readonly DemoPartner[] = [
  {
    key: "coffee",
    name: "Coffee Point",
    category: "cafe",
    address: "Москва, ул. Покровка, 12",
    phone: "+74951230001",
    owner: { telegramId: 200_000_001, firstName: "Ольга", lastName: "Смирнова", languageCode: "ru" },
    cashiers: [
      { telegramId: 200_000_002, firstName: "Дмитрий", lastName: "Орлов", languageCode: "ru" },
      { telegramId: 200_000_003, firstName: "Kate", lastName: "Miller", languageCode: "en" },
    ],
    // Clients Coffee Point brings get a larger welcome bonus than the network's 100.
    settings: { welcomeBonus: 150 },
    services: [{ name: "Кофе по подписке", description: "30 чашек фильтр-кофе в месяц по одной цене.", rubles: 3_500 }],
  },
  {
    key: "salon",
    name: "Салон красоты «Лаванда»",
    category: "beauty",
    address: "Москва, Цветной бульвар, 5",
    phone: "+74951230002",
    owner: { telegramId: 200_000_004, firstName: "Марина", lastName: "Кузнецова", languageCode: "ru" },
    cashiers: [{ telegramId: 200_000_005, firstName: "Светлана", lastName: "Белова", languageCode: "ru" }],
    services: [{ name: "Маникюр с покрытием", description: "Классический маникюр и покрытие гель-лаком, 1,5 часа.", rubles: 2_500 }],
  },
  {
    key: "books",
    name: "Цветы и книги «Страница»",
    category: "shop",
    address: "Москва, ул. Арбат, 20",
    phone: "+74951230003",
    owner: { telegramId: 200_000_006, firstName: "Игорь", lastName: "Волков", languageCode: "ru" },
    cashiers: [{ telegramId: 200_000_007, firstName: "Alex", lastName: "Brown", languageCode: "en" }],
    services: [{ name: "Букет к дате", description: "Соберём и доставим букет к нужному дню по Москве.", rubles: 2_900 }],
  },
];

/**
 * Twelve clients with a year of checks, chosen so that every tier is present now (thresholds 500 / 1,500 / 3,000
 * points earned in 365 days): Platinum Мария and Emma; Gold Алексей, Екатерина, Michael; Silver Сергей, John,
 * Павел (invited by Мария, whose bonus his first check paid); Bronze the rest. Иван spent a lot more than a year ago:
 * a large balance, but Bronze, as the window says. And one newcomer, Ксения, whose referral is not rewarded yet.
 */
export const demoClients: readonly DemoClient[] = [
  {
    telegramId: 300_000_001, firstName: "Мария", languageCode: "ru", phone: "+79000000001", joinedDaysAgo: 350,
    visits: [
      { at: "salon", firstDaysAgo: 340, everyDays: 50, count: 6, rubles: 5_800 },
      { at: "coffee", firstDaysAgo: 60, everyDays: 30, count: 2, rubles: 480 },
    ],
    ratesLastVisit: { score: 10 },
  },
  {
    telegramId: 300_000_002, firstName: "Алексей", languageCode: "ru", phone: "+79000000002", joinedDaysAgo: 320,
    visits: [
      { at: "books", firstDaysAgo: 318, everyDays: 60, count: 5, rubles: 5_500 },
      { at: "coffee", firstDaysAgo: 100, everyDays: 40, count: 2, rubles: 650 },
    ],
    ratesLastVisit: { score: 9 },
  },
  {
    telegramId: 300_000_003, firstName: "Emma", languageCode: "en", phone: "+79000000003", joinedDaysAgo: 280, cameVia: { partner: "salon" },
    visits: [{ at: "salon", firstDaysAgo: 279, everyDays: 45, count: 6, rubles: 6_500 }],
    ratesLastVisit: { score: 8 },
  },
  {
    telegramId: 300_000_004, firstName: "Сергей", languageCode: "ru", phone: "+79000000004", joinedDaysAgo: 240, cameVia: { partner: "coffee" },
    visits: [{ at: "coffee", firstDaysAgo: 238, everyDays: 45, count: 5, rubles: 2_200 }],
    ratesLastVisit: { score: 6, comment: "Долго ждал заказ, хотя в кофейне было пусто." },
  },
  {
    telegramId: 300_000_005, firstName: "Екатерина", languageCode: "ru", phone: "+79000000005", joinedDaysAgo: 200,
    visits: [
      { at: "books", firstDaysAgo: 198, everyDays: 40, count: 3, rubles: 5_500 },
      { at: "salon", firstDaysAgo: 90, everyDays: 60, count: 2, rubles: 4_000 },
    ],
  },
  {
    telegramId: 300_000_006, firstName: "John", languageCode: "en", phone: "+79000000006", joinedDaysAgo: 180, cameVia: { partner: "coffee" },
    visits: [{ at: "coffee", firstDaysAgo: 179, everyDays: 35, count: 5, rubles: 2_100 }],
  },
  {
    telegramId: 300_000_007, firstName: "Наталья", languageCode: "ru", phone: "+79000000007", joinedDaysAgo: 90, cameVia: { partner: "books" },
    visits: [{ at: "books", firstDaysAgo: 88, everyDays: 30, count: 3, rubles: 1_800 }],
  },
  {
    telegramId: 300_000_008, firstName: "Иван", languageCode: "ru", phone: "+79000000008", joinedDaysAgo: 430,
    visits: [
      { at: "salon", firstDaysAgo: 425, everyDays: 15, count: 3, rubles: 9_000 },
      { at: "coffee", firstDaysAgo: 60, everyDays: 30, count: 1, rubles: 390 },
    ],
  },
  {
    telegramId: 300_000_009, firstName: "Sophie", languageCode: "en", phone: "+79000000009", joinedDaysAgo: 45,
    visits: [{ at: "coffee", firstDaysAgo: 44, everyDays: 14, count: 3, rubles: 410 }],
    ratesLastVisit: { score: 9 },
  },
  {
    telegramId: 300_000_010, firstName: "Павел", languageCode: "ru", phone: "+79000000010", joinedDaysAgo: 150, cameVia: { referrer: 300_000_001 },
    visits: [
      { at: "salon", firstDaysAgo: 148, everyDays: 50, count: 2, rubles: 4_500 },
      { at: "books", firstDaysAgo: 100, everyDays: 40, count: 2, rubles: 3_000 },
    ],
  },
  {
    telegramId: 300_000_011, firstName: "Дарья", languageCode: "ru", phone: "+79000000011", joinedDaysAgo: 25,
    visits: [{ at: "books", firstDaysAgo: 24, everyDays: 14, count: 2, rubles: 1_300 }],
    ratesLastVisit: { score: 10 },
  },
  {
    telegramId: 300_000_012, firstName: "Michael", languageCode: "en", phone: "+79000000012", joinedDaysAgo: 300,
    visits: [
      { at: "coffee", firstDaysAgo: 298, everyDays: 60, count: 3, rubles: 900 },
      { at: "books", firstDaysAgo: 200, everyDays: 50, count: 4, rubles: 6_000 },
    ],
  },
  {
    telegramId: 300_000_013, firstName: "Ксения", languageCode: "ru", phone: "+79000000013", joinedDaysAgo: 2, cameVia: { referrer: 300_000_002 },
    visits: [],
  },
];

/** Points spent: the cashier asks, the client confirms in the client bot (no silent debits). */
const demoRedemptions: readonly { client: number; at: PartnerKey; daysAgo: number; checkRubles: number; points: number }[] = [
  { client: 300_000_001, at: "coffee", daysAgo: 12, checkRubles: 900, points: 270 },
  { client: 300_000_003, at: "salon", daysAgo: 20, checkRubles: 4_000, points: 800 },
];

/** Every demo person who works for a partner (the database keeps no names of staff: the persona list takes them from here). */
export const demoStaff: readonly DemoPerson[] = demoPartners.flatMap((p) => [p.owner, ...p.cashiers]);

type SeedOptions = { appSecret: string; now: Date; adminId: number };

/**
 * Seeds the demo network into an empty database (no partners yet) and returns `{ seeded: true }`; on any other
 * database it does nothing. One transaction: a seed killed halfway leaves nothing behind, and the next start seeds
 * again from scratch. Notifications the seed's history would have sent (accrual messages, NPS questions, admins'
 * alerts) are marked done: they belong to the past the seed writes, not to the user's first minute in the sandbox.
 */
export async function seedDemoData(db: Db, options: SeedOptions): Promise<{ seeded: boolean }> {
  return db.transaction(async (tx) => {
    // Two sandboxes starting on one database at once: the second waits here, then finds partners and does nothing.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('sandbox:demo-data'))`);
    const [existing] = await tx.execute<{ any: boolean }>(sql`SELECT EXISTS (SELECT 1 FROM partners) AS any`);
    if (existing?.any) return { seeded: false };
    const [lastJob] = await tx.execute<{ id: string | null }>(sql`SELECT max(id) AS id FROM jobs`);

    const steps = plan(options);
    const state: SeedState = { partners: new Map(), clients: new Map(), lastPurchase: new Map(), receipts: new Map() };
    for (const step of steps) await step.run(tx, fixedClock(step.at), state);

    await tx.execute(sql`UPDATE jobs SET status = 'done', updated_at = now() WHERE id > ${Number(lastJob?.id ?? 0)} AND status = 'pending'`);
    return { seeded: true };
  });
}

type SeedState = {
  partners: Map<PartnerKey, Partner>;
  clients: Map<number, Client>;
  /** Each client's latest purchase so far, for the NPS answer about it. */
  lastPurchase: Map<number, number>;
  /** The last receipt number each partner printed, so receipts count up in time order. */
  receipts: Map<PartnerKey, number>;
};

type Step = { at: Date; run: (tx: Tx, clock: Clock, state: SeedState) => Promise<unknown> };

/** The seed as a list of steps, each at its moment; run in time order, since a tier depends on the checks before it. */
function plan(options: SeedOptions): Step[] {
  const { now, adminId } = options;
  /** `days` ago at `minutes` past Moscow midnight, never later than a minute before `now`. */
  const ago = (days: number, minutes: number) => {
    const t = addMinutes(startOfDay(addDays(now, -days)), minutes);
    return t < now ? t : addMinutes(now, -1);
  };
  const steps: Step[] = [];
  const partnerOf = (s: SeedState, key: PartnerKey) => s.partners.get(key)!;
  const clientOf = (s: SeedState, telegramId: number) => s.clients.get(telegramId)!;

  demoPartners.forEach((p, i) => {
    const appliedDaysAgo = 460 - i * 3;
    steps.push({
      at: ago(appliedDaysAgo, 10 * 60),
      run: async (tx, clock, s) => {
        const applied = await submitApplication(tx, { telegramId: p.owner.telegramId, name: p.name, category: p.category, address: p.address, contactName: `${p.owner.firstName} ${p.owner.lastName}`, phone: p.phone }, clock);
        s.partners.set(p.key, await moderateApplication(tx, { adminTelegramId: adminId, partnerId: applied.id, verdict: { decision: "approve" } }, fixedClock(addMinutes(clock.now(), 90))));
      },
    });
    steps.push({
      at: ago(appliedDaysAgo - 1, 11 * 60),
      run: async (tx, clock, s) => {
        const partner = partnerOf(s, p.key);
        // As if they had picked it with /language: the worker's messages to them (digests, redemption results) follow it.
        for (const person of [p.owner, ...p.cashiers]) if (person.languageCode !== "ru") await chooseLanguage(tx, person.telegramId, person.languageCode);
        // What the cashier's opening of the owner's one-time invitation link does.
        for (const cashier of p.cashiers) await addStaff(tx, { partnerId: partner.id, ownerTelegramId: p.owner.telegramId, telegramId: cashier.telegramId }, clock);
        if (p.settings) await updatePartnerSettings(tx, { partnerId: partner.id, staffTelegramId: p.owner.telegramId, patch: p.settings });
      },
    });
    p.services.forEach((service, j) => {
      steps.push({
        at: ago(300 - i * 20 - j * 7, 15 * 60),
        run: async (tx, clock, s) => {
          const submitted = await submitService(tx, { partnerId: partnerOf(s, p.key).id, staffTelegramId: p.owner.telegramId, name: service.name, description: service.description, priceKopecks: service.rubles * 100 }, clock);
          await moderateService(tx, { adminTelegramId: adminId, serviceId: submitted.id, verdict: { decision: "approve" } }, fixedClock(addMinutes(clock.now(), 120)));
        },
      });
    });
  });

  demoClients.forEach((c, i) => {
    steps.push({
      at: ago(c.joinedDaysAgo, 9 * 60 + i * 17),
      run: async (tx, clock, s) => {
        const via = c.cameVia;
        const startPayload = !via ? undefined : "partner" in via ? `p_${partnerOf(s, via.partner).code}` : `r_${clientOf(s, via.referrer).referralCode}`;
        const { client } = await registerClient(tx, { telegramId: c.telegramId, firstName: c.firstName, language: c.languageCode, phone: c.phone, startPayload }, { appSecret: options.appSecret, clock });
        s.clients.set(c.telegramId, client);
      },
    });
    for (const v of c.visits) {
      for (let k = 0; k < v.count; k++) {
        const daysAgo = v.firstDaysAgo - k * v.everyDays;
        if (daysAgo < 1) break;
        // Checks differ a little from visit to visit (±10 %, to the ruble and kopeck), the same way every time.
        const kopecks = Math.round(v.rubles * (100 + (((i + 3) * 7 + k * 13) % 21) - 10)) + ((i * 31 + k * 17) % 100);
        steps.push({
          at: ago(daysAgo, 10 * 60 + ((i * 53 + k * 97) % (10 * 60))),
          run: async (tx, clock, s) => {
            const partner = demoPartners.find((p) => p.key === v.at)!;
            const staff = [partner.owner, ...partner.cashiers];
            const receipt = (s.receipts.get(v.at) ?? 0) + 1;
            s.receipts.set(v.at, receipt);
            const accrual = await accrue(tx, {
              partnerId: partnerOf(s, v.at).id,
              staffTelegramId: staff[receipt % staff.length]!.telegramId,
              clientId: clientOf(s, c.telegramId).id,
              amountKopecks: kopecks,
              receiptNumber: `${v.at.toUpperCase()}-${String(receipt).padStart(4, "0")}`,
            }, clock);
            s.lastPurchase.set(c.telegramId, accrual.purchaseId);
          },
        });
      }
    }
    const rating = c.ratesLastVisit;
    if (rating) {
      const lastVisitDaysAgo = Math.min(...c.visits.map((v) => v.firstDaysAgo - (v.count - 1) * v.everyDays));
      steps.push({
        // The evening of the last visit: after the NPS question would have come.
        at: ago(lastVisitDaysAgo, 21 * 60 + i),
        run: async (tx, clock, s) => {
          const clientId = clientOf(s, c.telegramId).id;
          const recorded = await recordRating(tx, { clientId, purchaseId: s.lastPurchase.get(c.telegramId)!, score: rating.score }, clock);
          if (rating.comment) await addRatingComment(tx, { clientId, ratingId: recorded.id, comment: rating.comment }, clock);
        },
      });
    }
  });

  demoRedemptions.forEach((r, i) => {
    steps.push({
      at: ago(r.daysAgo, 19 * 60 + i),
      run: async (tx, clock, s) => {
        const partner = demoPartners.find((p) => p.key === r.at)!;
        const cashier = partner.cashiers[0] ?? partner.owner;
        const clientId = clientOf(s, r.client).id;
        const key = `demo-redemption-${i + 1}`;
        const request = await requestRedemption(tx, { partnerId: partnerOf(s, r.at).id, staffTelegramId: cashier.telegramId, clientId, checkKopecks: r.checkRubles * 100, points: r.points, idempotencyKey: key }, clock);
        await confirmRedemption(tx, { by: { kind: "client", clientId, requestId: request.id }, decisionKey: `${key}:confirmed` }, fixedClock(addMinutes(clock.now(), 1)));
      },
    });
  });

  // Promotions are created today (a promotion may not start in the past): one running now, one starting next week.
  steps.push({
    at: now,
    run: async (tx, clock, s) => {
      const today = startOfDay(now);
      const coffee = demoPartners[0]!;
      await createPromotion(tx, {
        partnerId: partnerOf(s, "coffee").id, staffTelegramId: coffee.owner.telegramId,
        title: "Второй капучино в подарок",
        body: "Каждый будний день до 11:00: берёте капучино — второй за наш счёт. Покажите бот кассиру.",
        startsAt: today, endsAt: addMinutes(addDays(today, 30), -1),
      }, clock);
      const books = demoPartners[2]!;
      await createPromotion(tx, {
        partnerId: partnerOf(s, "books").id, staffTelegramId: books.owner.telegramId,
        title: "Неделя поэзии: −15 % на сборники",
        body: "Скидка 15 % на поэтические сборники и тюльпан в подарок к каждой покупке.",
        startsAt: addDays(today, 7), endsAt: addMinutes(addDays(today, 14), -1),
      }, clock);
    },
  });

  // Stable: steps at the same moment keep the order they were planned in (an application before its staff).
  return steps.map((step, order) => ({ step, order })).sort((a, b) => a.step.at.getTime() - b.step.at.getTime() || a.order - b.order).map((x) => x.step);
}
