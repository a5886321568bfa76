import { describe, expect, it } from "vitest";
import { daysOf, periodOf } from "../../core/analytics/period.js";

// 23:30 UTC on 24 Nov is already 25 Nov in Moscow (UTC+3).
const now = new Date("2026-11-24T23:30:00Z");

describe("periodOf", () => {
  it("defaults to the last 30 Moscow days up to today, as [Moscow midnight, next Moscow midnight)", () => {
    const p = periodOf({}, now);
    expect(p).toEqual({ from: "2026-10-27", to: "2026-11-25", since: new Date("2026-10-26T21:00:00Z"), until: new Date("2026-11-25T21:00:00Z") });
    expect(daysOf(p)).toHaveLength(30);
    expect(daysOf(p)[0]).toBe("2026-10-27");
    expect(daysOf(p).at(-1)).toBe("2026-11-25");
    expect(periodOf({}, now, 7).from).toBe("2026-11-19");
  });

  it("takes from and to as given (inclusive), a single day too", () => {
    const p = periodOf({ from: "2026-02-01", to: "2026-02-28" }, now);
    expect(p).toMatchObject({ from: "2026-02-01", to: "2026-02-28", since: new Date("2026-01-31T21:00:00Z"), until: new Date("2026-02-28T21:00:00Z") });
    expect(daysOf(p)).toHaveLength(28);
    expect(daysOf(periodOf({ from: "2026-11-01", to: "2026-11-01" }, now))).toEqual(["2026-11-01"]);
    // Only `to`: 30 days ending with it.
    expect(periodOf({ to: "2026-03-31" }, now).from).toBe("2026-03-02");
    // A leap year's 366 days are allowed.
    expect(daysOf(periodOf({ from: "2028-01-01", to: "2028-12-31" }, now))).toHaveLength(366);
  });

  it("refuses what is not a real date, from after to, and more than 366 days, naming the field", () => {
    const refused = (input: { from?: string; to?: string }) => {
      try {
        periodOf(input, now);
      } catch (err) {
        return err;
      }
      return null;
    };
    expect(refused({ from: "2026-02-30", to: "2026-03-01" })).toMatchObject({ code: "VALIDATION", details: { field: "from", rule: "date" } });
    expect(refused({ from: "2026-02-01", to: "2026-13-01" })).toMatchObject({ code: "VALIDATION", details: { field: "to", rule: "date" } });
    expect(refused({ to: "yesterday" })).toMatchObject({ code: "VALIDATION", details: { field: "to" } });
    expect(refused({ from: "2026-1-01", to: "2026-02-01" })).toMatchObject({ code: "VALIDATION", details: { field: "from" } });
    expect(refused({ from: "2026-03-02", to: "2026-03-01" })).toMatchObject({ code: "VALIDATION", details: { field: "from", rule: "order" } });
    expect(refused({ from: "2026-01-01", to: "2027-01-02" })).toMatchObject({ code: "VALIDATION", details: { field: "from", rule: "max-days" } });
    expect(refused({ from: "2026-01-01", to: "2027-01-01" })).toBeNull(); // 366 days
  });
});
