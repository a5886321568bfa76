import { describe, expect, it } from "vitest";
import { addDays, fixedClock } from "../../core/clock.js";
import { maxPromotionDays, parsePromotionPeriod } from "../../core/promotions/period.js";
import { createPromotion, currentPromotions } from "../../core/promotions/service.js";
import { rowCounts, useTestDb } from "../helpers/db.js";
import { makePartner } from "../helpers/fixtures.js";

// 24 November 2026, 13:00 in Moscow.
const now = new Date("2026-11-24T10:00:00Z");
const december = { startsAt: new Date("2026-11-30T21:00:00Z"), endsAt: new Date("2026-12-31T20:59:59.999Z") };
const todayMidnight = new Date("2026-11-23T21:00:00Z");

describe("parsePromotionPeriod: dates as partners type them", () => {
  it.each([
    ["01.12.2026–31.12.2026"],
    ["01.12–31.12"],
    ["1.12 - 31.12"],
    ["1/12/26 - 31/12/26"],
    ["2026-12-01 2026-12-31"],
    ["с 01.12 по 31.12"],
    ["01.12.2026—31.12.2026"],
    ["01.12..31.12"],
    ["01.12 — 31.12.2026"],
  ])("%s is the whole of December 2026 (Moscow days)", (text) => {
    expect(parsePromotionPeriod(text, now)).toEqual({ ok: true, value: december });
  });

  it("one date: from today until the end of that day", () => {
    expect(parsePromotionPeriod("31.12", now)).toEqual({ ok: true, value: { startsAt: todayMidnight, endsAt: december.endsAt } });
    expect(parsePromotionPeriod("24.11", now)).toEqual({ ok: true, value: { startsAt: todayMidnight, endsAt: new Date("2026-11-24T20:59:59.999Z") } });
  });

  it("a range over New Year, and a date long past this year, mean next year", () => {
    expect(parsePromotionPeriod("15.12–15.01", now)).toEqual({ ok: true, value: { startsAt: new Date("2026-12-14T21:00:00Z"), endsAt: new Date("2027-01-15T20:59:59.999Z") } });
    expect(parsePromotionPeriod("10.01–20.01", now)).toEqual({ ok: true, value: { startsAt: new Date("2027-01-09T21:00:00Z"), endsAt: new Date("2027-01-20T20:59:59.999Z") } });
  });

  it.each([
    ["завтра", "invalid"],
    ["", "invalid"],
    ["31.02.2027", "invalid"],
    ["32.12", "invalid"],
    ["01.13–05.13", "invalid"],
    ["01.12, 05.12, 10.12", "invalid"],
    ["01.12.2026 + 31.12.2026", "invalid"],
    ["1500", "invalid"],
    ["31.12.2026–01.12.2026", "order"],
    ["20.11–30.11", "past"],
    ["20.11.2026", "past"],
    ["01.11.2026–10.11.2026", "past"],
    ["01.12.2026–02.12.2027", "too-long"],
    ["01.12.2027–05.12.2027", "too-far"],
  ])("%s is refused: %s", (text, reason) => {
    expect(parsePromotionPeriod(text, now)).toEqual({ ok: false, reason });
  });

  it(`at most ${maxPromotionDays} days: a full year from the 1st to the 1st is accepted`, () => {
    expect(parsePromotionPeriod("01.12.2026–01.12.2027", now).ok).toBe(true);
  });
});

describe("createPromotion keeps the period's rules whoever calls it", () => {
  const db = useTestDb();
  const create = (partner: { partnerId: number; staffTelegramId: number }, startsAt: Date, endsAt: Date, imageFileId: string | null = null) =>
    createPromotion(db, { ...partner, title: "Скидка", body: "Десять процентов", startsAt, endsAt, imageFileId }, fixedClock(now));

  it.each([
    ["longer than a year", todayMidnight, addDays(todayMidnight, maxPromotionDays + 1), "endsAt"],
    ["starting more than a year ahead", addDays(todayMidnight, 400), addDays(todayMidnight, 401), "startsAt"],
    ["starting yesterday", addDays(todayMidnight, -1), addDays(todayMidnight, 3), "startsAt"],
  ])("%s is VALIDATION and writes nothing", async (_label, startsAt, endsAt, field) => {
    const p = await makePartner(db);
    const before = await rowCounts(db);
    await expect(create(p, startsAt, endsAt)).rejects.toMatchObject({ code: "VALIDATION", details: { field } });
    expect(await rowCounts(db)).toEqual(before);
  });

  it("the same idempotency key again (a replayed conversation step) returns the first promotion and writes nothing", async () => {
    const p = await makePartner(db);
    const input = { ...p, title: "Скидка", body: "Десять процентов", ...december, idempotencyKey: "newpromo:1:2:3" };
    const first = await createPromotion(db, input, fixedClock(now));
    const before = await rowCounts(db);
    expect(await createPromotion(db, input, fixedClock(now))).toEqual(first);
    expect(await rowCounts(db)).toEqual(before);
    // Another key is another promotion.
    expect((await createPromotion(db, { ...input, idempotencyKey: "newpromo:1:2:4" }, fixedClock(now))).id).not.toBe(first.id);
  });

  it("clients see a promotion from its first day to its last, with its dates and picture; not before, not after", async () => {
    const p = await makePartner(db, "Книжный");
    await create(p, december.startsAt, december.endsAt, "partner-file-id");
    const at = (iso: string) => currentPromotions(db, fixedClock(iso));
    expect(await at("2026-11-30T20:59:59Z")).toEqual([]);
    expect(await at("2026-11-30T21:00:00Z")).toMatchObject([{ title: "Скидка", partnerName: "Книжный", ...december, imageFileId: "partner-file-id" }]);
    expect(await at("2026-12-31T20:59:59Z")).toHaveLength(1);
    expect(await at("2026-12-31T21:00:00Z")).toEqual([]);
  });
});
