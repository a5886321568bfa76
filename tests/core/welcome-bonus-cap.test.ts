import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ledgerEntries, partners } from "../../db/schema/index.js";
import { updatePartnerSettings } from "../../core/partners/service.js";
import { defaultNetworkSettings } from "../../core/settings/service.js";
import { rowCounts, useTestDb } from "../helpers/db.js";
import { makeClient, makePartner, setSettings } from "../helpers/fixtures.js";

const db = useTestDb();

const welcomePaid = async (clientId: number) =>
  (await db.select({ points: ledgerEntries.points }).from(ledgerEntries).where(and(eq(ledgerEntries.clientId, clientId), eq(ledgerEntries.kind, "welcome_bonus")))).map((r) => r.points);

describe("the network caps a partner's welcome bonus (maxWelcomeBonus)", () => {
  it("is 300 by default", () => {
    expect(defaultNetworkSettings.maxWelcomeBonus).toBe(300);
  });

  it("the owner cannot set more than the cap (WELCOME_BONUS_TOO_LARGE with the cap, nothing written); up to it is fine", async () => {
    const p = await makePartner(db);
    const owner = { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId };
    const before = await rowCounts(db);
    await expect(updatePartnerSettings(db, { ...owner, patch: { welcomeBonus: 10_000 } })).rejects.toMatchObject({ code: "WELCOME_BONUS_TOO_LARGE", details: { max: 300 } });
    await expect(updatePartnerSettings(db, { ...owner, patch: { welcomeBonus: 301 } })).rejects.toMatchObject({ code: "WELCOME_BONUS_TOO_LARGE" });
    expect(await rowCounts(db)).toEqual(before);
    expect((await db.select().from(partners).where(eq(partners.id, p.partnerId)))[0]!.settings).toEqual({});
    await updatePartnerSettings(db, { ...owner, patch: { welcomeBonus: 300 } });
    const c = await makeClient(db, 0, { startPayload: `p_${p.partner.code}` });
    expect(await welcomePaid(c.clientId)).toEqual([300]);
  });

  it("a cap lowered later applies when the bonus is paid; the network's own bonus (no partner) is unchanged", async () => {
    const p = await makePartner(db);
    await updatePartnerSettings(db, { partnerId: p.partnerId, staffTelegramId: p.staffTelegramId, patch: { welcomeBonus: 250 } });
    await setSettings(db, { maxWelcomeBonus: 50 });
    const viaPartner = await makeClient(db, 0, { startPayload: `p_${p.partner.code}` });
    expect(await welcomePaid(viaPartner.clientId)).toEqual([50]);
    const direct = await makeClient(db);
    expect(await welcomePaid(direct.clientId)).toEqual([100]);
    // A bonus stored before the cap existed (written straight into the row, as old data would be) is capped too.
    await db.update(partners).set({ settings: { welcomeBonus: 10_000 } }).where(eq(partners.id, p.partnerId));
    const farmed = await makeClient(db, 0, { startPayload: `p_${p.partner.code}` });
    expect(await welcomePaid(farmed.clientId)).toEqual([50]);
  });
});
