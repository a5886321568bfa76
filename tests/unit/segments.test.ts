import { describe, expect, it } from "vitest";
import { customerCategory, frequencyScore, monetaryScore, recencyScore, rfmSegment, rfmSegments, type Score } from "../../core/analytics/segments.js";

const scores: Score[] = [1, 2, 3, 4, 5];

describe("RFM", () => {
  it("scores follow DOMAIN.md at every boundary", () => {
    expect([0, 30, 31, 90, 91, 180, 181, 365, 366].map(recencyScore)).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1]);
    expect([0, 1, 2, 3, 4, 5, 9, 10].map(frequencyScore)).toEqual([1, 1, 2, 3, 3, 4, 4, 5]);
    expect([4_999_99, 5_000_00, 9_999_99, 10_000_00, 19_999_99, 20_000_00, 49_999_99, 50_000_00].map(monetaryScore)).toEqual([1, 2, 2, 3, 3, 4, 4, 5]);
  });

  it("every (R, F, M) falls in exactly one segment, and every segment is reachable", () => {
    const reached = new Map<string, string>();
    for (const r of scores) for (const f of scores) for (const m of scores) reached.set(rfmSegment(r, f, m), `${r}${f}${m}`);
    expect([...reached.keys()].sort()).toEqual([...rfmSegments].sort());
  });

  it.each([
    [[5, 5, 5], "champions"],
    [[3, 4, 1], "loyal"],
    [[4, 2, 1], "potential_loyalists"],
    [[5, 1, 1], "new"],
    [[4, 1, 1], "promising"],
    [[3, 1, 1], "need_attention"],
    [[2, 3, 1], "at_risk"],
    [[1, 5, 5], "cannot_lose"],
    [[2, 1, 1], "hibernating"],
    [[1, 1, 1], "lost"],
  ] as const)("%j → %s", ([r, f, m], segment) => expect(rfmSegment(r, f, m)).toBe(segment));
});

describe("customer categories", () => {
  it.each([
    [{ purchases: 2, totalKopecks: 0, daysSinceLast: 1 }, "new"],
    [{ purchases: 3, totalKopecks: 0, daysSinceLast: 1 }, "regular"],
    [{ purchases: 10, totalKopecks: 0, daysSinceLast: 1 }, "vip"],
    [{ purchases: 1, totalKopecks: 10_000_000, daysSinceLast: 1 }, "vip"],
    [{ purchases: 1, totalKopecks: 9_999_999, daysSinceLast: 179 }, "new"],
    [{ purchases: 50, totalKopecks: 99_000_000, daysSinceLast: 180 }, "inactive"],
    // No purchase yet: New, however long ago they joined.
    [{ purchases: 0, totalKopecks: 0, daysSinceLast: null }, "new"],
  ] as const)("%j → %s", (input, category) => expect(customerCategory(input)).toBe(category));
});
