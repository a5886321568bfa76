import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, jobs, promotions } from "../../db/schema/index.js";
import { moderateService, networkServices, partnerServices, pendingServices, submitService } from "../../core/catalog/service.js";
import { addDays, addHours, fixedClock } from "../../core/clock.js";
import { addStaff, setPartnerBlocked, submitApplication } from "../../core/partners/service.js";
import { createPromotion, currentPromotions, deletePromotion, partnerPromotions } from "../../core/promotions/service.js";
import { rowCounts, useTestDb } from "../helpers/db.js";
import { adminId, makePartner, newTelegramId } from "../helpers/fixtures.js";

const db = useTestDb();
const t0 = new Date("2026-07-01T10:00:00Z");

type Staff = { partnerId: number; staffTelegramId: number };
const staffOf = (p: { partnerId: number; staffTelegramId: number }): Staff => ({ partnerId: p.partnerId, staffTelegramId: p.staffTelegramId });

const service = (staff: Staff, name: string, over: Partial<{ description: string; priceKopecks: number }> = {}) =>
  submitService(db, { ...staff, name, description: "Описание услуги", priceKopecks: 150_000, ...over });

const approve = (serviceId: number) => moderateService(db, { adminTelegramId: adminId, serviceId, verdict: { decision: "approve" } });

describe("submitService", () => {
  it("staff of an approved partner submit a pending service; admins get a notify.admins job; it is audited", async () => {
    const p = await makePartner(db);
    const cashier = newTelegramId();
    await addStaff(db, { partnerId: p.partnerId, ownerTelegramId: p.staffTelegramId, telegramId: cashier });

    const s = await submitService(db, { partnerId: p.partnerId, staffTelegramId: cashier, name: " Капучино ", description: "Большой, на овсяном", priceKopecks: 25_000 }, fixedClock(t0));
    expect(s).toMatchObject({ partnerId: p.partnerId, name: "Капучино", description: "Большой, на овсяном", priceKopecks: 25_000, status: "pending", createdAt: t0 });
    const notes = (await db.select().from(jobs).where(eq(jobs.kind, "notify.admins"))).filter((j) => j.payload.message === "new-service");
    expect(notes).toMatchObject([{ runAt: t0, payload: { message: "new-service", params: { serviceId: s.id, name: "Капучино" } } }]);
    expect(await db.select().from(auditLog).where(eq(auditLog.action, "service.submit"))).toMatchObject([{ actorType: "staff", actorTelegramId: cashier, targetType: "service", targetId: s.id }]);
    expect((await pendingServices(db)).map((x) => x.id)).toEqual([s.id]);
    expect(await networkServices(db)).toEqual([]);
  });

  it("a pending partner's owner, someone not on the staff, or bad input is refused and nothing is written", async () => {
    const applicant = newTelegramId();
    const pending = await submitApplication(db, { telegramId: applicant, name: "Ещё не одобрен", category: "cafe", address: "Ленина, 1", contactName: "Ира", phone: "+79001112233" });
    const p = await makePartner(db);
    const before = await rowCounts(db);

    await expect(service({ partnerId: pending.id, staffTelegramId: applicant }, "Латте")).rejects.toMatchObject({ code: "PARTNER_NOT_ACTIVE" });
    await expect(service({ partnerId: p.partnerId, staffTelegramId: applicant }, "Латте")).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(service({ partnerId: 987_654, staffTelegramId: p.staffTelegramId }, "Латте")).rejects.toMatchObject({ code: "PARTNER_NOT_FOUND" });
    await expect(service(staffOf(p), "Л")).rejects.toMatchObject({ code: "VALIDATION", details: { field: "name" } });
    await expect(service(staffOf(p), "Латте", { priceKopecks: -1 })).rejects.toMatchObject({ code: "VALIDATION", details: { field: "priceKopecks" } });
    await expect(service(staffOf(p), "Латте", { description: "x".repeat(1_001) })).rejects.toMatchObject({ code: "VALIDATION", details: { field: "description" } });
    expect(await rowCounts(db)).toEqual(before);
  });
});

describe("moderateService", () => {
  it("approve and reject: status, the partner is told (service-approved / service-rejected with the reason), audited", async () => {
    const p = await makePartner(db);
    const good = await service(staffOf(p), "Стрижка");
    const bad = await service(staffOf(p), "Сомнительное");

    const approved = await moderateService(db, { adminTelegramId: adminId, serviceId: good.id, verdict: { decision: "approve" } }, fixedClock(t0));
    expect(approved).toMatchObject({ id: good.id, status: "approved", moderatedBy: adminId, moderatedAt: t0, moderationReason: null });
    const rejected = await moderateService(db, { adminTelegramId: adminId, serviceId: bad.id, verdict: { decision: "reject", reason: "нет цены в описании" } }, fixedClock(t0));
    expect(rejected).toMatchObject({ status: "rejected", moderationReason: "нет цены в описании" });

    const told = (await db.select().from(jobs).where(eq(jobs.kind, "notify.partner")).orderBy(jobs.id)).filter((j) => String(j.payload.message).startsWith("service-"));
    expect(told.map((j) => j.payload)).toEqual([
      { partnerId: p.partnerId, message: "service-approved", params: { name: "Стрижка" } },
      { partnerId: p.partnerId, message: "service-rejected", params: { name: "Сомнительное", reason: "нет цены в описании" } },
    ]);
    expect((await db.select().from(auditLog).where(eq(auditLog.targetType, "service"))).map((a) => [a.action, a.targetId])).toEqual(
      expect.arrayContaining([
        ["service.approve", good.id],
        ["service.reject", bad.id],
      ]),
    );
    expect(await pendingServices(db)).toEqual([]);
    expect((await networkServices(db)).map((s) => s.id)).toEqual([good.id]);
  });

  it("a rejection without a reason, a second verdict, or an unknown service is refused and nothing is written", async () => {
    const p = await makePartner(db);
    const s = await service(staffOf(p), "Маникюр");
    const before = await rowCounts(db);
    await expect(moderateService(db, { adminTelegramId: adminId, serviceId: s.id, verdict: { decision: "reject", reason: "no" } })).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(moderateService(db, { adminTelegramId: adminId, serviceId: 987_654, verdict: { decision: "approve" } })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await rowCounts(db)).toEqual(before);

    await approve(s.id);
    const decided = await rowCounts(db);
    await expect(approve(s.id)).rejects.toMatchObject({ code: "ALREADY_MODERATED" });
    await expect(moderateService(db, { adminTelegramId: adminId, serviceId: s.id, verdict: { decision: "reject", reason: "передумал" } })).rejects.toMatchObject({ code: "ALREADY_MODERATED" });
    expect(await rowCounts(db)).toEqual(decided);
    expect((await partnerServices(db, p.partnerId)).map((x) => x.status)).toEqual(["approved"]);
  });
});

describe("networkServices", () => {
  it("shows only approved services of approved partners: not a pending or rejected service, not a blocked partner's", async () => {
    const a = await makePartner(db, "Альфа");
    const b = await makePartner(db, "Бета");
    const shown = await service(staffOf(a), "Эспрессо", { priceKopecks: 12_000 });
    const shownToo = await service(staffOf(a), "Американо");
    await service(staffOf(a), "Ещё на модерации");
    const rejected = await service(staffOf(a), "Отклонённая");
    const ofBlocked = await service(staffOf(b), "Услуга Беты");
    await approve(shown.id);
    await approve(shownToo.id);
    await approve(ofBlocked.id);
    await moderateService(db, { adminTelegramId: adminId, serviceId: rejected.id, verdict: { decision: "reject", reason: "не по правилам" } });

    expect((await networkServices(db)).map((s) => s.name)).toEqual(["Американо", "Эспрессо", "Услуга Беты"]);

    await setPartnerBlocked(db, { adminTelegramId: adminId, partnerId: b.partnerId, blocked: true, reason: "жалобы" });
    const visible = await networkServices(db);
    expect(visible).toEqual([
      { id: shownToo.id, name: "Американо", description: "Описание услуги", priceKopecks: 150_000, partnerName: "Альфа", partnerAddress: "Тверская, 1" },
      { id: shown.id, name: "Эспрессо", description: "Описание услуги", priceKopecks: 12_000, partnerName: "Альфа", partnerAddress: "Тверская, 1" },
    ]);

    await setPartnerBlocked(db, { adminTelegramId: adminId, partnerId: b.partnerId, blocked: false, reason: "разобрались" });
    expect((await networkServices(db)).map((s) => s.id)).toContain(ofBlocked.id);
  });
});

describe("promotions", () => {
  const promo = (staff: Staff, over: Partial<{ title: string; body: string; startsAt: Date; endsAt: Date; imageFileId: string | null }> = {}, at = t0) =>
    createPromotion(db, { ...staff, title: "Скидка на кофе", body: "Каждый второй кофе в подарок", startsAt: t0, endsAt: addDays(t0, 7), ...over }, fixedClock(at));

  it("creates a promotion and audits it", async () => {
    const p = await makePartner(db);
    const created = await promo(staffOf(p), { imageFileId: "AgACAgIAAxkBAAI" });
    expect(created).toMatchObject({ partnerId: p.partnerId, title: "Скидка на кофе", startsAt: t0, endsAt: addDays(t0, 7), imageFileId: "AgACAgIAAxkBAAI", createdAt: t0 });
    expect(await db.select().from(auditLog).where(eq(auditLog.action, "promotion.create"))).toMatchObject([{ targetId: created.id, actorTelegramId: p.staffTelegramId }]);
    expect((await partnerPromotions(db, p.partnerId)).map((x) => x.id)).toEqual([created.id]);
  });

  it.each([
    ["ends before it starts", { startsAt: addDays(t0, 2), endsAt: addDays(t0, 1) }, "endsAt"],
    ["a title of 101 characters", { title: "А".repeat(101) }, "title"],
    ["a one-character title", { title: "А" }, "title"],
    ["an empty text", { body: "  " }, "body"],
    ["ends in the past", { startsAt: addDays(t0, -10), endsAt: addHours(t0, -1) }, "endsAt"],
  ])("%s is VALIDATION and nothing is written", async (_label, over, field) => {
    const p = await makePartner(db);
    const before = await rowCounts(db);
    await expect(promo(staffOf(p), over)).rejects.toMatchObject({ code: "VALIDATION", details: { field } });
    expect(await rowCounts(db)).toEqual(before);
  });

  it("someone not on the staff cannot create one", async () => {
    const p = await makePartner(db);
    const before = await rowCounts(db);
    await expect(promo({ partnerId: p.partnerId, staffTelegramId: newTelegramId() })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await rowCounts(db)).toEqual(before);
  });

  it("currentPromotions at a fixed time: running ones only (bounds included), not future, past or a blocked partner's", async () => {
    const p = await makePartner(db, "Кофейня");
    const blocked = await makePartner(db, "Заблокированная");
    const created = addDays(t0, -30);
    const make = (staff: Staff, title: string, startsAt: Date, endsAt: Date) => promo(staff, { title, startsAt, endsAt }, created);

    await make(staffOf(p), "Прошедшая", addDays(t0, -20), addDays(t0, -10));
    await make(staffOf(p), "Кончилась минуту назад", addDays(t0, -2), addHours(t0, -1 / 60));
    const running = await make(staffOf(p), "Идёт сейчас", addDays(t0, -1), addDays(t0, 3));
    const endsNow = await make(staffOf(p), "Кончается сейчас", addDays(t0, -1), t0);
    const startsNow = await make(staffOf(p), "Начинается сейчас", t0, addDays(t0, 10));
    await make(staffOf(p), "Будущая", addDays(t0, 5), addDays(t0, 9));
    await make(staffOf(blocked), "У заблокированного", addDays(t0, -1), addDays(t0, 1));
    await setPartnerBlocked(db, { adminTelegramId: adminId, partnerId: blocked.partnerId, blocked: true, reason: "жалобы" });

    const now = await currentPromotions(db, fixedClock(t0));
    // Soonest ending first.
    expect(now.map((x) => x.id)).toEqual([endsNow.id, running.id, startsNow.id]);
    expect(now[1]).toMatchObject({ title: "Идёт сейчас", partnerName: "Кофейня", endsAt: addDays(t0, 3) });

    expect((await currentPromotions(db, fixedClock(addDays(t0, 6)))).map((x) => x.title)).toEqual(["Будущая", "Начинается сейчас"]);
    expect(await currentPromotions(db, fixedClock(addDays(t0, 30)))).toEqual([]);
  });

  it("deleting another partner's promotion is NOT_FOUND and deletes nothing; the owner's own delete works and is audited", async () => {
    const mine = await makePartner(db, "Моя");
    const theirs = await makePartner(db, "Чужая");
    const target = await promo(staffOf(mine));
    const before = await rowCounts(db);

    await expect(deletePromotion(db, { ...staffOf(theirs), promotionId: target.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // Nor with the other partner's id but someone not on its staff.
    await expect(deletePromotion(db, { partnerId: mine.partnerId, staffTelegramId: theirs.staffTelegramId, promotionId: target.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(deletePromotion(db, { ...staffOf(mine), promotionId: 987_654 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await rowCounts(db)).toEqual(before);
    expect(await db.select().from(promotions).where(eq(promotions.id, target.id))).toHaveLength(1);

    await deletePromotion(db, { ...staffOf(mine), promotionId: target.id });
    expect(await db.select().from(promotions)).toEqual([]);
    expect(await db.select().from(auditLog).where(eq(auditLog.action, "promotion.delete"))).toMatchObject([{ targetId: target.id, details: { title: "Скидка на кофе" } }]);
  });
});
