import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, jobs, partners, partnerStaff } from "../../db/schema/index.js";
import { isDomainError } from "../../core/errors.js";
import { staffMemberships } from "../../core/partners/access.js";
import { addHours, fixedClock } from "../../core/clock.js";
import { accrue, requestRedemption } from "../../core/ledger/service.js";
import {
  addStaff,
  findPartner,
  listStaff,
  moderateApplication,
  removeStaff,
  setPartnerBlocked,
  submitApplication,
  updatePartnerSettings,
} from "../../core/partners/service.js";
import { rowCounts, useTestDb } from "../helpers/db.js";
import { adminId, concurrently, makeClient, makePartner, newTelegramId, setSettings } from "../helpers/fixtures.js";

const db = useTestDb();
const t0 = new Date("2026-05-20T08:30:00Z");

const application = (telegramId: number, over: Partial<Parameters<typeof submitApplication>[1]> = {}) => ({
  telegramId,
  name: "Салон Лилия",
  category: "beauty",
  address: "Невский пр., 10",
  contactName: "Лилия",
  phone: "8 (912) 345-67-89",
  ...over,
});

const auditsFor = (action: string) => db.select().from(auditLog).where(eq(auditLog.action, action));
const jobsOf = (kind: string) => db.select().from(jobs).where(eq(jobs.kind, kind)).orderBy(jobs.id);

describe("submitApplication", () => {
  it("creates a pending partner, the applicant as its owner, an outbox job for the admins and an audit row, in one go", async () => {
    const applicant = newTelegramId();
    const partner = await submitApplication(db, application(applicant), fixedClock(t0));
    expect(partner).toMatchObject({
      status: "pending",
      name: "Салон Лилия",
      category: "beauty",
      phone: "+79123456789",
      applicantTelegramId: applicant,
      moderatedAt: null,
      createdAt: t0,
      settings: {},
    });
    expect(partner.code).toMatch(/^[A-Z2-9]{8}$/);

    expect(await db.select().from(partnerStaff)).toMatchObject([{ partnerId: partner.id, telegramId: applicant, role: "owner", removedAt: null }]);
    const notes = await jobsOf("notify.admins");
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ status: "pending", runAt: t0, payload: { message: "new-partner-application", params: { partnerId: partner.id, name: "Салон Лилия" } } });
    expect(await auditsFor("partner.apply")).toMatchObject([{ actorType: "staff", actorTelegramId: applicant, targetType: "partner", targetId: partner.id }]);
    expect(await findPartner(db, { code: partner.code.toLowerCase() })).toMatchObject({ id: partner.id });
  });

  it("a second application while one is pending is ALREADY_APPLIED and writes nothing; after a rejection one may apply again", async () => {
    const applicant = newTelegramId();
    const first = await submitApplication(db, application(applicant));
    const before = await rowCounts(db);
    await expect(submitApplication(db, application(applicant, { name: "Другой салон" }))).rejects.toMatchObject({ code: "ALREADY_APPLIED" });
    expect(await rowCounts(db)).toEqual(before);

    await moderateApplication(db, { adminTelegramId: adminId, partnerId: first.id, verdict: { decision: "reject", reason: "нет адреса" } });
    const second = await submitApplication(db, application(applicant, { address: "Невский пр., 12" }));
    expect(second).toMatchObject({ status: "pending" });
    expect(second.id).not.toBe(first.id);
    expect(await db.select().from(partners).where(and(eq(partners.applicantTelegramId, applicant), eq(partners.status, "pending")))).toHaveLength(1);
  });

  it("the same application sent five times at once leaves one pending partner and one notification", async () => {
    const applicant = newTelegramId();
    const { ok, errors } = await concurrently(5, () => submitApplication(db, application(applicant)));
    expect(ok).toHaveLength(1);
    expect(errors).toHaveLength(4);
    expect(errors.every((e) => isDomainError(e, "ALREADY_APPLIED"))).toBe(true);
    expect(await db.select().from(partners)).toHaveLength(1);
    expect(await db.select().from(partnerStaff)).toHaveLength(1);
    expect(await jobsOf("notify.admins")).toHaveLength(1);
  });

  it.each([
    ["a one-character name", { name: "Я" }, "name"],
    ["a name of 101 characters", { name: "x".repeat(101) }, "name"],
    ["a blank address", { address: "   " }, "address"],
    ["a phone that is not a phone", { phone: "звоните в офис" }, "phone"],
    ["a phone that is too short", { phone: "12345" }, "phone"],
  ])("%s is VALIDATION naming the field, and nothing is written", async (_label, over, field) => {
    const before = await rowCounts(db);
    await expect(submitApplication(db, application(newTelegramId(), over))).rejects.toMatchObject({ code: "VALIDATION", details: { field } });
    expect(await rowCounts(db)).toEqual(before);
  });
});

describe("moderateApplication", () => {
  it("approve: the partner is approved, the applicant is told (notify.partner application-approved), the admin's action is audited", async () => {
    const applicant = newTelegramId();
    const applied = await submitApplication(db, application(applicant));
    const approved = await moderateApplication(db, { adminTelegramId: adminId, partnerId: applied.id, verdict: { decision: "approve" } }, fixedClock(t0));
    expect(approved).toMatchObject({ id: applied.id, status: "approved", moderatedBy: adminId, moderatedAt: t0, moderationReason: null });
    expect(await jobsOf("notify.partner")).toMatchObject([{ runAt: t0, payload: { partnerId: applied.id, message: "application-approved", params: {} } }]);
    expect(await auditsFor("partner.approve")).toMatchObject([{ actorType: "admin", actorTelegramId: adminId, targetType: "partner", targetId: applied.id }]);
    expect(await staffMemberships(db, applicant)).toEqual([{ partnerId: applied.id, partnerName: "Салон Лилия", partnerStatus: "approved", role: "owner" }]);

    // Now its owner can accrue.
    const c = await makeClient(db);
    const r = await accrue(db, { partnerId: applied.id, staffTelegramId: applicant, clientId: c.clientId, amountKopecks: 100_000, receiptNumber: "1" });
    expect(r.points).toBe(50);
  });

  it("reject needs a reason of at least 3 characters; with one, the applicant is told why and it is audited", async () => {
    const applied = await submitApplication(db, application(newTelegramId()));
    const before = await rowCounts(db);
    for (const reason of ["", "  ", "no"]) {
      await expect(moderateApplication(db, { adminTelegramId: adminId, partnerId: applied.id, verdict: { decision: "reject", reason } })).rejects.toMatchObject({ code: "VALIDATION" });
    }
    expect(await rowCounts(db)).toEqual(before);
    expect((await findPartner(db, { id: applied.id }))?.status).toBe("pending");

    const rejected = await moderateApplication(db, { adminTelegramId: adminId, partnerId: applied.id, verdict: { decision: "reject", reason: " Адрес не найден " } }, fixedClock(t0));
    expect(rejected).toMatchObject({ status: "rejected", moderationReason: "Адрес не найден", moderatedBy: adminId, moderatedAt: t0 });
    expect(await jobsOf("notify.partner")).toMatchObject([{ payload: { partnerId: applied.id, message: "application-rejected", params: { reason: "Адрес не найден" } } }]);
    expect(await auditsFor("partner.reject")).toMatchObject([{ actorTelegramId: adminId, targetId: applied.id, details: { reason: "Адрес не найден" } }]);
  });

  it("moderating a decided application again is ALREADY_MODERATED and changes nothing", async () => {
    const a = await submitApplication(db, application(newTelegramId()));
    const b = await submitApplication(db, application(newTelegramId(), { name: "Барбершоп" }));
    await moderateApplication(db, { adminTelegramId: adminId, partnerId: a.id, verdict: { decision: "approve" } });
    await moderateApplication(db, { adminTelegramId: adminId, partnerId: b.id, verdict: { decision: "reject", reason: "дубликат" } });
    const before = await rowCounts(db);
    await expect(moderateApplication(db, { adminTelegramId: adminId, partnerId: a.id, verdict: { decision: "approve" } })).rejects.toMatchObject({ code: "ALREADY_MODERATED" });
    await expect(moderateApplication(db, { adminTelegramId: adminId, partnerId: a.id, verdict: { decision: "reject", reason: "передумали" } })).rejects.toMatchObject({ code: "ALREADY_MODERATED" });
    await expect(moderateApplication(db, { adminTelegramId: adminId, partnerId: b.id, verdict: { decision: "approve" } })).rejects.toMatchObject({ code: "ALREADY_MODERATED" });
    await expect(moderateApplication(db, { adminTelegramId: adminId, partnerId: 987_654, verdict: { decision: "approve" } })).rejects.toMatchObject({ code: "PARTNER_NOT_FOUND" });
    expect(await rowCounts(db)).toEqual(before);
    expect((await findPartner(db, { id: a.id }))?.status).toBe("approved");
    expect((await findPartner(db, { id: b.id }))?.status).toBe("rejected");
  });
});

describe("only an approved partner works", () => {
  it("the owner of a pending and of a rejected partner cannot accrue or ask for a redemption: PARTNER_NOT_ACTIVE, nothing written", async () => {
    await setSettings(db, { welcomeBonus: 0 });
    const c = await makeClient(db, 100);
    const pendingOwner = newTelegramId();
    const pending = await submitApplication(db, application(pendingOwner));
    const rejectedOwner = newTelegramId();
    const rejected = await submitApplication(db, application(rejectedOwner, { name: "Отклонённый" }));
    await moderateApplication(db, { adminTelegramId: adminId, partnerId: rejected.id, verdict: { decision: "reject", reason: "не подходит" } });

    const before = await rowCounts(db);
    for (const [partnerId, staffTelegramId, status] of [
      [pending.id, pendingOwner, "pending"],
      [rejected.id, rejectedOwner, "rejected"],
    ] as const) {
      await expect(accrue(db, { partnerId, staffTelegramId, clientId: c.clientId, amountKopecks: 100_000, receiptNumber: "1" })).rejects.toMatchObject({ code: "PARTNER_NOT_ACTIVE", details: { status } });
      await expect(requestRedemption(db, { partnerId, staffTelegramId, clientId: c.clientId, checkKopecks: 100_000, points: 10, idempotencyKey: `r-${partnerId}` })).rejects.toMatchObject({ code: "PARTNER_NOT_ACTIVE" });
    }
    expect(await rowCounts(db)).toEqual(before);
  });

  it("setPartnerBlocked: a blocked partner cannot accrue; unblocking restores it; both are audited with the reason", async () => {
    await setSettings(db, { welcomeBonus: 0 });
    const p = await makePartner(db);
    const c = await makeClient(db);
    const staff = { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId };

    expect(await setPartnerBlocked(db, { adminTelegramId: adminId, partnerId: p.partnerId, blocked: true, reason: "жалобы клиентов" })).toEqual({ status: "blocked" });
    expect((await findPartner(db, { id: p.partnerId }))?.status).toBe("blocked");
    expect(await auditsFor("partner.block")).toMatchObject([{ actorTelegramId: adminId, targetId: p.partnerId, details: { reason: "жалобы клиентов" } }]);
    // Blocking twice is harmless.
    expect(await setPartnerBlocked(db, { adminTelegramId: adminId, partnerId: p.partnerId, blocked: true, reason: "ещё раз" })).toEqual({ status: "blocked" });

    const before = await rowCounts(db);
    await expect(accrue(db, { ...staff, clientId: c.clientId, amountKopecks: 100_000, receiptNumber: "1" })).rejects.toMatchObject({ code: "PARTNER_NOT_ACTIVE", details: { status: "blocked" } });
    expect(await rowCounts(db)).toEqual(before);

    await setPartnerBlocked(db, { adminTelegramId: adminId, partnerId: p.partnerId, blocked: false, reason: "разобрались" });
    expect(await auditsFor("partner.unblock")).toHaveLength(1);
    expect(await accrue(db, { ...staff, clientId: c.clientId, amountKopecks: 100_000, receiptNumber: "1" })).toMatchObject({ points: 50, replayed: false });
  });

  it("setPartnerBlocked refuses a pending partner, a missing reason and an unknown partner without writing", async () => {
    const pending = await submitApplication(db, application(newTelegramId()));
    const before = await rowCounts(db);
    await expect(setPartnerBlocked(db, { adminTelegramId: adminId, partnerId: pending.id, blocked: true, reason: "спам" })).rejects.toMatchObject({ code: "PARTNER_NOT_ACTIVE" });
    await expect(setPartnerBlocked(db, { adminTelegramId: adminId, partnerId: pending.id, blocked: false, reason: "спам" })).rejects.toMatchObject({ code: "PARTNER_NOT_ACTIVE" });
    await expect(setPartnerBlocked(db, { adminTelegramId: adminId, partnerId: pending.id, blocked: true, reason: "x" })).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(setPartnerBlocked(db, { adminTelegramId: adminId, partnerId: 987_654, blocked: true, reason: "спам" })).rejects.toMatchObject({ code: "PARTNER_NOT_FOUND" });
    expect(await rowCounts(db)).toEqual(before);
    expect((await findPartner(db, { id: pending.id }))?.status).toBe("pending");
  });
});

describe("updatePartnerSettings", () => {
  it("only the owner may change settings: a cashier or a stranger is FORBIDDEN and nothing changes", async () => {
    const p = await makePartner(db);
    const cashier = newTelegramId();
    await addStaff(db, { partnerId: p.partnerId, ownerTelegramId: p.staffTelegramId, telegramId: cashier });
    const before = await rowCounts(db);
    for (const staffTelegramId of [cashier, newTelegramId()]) {
      await expect(updatePartnerSettings(db, { partnerId: p.partnerId, staffTelegramId, patch: { ratesBp: { bronze: 5_000 } } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    expect(await rowCounts(db)).toEqual(before);
    expect((await findPartner(db, { id: p.partnerId }))?.settings).toEqual({});
  });

  it("the partner's own rate then decides the accrual's points, at this partner only; a later patch keeps earlier keys", async () => {
    await setSettings(db, { welcomeBonus: 0 });
    const p = await makePartner(db);
    const other = await makePartner(db, "Другое кафе");
    const c = await makeClient(db);
    const staff = { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId };

    expect(await accrue(db, { ...staff, clientId: c.clientId, amountKopecks: 100_000, receiptNumber: "before" })).toMatchObject({ rateBp: 500, points: 50 });
    const settings = await updatePartnerSettings(db, { ...staff, patch: { ratesBp: { bronze: 1_200 } } });
    expect(settings).toEqual({ ratesBp: { bronze: 1_200 } });
    expect(await auditsFor("partner.settings")).toMatchObject([{ actorTelegramId: p.staffTelegramId, targetId: p.partnerId, details: { ratesBp: { bronze: 1_200 } } }]);

    expect(await accrue(db, { ...staff, clientId: c.clientId, amountKopecks: 100_000, receiptNumber: "after" })).toMatchObject({ tier: "bronze", rateBp: 1_200, points: 120 });
    expect(await accrue(db, { partnerId: other.partnerId, staffTelegramId: other.staffTelegramId, clientId: c.clientId, amountKopecks: 100_000, receiptNumber: "after" })).toMatchObject({ rateBp: 500, points: 50 });

    const merged = await updatePartnerSettings(db, { ...staff, patch: { welcomeBonus: 10 } });
    expect(merged).toEqual({ ratesBp: { bronze: 1_200 }, welcomeBonus: 10 });
    expect((await findPartner(db, { id: p.partnerId }))?.settings).toEqual({ ratesBp: { bronze: 1_200 }, welcomeBonus: 10 });
    expect(await accrue(db, { ...staff, clientId: c.clientId, amountKopecks: 10_000, receiptNumber: "later" })).toMatchObject({ rateBp: 1_200, points: 12 });
  });

  it("maxRedeemPercent changes the redeem cap", async () => {
    await setSettings(db, { welcomeBonus: 0 });
    const p = await makePartner(db);
    const c = await makeClient(db, 1_000);
    const staff = { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, checkKopecks: 100_000 };

    // Network default: 30 % of 1,000 ₽ = 300 points.
    await expect(requestRedemption(db, { ...staff, points: 301, idempotencyKey: "a" })).rejects.toMatchObject({ code: "REDEEM_CAP_EXCEEDED", details: { cap: 300, percent: 30 } });
    await updatePartnerSettings(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, patch: { maxRedeemPercent: 50 } });
    expect(await requestRedemption(db, { ...staff, points: 500, idempotencyKey: "b" })).toMatchObject({ points: 500, status: "pending" });
    await expect(requestRedemption(db, { ...staff, points: 501, idempotencyKey: "c" })).rejects.toMatchObject({ code: "REDEEM_CAP_EXCEEDED", details: { cap: 500, percent: 50 } });

    await updatePartnerSettings(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, patch: { maxRedeemPercent: 10 } });
    await expect(requestRedemption(db, { ...staff, points: 101, idempotencyKey: "d" })).rejects.toMatchObject({ code: "REDEEM_CAP_EXCEEDED", details: { cap: 100 } });
  });

  it("a rate above 50 %, a negative bonus or an unknown key is VALIDATION and nothing is written", async () => {
    const p = await makePartner(db);
    const before = await rowCounts(db);
    const bad = [{ ratesBp: { bronze: 5_001 } }, { welcomeBonus: -1 }, { maxRedeemPercent: 101 }, { cashbackPercent: 10 }];
    for (const patch of bad) {
      await expect(updatePartnerSettings(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, patch: patch as never })).rejects.toMatchObject({ code: "VALIDATION" });
    }
    expect(await rowCounts(db)).toEqual(before);
    expect((await findPartner(db, { id: p.partnerId }))?.settings).toEqual({});
  });
});

describe("staff", () => {
  it("the owner adds a cashier who can then accrue; removed, the cashier gets FORBIDDEN; the list and the audit follow", async () => {
    await setSettings(db, { welcomeBonus: 0 });
    const p = await makePartner(db);
    const c = await makeClient(db);
    const cashier = newTelegramId();
    const owner = p.staffTelegramId;

    const added = await addStaff(db, { partnerId: p.partnerId, ownerTelegramId: owner, telegramId: cashier }, fixedClock(t0));
    expect(added).toMatchObject({ partnerId: p.partnerId, telegramId: cashier, role: "cashier", addedBy: owner, createdAt: t0, removedAt: null });
    // Adding again (the invite link opened twice) returns the same row.
    expect((await addStaff(db, { partnerId: p.partnerId, ownerTelegramId: owner, telegramId: cashier })).id).toBe(added.id);
    expect((await listStaff(db, p.partnerId)).map((s) => [s.telegramId, s.role])).toEqual([
      [owner, "owner"],
      [cashier, "cashier"],
    ]);
    expect(await auditsFor("staff.add")).toHaveLength(1);

    expect(await accrue(db, { partnerId: p.partnerId, staffTelegramId: cashier, clientId: c.clientId, amountKopecks: 100_000, receiptNumber: "1" })).toMatchObject({ points: 50 });

    await removeStaff(db, { partnerId: p.partnerId, ownerTelegramId: owner, telegramId: cashier }, fixedClock(addHours(t0, 1)));
    expect((await listStaff(db, p.partnerId)).map((s) => s.telegramId)).toEqual([owner]);
    expect(await auditsFor("staff.remove")).toMatchObject([{ actorTelegramId: owner, targetId: p.partnerId, details: { telegramId: cashier } }]);
    const [row] = await db.select().from(partnerStaff).where(eq(partnerStaff.id, added.id));
    expect(row?.removedAt).toEqual(addHours(t0, 1));

    const before = await rowCounts(db);
    await expect(accrue(db, { partnerId: p.partnerId, staffTelegramId: cashier, clientId: c.clientId, amountKopecks: 100_000, receiptNumber: "2" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(removeStaff(db, { partnerId: p.partnerId, ownerTelegramId: owner, telegramId: cashier })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await rowCounts(db)).toEqual(before);

    // Invited again later, they are staff again (a new row; the old one keeps its removal).
    const back = await addStaff(db, { partnerId: p.partnerId, ownerTelegramId: owner, telegramId: cashier });
    expect(back.id).not.toBe(added.id);
    expect(await accrue(db, { partnerId: p.partnerId, staffTelegramId: cashier, clientId: c.clientId, amountKopecks: 100_000, receiptNumber: "2" })).toMatchObject({ points: 50 });
  });

  it("the owner cannot remove themself, and a cashier cannot add or remove staff", async () => {
    const p = await makePartner(db);
    const cashier = newTelegramId();
    const other = newTelegramId();
    await addStaff(db, { partnerId: p.partnerId, ownerTelegramId: p.staffTelegramId, telegramId: cashier });
    await addStaff(db, { partnerId: p.partnerId, ownerTelegramId: p.staffTelegramId, telegramId: other });
    const before = await rowCounts(db);

    await expect(removeStaff(db, { partnerId: p.partnerId, ownerTelegramId: p.staffTelegramId, telegramId: p.staffTelegramId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(addStaff(db, { partnerId: p.partnerId, ownerTelegramId: cashier, telegramId: newTelegramId() })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(removeStaff(db, { partnerId: p.partnerId, ownerTelegramId: cashier, telegramId: other })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await rowCounts(db)).toEqual(before);
    // Nor can the owner of another partner.
    const stranger = await makePartner(db, "Чужой");
    const afterStranger = await rowCounts(db);
    await expect(removeStaff(db, { partnerId: p.partnerId, ownerTelegramId: stranger.staffTelegramId, telegramId: cashier })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(addStaff(db, { partnerId: p.partnerId, ownerTelegramId: stranger.staffTelegramId, telegramId: newTelegramId() })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await rowCounts(db)).toEqual(afterStranger);

    expect((await listStaff(db, p.partnerId)).map((s) => [s.telegramId, s.role])).toEqual([
      [p.staffTelegramId, "owner"],
      [cashier, "cashier"],
      [other, "cashier"],
    ]);
  });

  it("staffMemberships: the partners a person works for, owners first, without removed memberships", async () => {
    const person = newTelegramId();
    const own = await submitApplication(db, application(person, { name: "Моя кофейня" }));
    await moderateApplication(db, { adminTelegramId: adminId, partnerId: own.id, verdict: { decision: "approve" } });
    const employer = await makePartner(db, "Чужая пекарня");
    await addStaff(db, { partnerId: employer.partnerId, ownerTelegramId: employer.staffTelegramId, telegramId: person });
    const former = await makePartner(db, "Бывшая работа");
    await addStaff(db, { partnerId: former.partnerId, ownerTelegramId: former.staffTelegramId, telegramId: person });
    await removeStaff(db, { partnerId: former.partnerId, ownerTelegramId: former.staffTelegramId, telegramId: person });
    await setPartnerBlocked(db, { adminTelegramId: adminId, partnerId: employer.partnerId, blocked: true, reason: "проверка" });

    expect(await staffMemberships(db, person)).toEqual([
      { partnerId: own.id, partnerName: "Моя кофейня", partnerStatus: "approved", role: "owner" },
      { partnerId: employer.partnerId, partnerName: "Чужая пекарня", partnerStatus: "blocked", role: "cashier" },
    ]);
    expect(await staffMemberships(db, newTelegramId())).toEqual([]);

    // A pending application already shows (so the partner bot can say "waiting for review").
    const applicant = newTelegramId();
    const pending = await submitApplication(db, application(applicant));
    expect(await staffMemberships(db, applicant)).toEqual([{ partnerId: pending.id, partnerName: "Салон Лилия", partnerStatus: "pending", role: "owner" }]);
  });
});
