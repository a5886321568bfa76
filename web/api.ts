import { z } from "zod";

/**
 * The web server's HTTP API, shared by the server (which validates every input and output with these schemas) and
 * the two pages (which import only the types, so zod is not in their bundles). Money is in kopecks, points are whole
 * points, times are ISO strings, days are Moscow calendar dates (YYYY-MM-DD).
 *
 * Every error is `{ error: { code, message, field? } }` with status 400 (bad input; `field` names it), 401 (not
 * signed in / initData missing, invalid or expired), 403 (not yours or not allowed), 404, 409 (a domain rule, `code`
 * is the DomainError code) or 429.
 */

export const apiError = z.object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) });
export type ApiError = z.infer<typeof apiError>;

const isoTime = z.string();
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");
const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const language = z.enum(["ru", "en"]);
export const tier = z.enum(["bronze", "silver", "gold", "platinum"]);

// ───────────────────────── Client Mini App: /api/app/*, header `Authorization: tma <initData>` ─────────────────────────

/** GET /api/app/card */
export const cardResponse = z.object({
  firstName: z.string().nullable(),
  language,
  balance: z.number().int(),
  tier,
  /** Points earned in the tier window (what the tier is computed from). */
  earned: z.number().int(),
  nextTier: tier.nullable(),
  pointsToNext: z.number().int().nullable(),
  /** Earned points needed for each tier, for the progress bar. */
  thresholds: z.object({ silver: z.number().int(), gold: z.number().int(), platinum: z.number().int() }),
  /** The cashback rate (basis points) at the client's tier by network default. */
  rateBp: z.number().int(),
  referral: z.object({
    /** https://t.me/<client bot>?start=r_<code> */
    link: z.string(),
    code: z.string(),
    /** Friends who joined through the link… */
    joined: z.number().int(),
    /** …and those whose first purchase brought the bonus. */
    rewarded: z.number().int(),
    bonusPoints: z.number().int(),
  }),
});
export type CardResponse = z.infer<typeof cardResponse>;

/** POST /api/app/code (no body): a fresh one-time code for the till. The page asks again before `expiresAt`. */
export const tillCodeResponse = z.object({ code: z.string().regex(/^\d{6}$/), expiresAt: isoTime, ttlSeconds: z.number().int() });
export type TillCodeResponse = z.infer<typeof tillCodeResponse>;

/** GET /api/app/history?before=<entry id>&limit=<1..50, default 20> — newest first. */
export const historyQuery = z.object({ before: id.optional(), limit: z.coerce.number().int().min(1).max(50).default(20) });
/** One ledger row as the client's history and a client's card show it. */
const ledgerRow = z.object({
  id: z.number().int(),
  /** ledger kind: accrual, redemption, welcome_bonus, referral_bonus, reversal, adjustment, expiry, forfeiture, merge */
  kind: z.string(),
  points: z.number().int(),
  balanceAfter: z.number().int(),
  partnerName: z.string().nullable(),
  createdAt: isoTime,
});

export const historyResponse = z.object({
  items: z.array(ledgerRow),
  /** Pass as `before` for the next page; null when there is no more. */
  nextBefore: z.number().int().nullable(),
});
export type HistoryResponse = z.infer<typeof historyResponse>;

/** GET /api/app/network — what runs now across the network, with where to go. */
export const networkResponse = z.object({
  promotions: z.array(
    z.object({ id: z.number().int(), title: z.string(), body: z.string(), partnerName: z.string(), partnerAddress: z.string(), startsAt: isoTime, endsAt: isoTime }),
  ),
  services: z.array(
    z.object({ id: z.number().int(), name: z.string(), description: z.string(), priceKopecks: z.number().int(), partnerName: z.string(), partnerAddress: z.string() }),
  ),
});
export type NetworkResponse = z.infer<typeof networkResponse>;

/** PUT /api/app/language — the same setting as /language in the bots. */
export const languageBody = z.strictObject({ language });
export const languageResponse = z.object({ language });

// ───────────────────────── Dashboard: /api/dashboard/*, cookie session; changes need header `X-CSRF-Token` ─────────────────────────

/** POST /api/dashboard/sign-in — the token from the bot's one-time link (the page posts it; prefetchers never run it). */
export const signInBody = z.strictObject({ token: z.string().min(20).max(200) });

/** GET /api/dashboard/me (also the answer to sign-in). */
export const meResponse = z.object({
  telegramId: z.number().int(),
  role: z.enum(["admin", "partner"]),
  partner: z.object({ id: z.number().int(), name: z.string() }).nullable(),
  /** Send as X-CSRF-Token with every POST, PUT and DELETE. */
  csrfToken: z.string(),
  language,
  expiresAt: isoTime,
});
export type MeResponse = z.infer<typeof meResponse>;
/** POST /api/dashboard/sign-out → 204 */

/** A period: [from, to] inclusive Moscow days; at most 366 days. Default: the last 30 days up to today. */
export const periodQuery = z.object({ from: day.optional(), to: day.optional() });

/** What the overview counts, for a day or for the whole period. */
const overviewFigures = z.object({
  turnoverKopecks: z.number().int(),
  checks: z.number().int(),
  pointsIssued: z.number().int(),
  pointsRedeemed: z.number().int(),
  /** Points outstanding (held by clients) at the end of the day, or of the period: the liability. */
  liability: z.number().int(),
  newClients: z.number().int(),
  nps: z.number().nullable(),
});

/** GET /api/dashboard/overview?from&to — the network (admin) or the partner's own (partner). */
export const overviewResponse = z.object({
  from: day,
  to: day,
  totals: overviewFigures.extend({ npsResponses: z.number().int() }),
  /** One row per day of the period, zeros included. */
  days: z.array(overviewFigures.extend({ day })),
});
export type OverviewResponse = z.infer<typeof overviewResponse>;

export const partnerStatus = z.enum(["pending", "approved", "rejected", "blocked"]);
/** GET /api/dashboard/partners?status= (admin) */
export const partnersQuery = z.object({ status: partnerStatus.optional() });
export const partnerRow = z.object({
  id: z.number().int(),
  name: z.string(),
  category: z.string(),
  address: z.string(),
  contactName: z.string(),
  phone: z.string(),
  status: partnerStatus,
  moderationReason: z.string().nullable(),
  createdAt: isoTime,
});
export const partnersResponse = z.object({ items: z.array(partnerRow) });
export type PartnerRow = z.infer<typeof partnerRow>;

/**
 * POST /api/dashboard/partners/:id/moderate and /api/dashboard/services/:id/moderate (admin); the bot tells the
 * partner as today. Answers moderationResponse.
 */
export const moderateBody = z.discriminatedUnion("decision", [
  z.strictObject({ decision: z.literal("approve") }),
  z.strictObject({ decision: z.literal("reject"), reason: z.string().min(3).max(500) }),
]);
/** The answer to a moderation (a partner's application or a service): its new status and the reason given. */
export const moderationResponse = z.object({ id: z.number().int(), status: partnerStatus, moderationReason: z.string().nullable() });
/** POST /api/dashboard/partners/:id/block (admin) */
export const blockBody = z.strictObject({ blocked: z.boolean(), reason: z.string().min(3).max(500) });
export const blockResponse = z.object({ id: z.number().int(), status: partnerStatus });

export const rfmSegment = z.enum(["champions", "loyal", "potential_loyalists", "new", "promising", "need_attention", "at_risk", "cannot_lose", "hibernating", "lost"]);
export const customerCategory = z.enum(["new", "regular", "vip", "inactive"]);

/** GET /api/dashboard/clients?q=&category=&segment=&page= — q matches name, phone digits or referral code. 50 a page. */
export const clientsQuery = z.object({
  q: z.string().trim().max(100).optional(),
  category: customerCategory.optional(),
  segment: rfmSegment.optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});
export const clientRow = z.object({
  id: z.number().int(),
  firstName: z.string().nullable(),
  /** Full for an admin, masked (+7916***-**-04) for a partner. */
  phone: z.string().nullable(),
  status: z.enum(["active", "blocked", "deleted", "merged"]),
  balance: z.number().int(),
  category: customerCategory.nullable(),
  segment: rfmSegment.nullable(),
  joinedAt: isoTime,
});
export const clientsResponse = z.object({ items: z.array(clientRow), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
export type ClientRow = z.infer<typeof clientRow>;

/** GET /api/dashboard/clients/:id — 403 for a partner when the client is not theirs (never bought there nor joined by their link). */
export const clientCardResponse = z.object({
  client: clientRow.extend({ tier, username: z.string().nullable(), language }),
  numbers: z
    .object({
      purchases: z.number().int(),
      totalKopecks: z.number().int(),
      averageCheckKopecks: z.number().int(),
      ltvKopecks: z.number().int(),
      lastPurchaseAt: isoTime.nullable(),
      category: customerCategory,
      segment: rfmSegment,
      computedOn: day,
    })
    .nullable(),
  /** At this partner for a partner; everywhere for an admin. Newest first, up to 100. */
  purchases: z.array(
    z.object({ id: z.number().int(), partnerName: z.string(), receiptNumber: z.string(), amountKopecks: z.number().int(), pointsAccrued: z.number().int(), createdAt: isoTime, cancelledAt: isoTime.nullable() }),
  ),
  /** Ledger rows (a partner sees those at it). Newest first, up to 100. `undoable` only for an admin. */
  ledger: z.array(ledgerRow.extend({ reason: z.string().nullable(), undoable: z.boolean() })),
});
export type ClientCardResponse = z.infer<typeof clientCardResponse>;

/** POST /api/dashboard/clients/:id/adjust (admin) — the key makes a double submit one adjustment. Answers adjustResponse. */
export const adjustBody = z.strictObject({
  points: z.number().int().min(-1_000_000).max(1_000_000).refine((n) => n !== 0, "must not be zero"),
  reason: z.string().min(3).max(500),
  idempotencyKey: z.string().min(8).max(100),
});
export const adjustResponse = z.object({ entryId: z.number().int(), points: z.number().int(), balanceAfter: z.number().int(), replayed: z.boolean() });
/** POST /api/dashboard/ledger/:id/undo (admin) */
export const undoBody = z.strictObject({ reason: z.string().min(3).max(500) });
/** `shortfall`: points the client had already spent, so not taken back (the balance stops at zero). */
export const undoResponse = z.object({ reversalId: z.number().int(), points: z.number().int(), balanceAfter: z.number().int(), shortfall: z.number().int(), replayed: z.boolean() });

/** GET /api/dashboard/promotions — the partner's own, or every partner's for an admin. */
export const promotionsResponse = z.object({
  items: z.array(z.object({ id: z.number().int(), partnerId: z.number().int(), partnerName: z.string(), title: z.string(), body: z.string(), startsAt: isoTime, endsAt: isoTime })),
});
/** GET /api/dashboard/services?status= */
export const servicesQuery = z.object({ status: z.enum(["pending", "approved", "rejected"]).optional() });
export const servicesResponse = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      partnerId: z.number().int(),
      partnerName: z.string(),
      name: z.string(),
      description: z.string(),
      priceKopecks: z.number().int(),
      status: z.enum(["pending", "approved", "rejected"]),
      moderationReason: z.string().nullable(),
      createdAt: isoTime,
    }),
  ),
});

/** GET /api/dashboard/broadcasts — newest first, with their reports. */
export const broadcastsResponse = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      senderKind: z.enum(["admin", "partner"]),
      partnerName: z.string().nullable(),
      text: z.string(),
      audience: z.object({ segment: z.string().optional(), category: z.string().optional() }),
      status: z.enum(["awaiting_approval", "sending", "done", "rejected", "cancelled"]),
      createdAt: isoTime,
      finishedAt: isoTime.nullable(),
      report: z.object({ total: z.number().int(), sent: z.number().int(), unreachable: z.number().int(), uncertain: z.number().int(), failed: z.number().int(), pending: z.number().int() }),
    }),
  ),
});

/** GET /api/dashboard/jobs?status=dead (admin) and POST /api/dashboard/jobs/:id/retry (admin; only a dead job). */
export const jobsQuery = z.object({ status: z.enum(["dead", "pending", "running"]).default("dead") });
export const jobRow = z.object({ id: z.number().int(), kind: z.string(), status: z.string(), attempts: z.number().int(), lastError: z.string().nullable(), runAt: isoTime, updatedAt: isoTime });
export const jobsResponse = z.object({ items: z.array(jobRow) });
/** The answer to a retry: the job, pending again. */
export const retryResponse = jobRow;

/** GET /api/dashboard/audit?before=<id> (admin) — newest first, 50 a page. */
export const auditQuery = z.object({ before: id.optional() });
export const auditResponse = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      actorType: z.string(),
      actorTelegramId: z.number().int().nullable(),
      action: z.string(),
      targetType: z.string(),
      targetId: z.number().int().nullable(),
      details: z.record(z.string(), z.unknown()),
      createdAt: isoTime,
    }),
  ),
  nextBefore: z.number().int().nullable(),
});

/** GET /api/dashboard/settings (admin): every editable setting with its unit and bounds. */
export const settingRow = z.object({ key: z.string(), value: z.number(), unit: z.enum(["points", "basisPoints", "percent", "hours", "minutes", "hourOfDay"]), min: z.number(), max: z.number() });
export const settingsResponse = z.object({ items: z.array(settingRow) });
/** PUT /api/dashboard/settings/:key (admin) — answers the setting as it now is (settingRow); an unknown key is a 404. */
export const settingBody = z.strictObject({ value: z.number().int() });

/** GET /api/dashboard/settlement?from&to (admin); the same as CSV at /api/dashboard/settlement.csv?from&to */
export const settlementResponse = z.object({
  from: day,
  to: day,
  rows: z.array(
    z.object({
      partnerId: z.number().int(),
      partnerName: z.string(),
      /** Points this partner's checks (and its welcome and referral bonuses) gave out in the period, net of undos. */
      issued: z.number().int(),
      /** Points clients paid with at this partner in the period, net of undos. */
      redeemedHere: z.number().int(),
      /** issued − redeemedHere: positive, the partner owes the network; negative, the network owes the partner. */
      net: z.number().int(),
    }),
  ),
  totals: z.object({ issued: z.number().int(), redeemedHere: z.number().int(), net: z.number().int() }),
});
export type SettlementResponse = z.infer<typeof settlementResponse>;

/** GET /api/dashboard/export/:what.csv?from&to — what: clients | ledger | purchases; streamed, UTF-8 with a BOM, `;`-free RFC 4180. */
export const exportKind = z.enum(["clients", "ledger", "purchases"]);
