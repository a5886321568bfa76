import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isDomainError } from "../../core/errors.js";
import { accrue } from "../../core/ledger/service.js";
import { changeNetworkSetting, editableSettingKeys, getNetworkSettings, settingRange, settingValue, updateNetworkSettings } from "../../core/settings/service.js";
import { auditLog } from "../../db/schema/index.js";
import { rowCounts, useTestDb } from "../helpers/db.js";
import { adminId, makeClient, makePartner } from "../helpers/fixtures.js";

const db = useTestDb();
const settingsAudit = () => db.select().from(auditLog).where(eq(auditLog.action, "settings.update"));

async function refusal(p: Promise<unknown>) {
  const err = await p.then(() => null, (e: unknown) => e);
  if (!isDomainError(err, "VALIDATION")) throw new Error(`expected a VALIDATION refusal, got ${String(err)}`);
  return err.details;
}

describe("network settings an admin changes", () => {
  it("a change is audited with its old and new value and is in effect at once (the next accrual uses the new rate)", async () => {
    const p = await makePartner(db);
    const c = await makeClient(db);
    await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, amountKopecks: 100_000, receiptNumber: "before" });
    const changed = await changeNetworkSetting(db, { adminTelegramId: adminId, setting: "ratesBp.bronze", value: 750 });
    expect(changed).toMatchObject({ from: 500, to: 750, changed: true });
    expect((await getNetworkSettings(db)).ratesBp).toEqual({ bronze: 750, silver: 1_000, gold: 1_500, platinum: 2_000 });
    const after = await accrue(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, clientId: c.clientId, amountKopecks: 100_000, receiptNumber: "after" });
    expect(after.points).toBe(75);
    expect(await settingsAudit()).toMatchObject([
      { actorType: "admin", actorTelegramId: adminId, targetType: "network", details: { changes: { ratesBp: { from: { bronze: 500 }, to: { bronze: 750 } } } } },
    ]);

    await changeNetworkSetting(db, { adminTelegramId: adminId, setting: "digestHour", value: 7 });
    expect((await settingsAudit()).at(-1)?.details).toEqual({ changes: { digestHour: { from: 9, to: 7 } } });
  });

  it("the same value again (a replayed step) writes nothing and is not audited twice", async () => {
    await changeNetworkSetting(db, { adminTelegramId: adminId, setting: "referralBonus", value: 350 });
    const before = await rowCounts(db);
    expect(await changeNetworkSetting(db, { adminTelegramId: adminId, setting: "referralBonus", value: 350 })).toMatchObject({ from: 350, to: 350, changed: false });
    expect(await rowCounts(db)).toEqual(before);
    expect(await settingsAudit()).toHaveLength(1);
  });

  it("bad values are refused with the rule they break, and nothing is written", async () => {
    const before = await rowCounts(db);
    const settings = await getNetworkSettings(db);
    expect(await refusal(changeNetworkSetting(db, { adminTelegramId: adminId, setting: "digestHour", value: 24 }))).toMatchObject({ field: "digestHour", rule: "range", min: 0, max: 23 });
    expect(await refusal(changeNetworkSetting(db, { adminTelegramId: adminId, setting: "ratesBp.gold", value: 10_001 }))).toMatchObject({ field: "ratesBp.gold", rule: "range", min: 0, max: 10_000 });
    expect(await refusal(changeNetworkSetting(db, { adminTelegramId: adminId, setting: "redemptionTtlMinutes", value: 0 }))).toMatchObject({ rule: "range", min: 1 });
    // Thresholds rise: silver above gold, or a silver of 0 (everybody silver), is refused.
    expect(await refusal(changeNetworkSetting(db, { adminTelegramId: adminId, setting: "tierThresholds.silver", value: 1_500 }))).toMatchObject({ field: "tierThresholds", rule: "order" });
    expect(await refusal(changeNetworkSetting(db, { adminTelegramId: adminId, setting: "tierThresholds.silver", value: 0 }))).toMatchObject({ rule: "order" });
    expect(await refusal(changeNetworkSetting(db, { adminTelegramId: adminId, setting: "welcomeBonus", value: 1.5 }))).toMatchObject({ rule: "invalid" });
    // Only the listed settings: not the largest check, nor an unknown key.
    expect(await refusal(changeNetworkSetting(db, { adminTelegramId: adminId, setting: "maxCheckKopecks", value: 100 }))).toMatchObject({ rule: "invalid" });
    expect(await refusal(changeNetworkSetting(db, { adminTelegramId: adminId, setting: "__proto__", value: 1 }))).toMatchObject({ rule: "invalid" });
    expect(await refusal(updateNetworkSettings(db, { adminTelegramId: adminId, patch: { digestHour: -1 } }))).toMatchObject({ rule: "range" });
    expect(await rowCounts(db)).toEqual(before);
    expect(await getNetworkSettings(db)).toEqual(settings);
  });

  it("every editable setting has a range and a value; DOMAIN.md's defaults are among them", async () => {
    const settings = await getNetworkSettings(db);
    expect(editableSettingKeys).toEqual(expect.arrayContaining(["welcomeBonus", "maxWelcomeBonus", "referralBonus", "tierThresholds.silver", "ratesBp.platinum", "npsDelayMinutes", "undoWindowHours", "digestHour", "redemptionTtlMinutes"]));
    for (const key of editableSettingKeys) {
      const { min, max } = settingRange(key);
      expect(min).toBeLessThanOrEqual(settingValue(settings, key));
      expect(max).toBeGreaterThanOrEqual(settingValue(settings, key));
    }
    expect(settingRange("digestHour")).toEqual({ min: 0, max: 23 });
  });
});
