import type { Translate } from "./i18n.js";
import { promotionDates } from "./promotion-dates.js";

/** Where the client bot's own file id of a promotion's picture is kept once the worker has uploaded it. */
export const promotionPhotoKey = (promotionId: number) => `promotion-photo:client:${promotionId}`;

/** A promotion as clients read it: partner and title, first and last day, text (cut to fit `maxLength`). */
export function promotionCard(
  t: Translate,
  p: { partnerName: string; title: string; body: string; startsAt: Date; endsAt: Date },
  maxLength: number,
): string {
  const vars = { partner: p.partnerName, title: p.title, ...promotionDates(t("date-locale"), p.startsAt, p.endsAt) };
  const head = t("promotion-card", { ...vars, body: "" });
  const room = maxLength - head.length;
  const body = p.body.length <= room ? p.body : `${p.body.slice(0, Math.max(0, room - 1))}…`;
  return t("promotion-card", { ...vars, body });
}
