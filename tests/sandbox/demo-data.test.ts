import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { clientSummary } from "../../core/clients/service.js";
import { fixedClock } from "../../core/clock.js";
import { findBalanceDrift } from "../../core/ledger/post.js";
import { submitApplication } from "../../core/partners/service.js";
import { networkServices } from "../../core/catalog/service.js";
import { currentPromotions } from "../../core/promotions/service.js";
import { clients, jobs, ledgerEntries, partners, partnerStaff, redemptionRequests, referrals } from "../../db/schema/index.js";
import { demoClients, demoPartners, seedDemoData } from "../../sandbox/demo-data.js";
import { listPersonas } from "../../sandbox/personas.js";
import { sandboxAdmin } from "../../sandbox/settings.js";
import { rowCounts, useTestDb } from "../helpers/db.js";
import { testAppSecret } from "../helpers/env.js";

const db = useTestDb();
const now = new Date("2026-11-24T12:00:00Z");
const clock = fixedClock(now);
const seed = () => seedDemoData(db, { appSecret: testAppSecret, now, adminId: sandboxAdmin.id });

describe("sandbox demo data", () => {
  it("seeds three approved partners with staff, a dozen clients across tiers, with no drift between balances and the ledger", async () => {
    expect(await seed()).toEqual({ seeded: true });

    const seededPartners = await db.select().from(partners);
    expect(seededPartners.map((p) => p.status)).toEqual(["approved", "approved", "approved"]);
    for (const p of seededPartners) {
      const staff = await db.select().from(partnerStaff).where(eq(partnerStaff.partnerId, p.id));
      expect(staff.filter((s) => s.role === "owner")).toHaveLength(1);
      expect(staff.filter((s) => s.role === "cashier").length).toBeGreaterThanOrEqual(1);
    }

    const seededClients = await db.select().from(clients).orderBy(clients.id);
    expect(seededClients.length).toBeGreaterThanOrEqual(12);
    expect(seededClients.every((c) => c.telegramId !== null && c.phone?.startsWith("+7900"))).toBe(true);
    expect(new Set(seededClients.map((c) => c.language))).toEqual(new Set(["ru", "en"]));

    const summaries = await Promise.all(seededClients.map((c) => clientSummary(db, c.id, clock)));
    const tiers = new Set(summaries.map((s) => s.tier));
    expect(tiers.size).toBeGreaterThanOrEqual(3);
    expect(tiers).toContain("bronze");
    expect(tiers).toContain("platinum");
    expect(await findBalanceDrift(db)).toEqual([]);

    // Иван's big spending is more than a year old: a balance, but Bronze.
    const ivan = summaries.find((s) => s.client.telegramId === 300_000_008)!;
    expect(ivan.tier).toBe("bronze");
    expect(ivan.balance).toBeGreaterThan(1_000);
  });

  it("writes a rewarded and a pending referral, a confirmed redemption, a running promotion and approved services; leaves no history notifications to send", async () => {
    await seed();
    const refs = await db.select().from(referrals);
    expect(refs).toHaveLength(2);
    expect(refs.filter((r) => r.rewardedAt !== null)).toHaveLength(1);
    const bonuses = await db.select().from(ledgerEntries).where(eq(ledgerEntries.kind, "referral_bonus"));
    expect(bonuses.map((b) => b.clientId)).toEqual([refs.find((r) => r.rewardedAt !== null)!.referrerClientId]);

    const confirmed = await db.select().from(redemptionRequests).where(eq(redemptionRequests.status, "confirmed"));
    expect(confirmed.length).toBeGreaterThanOrEqual(1);
    expect(confirmed.every((r) => r.ledgerEntryId !== null)).toBe(true);

    const running = await currentPromotions(db, clock);
    expect(running.map((p) => p.partnerName)).toContain("Coffee Point");
    expect(running.every((p) => p.startsAt <= now && p.endsAt >= now)).toBe(true);
    expect((await networkServices(db)).length).toBeGreaterThanOrEqual(1);

    const pending = await db.select().from(jobs).where(eq(jobs.status, "pending"));
    expect(pending).toEqual([]);
  });

  it("a second call on a seeded database changes nothing", async () => {
    await seed();
    const before = await rowCounts(db);
    expect(await seed()).toEqual({ seeded: false });
    expect(await rowCounts(db)).toEqual(before);
  });

  it("a seed that fails halfway leaves nothing behind, so the next start seeds from scratch", async () => {
    // Another person already holding a demo client's phone makes the seed fail at that client's registration (PHONE_TAKEN).
    await db.insert(clients).values({ telegramId: 999_999_999, phone: demoClients[5]!.phone, referralCode: "BLOCKER1" });
    await expect(seed()).rejects.toThrow();
    expect(await db.select().from(partners)).toEqual([]);
    // Only the blocking row remains.
    expect(await rowCounts(db)).toMatchObject({ partners: 0, partner_staff: 0, clients: 1, balances: 0, ledger_entries: 0, purchases: 0, referrals: 0, services: 0, jobs: 0, audit_log: 0 });

    await db.delete(clients).where(eq(clients.referralCode, "BLOCKER1"));
    expect(await seed()).toEqual({ seeded: true });
  });

  it("lists the personas: admin, owners, cashiers, clients with tier, balance and phone; an applicant after an application", async () => {
    await seed();
    const personas = await listPersonas(db, [sandboxAdmin.id], clock);
    const roles = personas.map((p) => p.role);
    const order = ["admin", "owner", "cashier", "client", "applicant"];
    expect(roles).toEqual([...roles].sort((a, b) => order.indexOf(a) - order.indexOf(b)));

    expect(personas[0]).toMatchObject({ telegramId: sandboxAdmin.id, firstName: sandboxAdmin.firstName, role: "admin", bot: "admin" });
    const owners = personas.filter((p) => p.role === "owner");
    expect(owners.map((p) => p.telegramId)).toEqual(demoPartners.map((p) => p.owner.telegramId));
    expect(owners.every((p) => p.bot === "partner")).toBe(true);
    expect(owners[0]).toMatchObject({ firstName: "Ольга", lastName: "Смирнова", detail: "Coffee Point · owner" });
    const cashiers = personas.filter((p) => p.role === "cashier");
    expect(cashiers.map((p) => p.telegramId)).toEqual(demoPartners.flatMap((p) => p.cashiers.map((c) => c.telegramId)));
    expect(cashiers.find((p) => p.telegramId === 200_000_003)).toMatchObject({ firstName: "Kate", languageCode: "en", bot: "partner", detail: "Coffee Point · cashier" });

    const clientPersonas = personas.filter((p) => p.role === "client");
    expect(clientPersonas.map((p) => p.telegramId)).toEqual(demoClients.map((c) => c.telegramId));
    for (const p of clientPersonas) {
      const demo = demoClients.find((c) => c.telegramId === p.telegramId)!;
      expect(p).toMatchObject({ bot: "client", phone: demo.phone, firstName: demo.firstName, languageCode: demo.languageCode });
      expect(p.detail).toMatch(/^(Bronze|Silver|Gold|Platinum) · [\d\u00a0]+ pts$/);
    }
    // The detail agrees with the client's own summary.
    const maria = await db.select().from(clients).where(eq(clients.telegramId, 300_000_001));
    const summary = await clientSummary(db, maria[0]!.id, clock);
    expect(clientPersonas[0]!.detail).toBe(`${summary.tier[0]!.toUpperCase()}${summary.tier.slice(1)} · ${new Intl.NumberFormat("ru-RU").format(summary.balance)} pts`);
    expect(roles).not.toContain("applicant");

    await submitApplication(db, { telegramId: 900_000_001, name: "Пекарня «Булка»", category: "cafe", address: "Москва, ул. Ленина, 1", contactName: "Пётр Иванов", phone: "+79990000001" });
    const after = await listPersonas(db, [sandboxAdmin.id], clock);
    expect(after.at(-1)).toEqual({
      telegramId: 900_000_001,
      firstName: "Пётр",
      lastName: "Иванов",
      languageCode: "ru",
      role: "applicant",
      bot: "partner",
      phone: "+79990000001",
      detail: "Пекарня «Булка» · application pending",
    });
    expect(after.slice(0, -1)).toEqual(personas);
  });
});
