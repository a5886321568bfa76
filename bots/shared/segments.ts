import type { SegmentCounts } from "../../core/analytics/nightly.js";
import { customerCategories, rfmSegments } from "../../core/analytics/segments.js";
import type { BaseContext } from "./context.js";

/** Segment and category counts as a message, in the reader's language (names, date and numbers). */
export function segmentCountsText(t: BaseContext["t"], counts: SegmentCounts): string {
  if (counts.computedOn === null) return t("segments-none");
  const locale = t("intl-locale");
  const date = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${counts.computedOn}T00:00:00Z`));
  const n = (v: number | undefined) => new Intl.NumberFormat(locale).format(v ?? 0);
  const lines = [t("segments-title", { date }), ""];
  for (const c of customerCategories) lines.push(`${t(`customers-${c}`)}: ${n(counts.categories[c])}`);
  lines.push("");
  for (const s of rfmSegments) lines.push(`${t(`segment-${s.replaceAll("_", "-")}`)}: ${n(counts.segments[s])}`);
  return lines.join("\n");
}
