/**
 * Customer categories and RFM (DOMAIN.md, "Analytics"). Pure functions: the nightly job feeds them aggregates.
 *
 * The RFM segments are a partition of (R, F): every (R, F, M) has exactly one segment, decided by the table below
 * without any rule order, and each of the ten is reachable (a test walks all 125 combinations). M only separates
 * "champions" from "loyal" and "cannot lose" from "at risk".
 *
 *          F=1              F=2                  F=3                  F=4..5
 *   R=5    new              potential loyalists  potential loyalists  champions (M≥4) / loyal
 *   R=4    promising        potential loyalists  potential loyalists  champions (M≥4) / loyal
 *   R=3    need attention   need attention       need attention       loyal
 *   R=2    hibernating      hibernating          at risk              cannot lose (M≥4) / at risk
 *   R=1    lost             lost                 at risk              cannot lose (M≥4) / at risk
 */

export const rfmSegments = [
  "champions",
  "loyal",
  "potential_loyalists",
  "new",
  "promising",
  "need_attention",
  "at_risk",
  "cannot_lose",
  "hibernating",
  "lost",
] as const;
export type RfmSegment = (typeof rfmSegments)[number];

export const customerCategories = ["new", "regular", "vip", "inactive"] as const;
export type CustomerCategory = (typeof customerCategories)[number];

export type Score = 1 | 2 | 3 | 4 | 5;

/** R by days since the last purchase: ≤30→5, ≤90→4, ≤180→3, ≤365→2, else 1. */
export const recencyScore = (days: number): Score => (days <= 30 ? 5 : days <= 90 ? 4 : days <= 180 ? 3 : days <= 365 ? 2 : 1);
/** F by purchases in 365 days: ≥10→5, ≥5→4, ≥3→3, ≥2→2, else 1. */
export const frequencyScore = (purchases: number): Score => (purchases >= 10 ? 5 : purchases >= 5 ? 4 : purchases >= 3 ? 3 : purchases >= 2 ? 2 : 1);
/** M by spend in 365 days in rubles: ≥50,000→5, ≥20,000→4, ≥10,000→3, ≥5,000→2, else 1. */
export const monetaryScore = (kopecks: number): Score => {
  const rubles = kopecks / 100;
  return rubles >= 50_000 ? 5 : rubles >= 20_000 ? 4 : rubles >= 10_000 ? 3 : rubles >= 5_000 ? 2 : 1;
};

export function rfmSegment(r: Score, f: Score, m: Score): RfmSegment {
  if (f >= 4) {
    if (r >= 4) return m >= 4 ? "champions" : "loyal";
    if (r === 3) return "loyal";
    return m >= 4 ? "cannot_lose" : "at_risk";
  }
  if (r >= 4) return f === 1 ? (r === 5 ? "new" : "promising") : "potential_loyalists";
  if (r === 3) return "need_attention";
  if (f === 3) return "at_risk";
  return r === 2 ? "hibernating" : "lost";
}

/**
 * The CRM categories: Inactive (no purchase for 180+ days) wins over the rest, then VIP (10+ purchases or
 * 100,000 ₽+ in total), Regular (3+ purchases), New (fewer than 3, none included). `daysSinceLast` is null for a
 * client with no purchase: they are New however long ago they joined (Inactive is for one who bought and stopped).
 */
export function customerCategory(input: { purchases: number; totalKopecks: number; daysSinceLast: number | null }): CustomerCategory {
  if (input.daysSinceLast !== null && input.daysSinceLast >= 180) return "inactive";
  if (input.purchases >= 10 || input.totalKopecks >= 10_000_000) return "vip";
  if (input.purchases >= 3) return "regular";
  return "new";
}
