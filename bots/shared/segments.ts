import type { SegmentCounts } from "../../core/analytics/nightly.js";
import { customerCategories, rfmSegments } from "../../core/analytics/segments.js";
import type { BaseContext } from "./context.js";

/** Segment and category counts as a message, in the reader's language. */
export function segmentCountsText(t: BaseContext["t"], counts: SegmentCounts): string {
  if (counts.computedOn === null) return t("segments-none");
  const lines = [t("segments-title", { date: counts.computedOn }), ""];
  for (const c of customerCategories) lines.push(`${t(`customers-${c}`)}: ${counts.categories[c] ?? 0}`);
  lines.push("");
  for (const s of rfmSegments) lines.push(`${t(`segment-${s.replaceAll("_", "-")}`)}: ${counts.segments[s] ?? 0}`);
  return lines.join("\n");
}
