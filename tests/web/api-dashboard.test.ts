import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { ZodType } from "zod";
import * as api from "../../web/api.js";
import { addStaff, setPartnerBlocked, submitApplication } from "../../core/partners/service.js";
import { submitService } from "../../core/catalog/service.js";
import { createPromotion } from "../../core/promotions/service.js";
import { attachPhone } from "../../core/clients/service.js";
import { enqueue } from "../../core/jobs/outbox.js";
import { accrue } from "../../core/ledger/service.js";
import { createLoginLink, signOutEverywhere, tokenHash } from "../../core/web-auth/service.js";
import { auditLog, dashboardLoginLinks, jobs, ledgerEntries } from "../../db/schema/index.js";
import { rowCounts } from "../helpers/db.js";
import { adminId, makeClient, makePartner, newTelegramId, setSettings } from "../helpers/fixtures.js";
import { adminIdentity, call, errorOf, ownerIdentity, sessionCookieOf, signIn, useWebApp } from "./api-helpers.js";

const ctx = useWebApp();
const { app, db, clock } = ctx;

type World = Awaited<ReturnType<typeof makeWorld>>;

/** Two partners with a client each (joined by the partner's link, one check there), a pending application and service, a dead job. */
async function makeWorld() {
  await setSettings(db, { welcomeBonus: 0 });
  const a = await makePartner(db, "Кофейня А");
  const b = await makePartner(db, "Пекарня Б");
  const clientA = await makeClient(db, 0, { startPayload: `p_${a.partner.code}` });
  const clientB = await makeClient(db, 0, { startPayload: `p_${b.partner.code}` });
  const accrualA = await accrue(db, { partnerId: a.partnerId, staffTelegramId: a.staffTelegramId, clientId: clientA.clientId, amountKopecks: 200_000, receiptNumber: "A-1" });
  await accrue(db, { partnerId: b.partnerId, staffTelegramId: b.staffTelegramId, clientId: clientB.clientId, amountKopecks: 300_000, receiptNumber: "B-1" });
  const applicant = await submitApplication(db, { telegramId: newTelegramId(), name: "Цветы", category: "flowers", address: "Арбат, 5", contactName: "Ольга", phone: "+79990002233" });
  const service = await submitService(db, { partnerId: a.partnerId, staffTelegramId: a.staffTelegramId, name: "Капучино с собой", description: "В стакане", priceKopecks: 25_000 });
  const now = clock.now();
  await createPromotion(db, { partnerId: a.partnerId, staffTelegramId: a.staffTelegramId, title: "Вторая чашка", body: "Бесплатно", startsAt: now, endsAt: new Date(now.getTime() + 86_400_000) });
  await createPromotion(db, { partnerId: b.partnerId, staffTelegramId: b.staffTelegramId, title: "Хлеб дня", body: "−10%", startsAt: now, endsAt: new Date(now.getTime() + 86_400_000) });
  await enqueue(db, "notify.admins", { message: "test", params: {} }, { runAt: now });
  const [dead] = await db.update(jobs).set({ status: "dead", lastError: "Bot API said no" }).returning({ id: jobs.id });
  return { a, b, clientA, clientB, accrualA, applicant, service, deadJobId: dead!.id };
}

type Route = {
  /** As registered: "GET /api/dashboard/clients/:id". */
  route: string;
  /** A concrete request that an admin's session may make successfully. */
  path: (w: World) => string;
  body?: (w: World) => unknown;
  adminOnly: boolean;
  /** The admin's expected status and the schema the answer must hold. */
  ok: number;
  schema?: ZodType;
  csv?: boolean;
};

/** Every dashboard route. A route added to the server but not here fails the first test. */
const routes: Route[] = [
  { route: "GET /api/dashboard/me", path: () => "/api/dashboard/me", adminOnly: false, ok: 200, schema: api.meResponse },
  { route: "GET /api/dashboard/overview", path: () => "/api/dashboard/overview", adminOnly: false, ok: 200, schema: api.overviewResponse },
  { route: "GET /api/dashboard/settlement", path: () => "/api/dashboard/settlement", adminOnly: true, ok: 200, schema: api.settlementResponse },
  { route: "GET /api/dashboard/settlement.csv", path: () => "/api/dashboard/settlement.csv", adminOnly: true, ok: 200, csv: true },
  { route: "GET /api/dashboard/export/:file", path: () => "/api/dashboard/export/ledger.csv", adminOnly: false, ok: 200, csv: true },
  { route: "GET /api/dashboard/partners", path: () => "/api/dashboard/partners?status=pending", adminOnly: true, ok: 200, schema: api.partnersResponse },
  { route: "POST /api/dashboard/partners/:id/moderate", path: (w) => `/api/dashboard/partners/${w.applicant.id}/moderate`, body: () => ({ decision: "approve" }), adminOnly: true, ok: 200, schema: api.moderationResponse },
  { route: "POST /api/dashboard/partners/:id/block", path: (w) => `/api/dashboard/partners/${w.b.partnerId}/block`, body: () => ({ blocked: true, reason: "unpaid settlement" }), adminOnly: true, ok: 200, schema: api.blockResponse },
  { route: "GET /api/dashboard/services", path: () => "/api/dashboard/services", adminOnly: false, ok: 200, schema: api.servicesResponse },
  { route: "POST /api/dashboard/services/:id/moderate", path: (w) => `/api/dashboard/services/${w.service.id}/moderate`, body: () => ({ decision: "reject", reason: "no photo" }), adminOnly: true, ok: 200, schema: api.moderationResponse },
  { route: "GET /api/dashboard/promotions", path: () => "/api/dashboard/promotions", adminOnly: false, ok: 200, schema: api.promotionsResponse },
  { route: "GET /api/dashboard/broadcasts", path: () => "/api/dashboard/broadcasts", adminOnly: false, ok: 200, schema: api.broadcastsResponse },
  { route: "GET /api/dashboard/clients", path: () => "/api/dashboard/clients", adminOnly: false, ok: 200, schema: api.clientsResponse },
  { route: "GET /api/dashboard/clients/:id", path: (w) => `/api/dashboard/clients/${w.clientA.clientId}`, adminOnly: false, ok: 200, schema: api.clientCardResponse },
  { route: "POST /api/dashboard/clients/:id/adjust", path: (w) => `/api/dashboard/clients/${w.clientA.clientId}/adjust`, body: () => ({ points: 50, reason: "goodwill", idempotencyKey: "adjust-0001" }), adminOnly: true, ok: 200, schema: api.adjustResponse },
  { route: "POST /api/dashboard/ledger/:id/undo", path: (w) => `/api/dashboard/ledger/${w.accrualA.ledgerEntryId}/undo`, body: () => ({ reason: "wrong receipt" }), adminOnly: true, ok: 200, schema: api.undoResponse },
  { route: "GET /api/dashboard/jobs", path: () => "/api/dashboard/jobs?status=dead", adminOnly: true, ok: 200, schema: api.jobsResponse },
  { route: "POST /api/dashboard/jobs/:id/retry", path: (w) => `/api/dashboard/jobs/${w.deadJobId}/retry`, adminOnly: true, ok: 200, schema: api.retryResponse },
  { route: "GET /api/dashboard/audit", path: () => "/api/dashboard/audit", adminOnly: true, ok: 200, schema: api.auditResponse },
  { route: "GET /api/dashboard/settings", path: () => "/api/dashboard/settings", adminOnly: true, ok: 200, schema: api.settingsResponse },
  { route: "PUT /api/dashboard/settings/:key", path: () => "/api/dashboard/settings/referralBonus", body: () => ({ value: 250 }), adminOnly: true, ok: 200, schema: api.settingRow },
  { route: "POST /api/dashboard/sign-out", path: () => "/api/dashboard/sign-out", adminOnly: false, ok: 204 },
];
const unsafe = (r: Route) => !r.route.startsWith("GET ");
const methodOf = (r: Route) => r.route.split(" ")[0]!;

let w: World;
beforeEach(async () => {
  w = await makeWorld();
});

describe("dashboard API: every route", () => {
  it("the table above lists every registered dashboard route", () => {
    const registered = new Set(app.routes.filter((r) => r.path.startsWith("/api/dashboard/") && r.method !== "ALL").map((r) => `${r.method} ${r.path}`));
    expect([...registered].sort()).toEqual([...routes.map((r) => r.route), "POST /api/dashboard/sign-in"].sort());
  });

  it("without a session (no cookie, or a made-up one) every route is 401", async () => {
    for (const r of routes) {
      for (const cookie of [undefined, "cb_session=made-up-token-0123456789"]) {
        const res = await call(app, methodOf(r), r.path(w), { cookie, body: r.body?.(w), csrf: "x" });
        expect(res.status, r.route).toBe(401);
        expect((await errorOf(res)).code).toBe("UNAUTHORIZED");
      }
    }
  });

  it("an admin gets every route, and every answer holds its schema", async () => {
    const admin = await signIn(ctx, adminIdentity);
    for (const r of routes) {
      const res = await call(app, methodOf(r), r.path(w), { ...admin, body: r.body?.(w) });
      expect(res.status, `${r.route}: ${res.status === r.ok ? "" : await res.clone().text()}`).toBe(r.ok);
      expect(res.headers.get("cache-control"), r.route).toBe("no-store");
      if (r.schema) r.schema.parse(await res.json());
      if (r.csv) expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    }
  });

  it("a partner's owner is refused every admin-only route (403), even with a valid CSRF token, and nothing changes", async () => {
    const owner = await signIn(ctx, ownerIdentity(w.a));
    const before = await rowCounts(db);
    for (const r of routes.filter((r) => r.adminOnly)) {
      const res = await call(app, methodOf(r), r.path(w), { ...owner, body: r.body?.(w) });
      expect(res.status, r.route).toBe(403);
      expect((await errorOf(res)).code).toBe("FORBIDDEN");
    }
    expect(await rowCounts(db)).toEqual(before);
    for (const r of routes.filter((r) => !r.adminOnly && r.route !== "GET /api/dashboard/clients/:id")) {
      const res = await call(app, methodOf(r), r.path(w), { ...owner, body: r.body?.(w) });
      expect(res.status, r.route).toBe(r.ok);
    }
  });

  it("every change without the CSRF token, with a wrong one, or from another site's page is 403 CSRF, and nothing changes", async () => {
    const admin = await signIn(ctx, adminIdentity);
    const before = await rowCounts(db);
    for (const r of routes.filter(unsafe)) {
      const variants = [
        { cookie: admin.cookie },
        { cookie: admin.cookie, csrf: `${admin.csrf.slice(0, -1)}x` },
        { ...admin, headers: { origin: "https://evil.example" } },
      ];
      for (const v of variants) {
        const res = await call(app, methodOf(r), r.path(w), { ...v, body: r.body?.(w) });
        expect(res.status, r.route).toBe(403);
        expect((await errorOf(res)).code).toBe("CSRF");
      }
    }
    expect(await rowCounts(db)).toEqual(before);
    // The page's own origin is fine.
    const res = await call(app, "POST", `/api/dashboard/jobs/${w.deadJobId}/retry`, { ...admin, headers: { origin: "http://localhost" } });
    expect(res.status).toBe(200);
  });

  it("bad input is a 400 naming the field, and nothing changes", async () => {
    const admin = await signIn(ctx, adminIdentity);
    const adjust = `/api/dashboard/clients/${w.clientA.clientId}/adjust`;
    const cases: [string, string, unknown, string][] = [
      ["POST", adjust, { points: 0, reason: "goodwill", idempotencyKey: "adjust-0002" }, "points"],
      ["POST", adjust, { points: 1.5, reason: "goodwill", idempotencyKey: "adjust-0002" }, "points"],
      ["POST", adjust, { points: 10, idempotencyKey: "adjust-0002" }, "reason"],
      ["POST", adjust, { points: 10, reason: "goodwill", idempotencyKey: "k" }, "idempotencyKey"],
      ["POST", adjust, { points: 10, reason: "goodwill", idempotencyKey: "adjust-0002", clientId: 5 }, "clientId"],
      ["POST", adjust, "{not json", "body"],
      ["POST", "/api/dashboard/clients/abc/adjust", { points: 10, reason: "goodwill", idempotencyKey: "adjust-0002" }, "id"],
      ["POST", `/api/dashboard/ledger/${w.accrualA.ledgerEntryId}/undo`, { reason: "x" }, "reason"],
      ["POST", `/api/dashboard/partners/${w.applicant.id}/moderate`, { decision: "maybe" }, "decision"],
      ["POST", `/api/dashboard/partners/${w.applicant.id}/moderate`, { decision: "reject" }, "reason"],
      ["POST", `/api/dashboard/services/${w.service.id}/moderate`, { decision: "reject", reason: "" }, "reason"],
      ["POST", `/api/dashboard/partners/${w.b.partnerId}/block`, { blocked: "yes", reason: "unpaid" }, "blocked"],
      ["PUT", "/api/dashboard/settings/referralBonus", { value: 2.5 }, "value"],
      ["PUT", "/api/dashboard/settings/referralBonus", { value: -1 }, "referralBonus"],
      ["PUT", "/api/dashboard/settings/tierThresholds.silver", { value: 99_999 }, "tierThresholds"],
      ["GET", "/api/dashboard/clients?category=gold", undefined, "category"],
      ["GET", "/api/dashboard/clients?segment=whales", undefined, "segment"],
      ["GET", "/api/dashboard/clients?page=0", undefined, "page"],
      ["GET", "/api/dashboard/clients/0", undefined, "id"],
      ["GET", "/api/dashboard/overview?from=2026-02-30", undefined, "from"],
      ["GET", "/api/dashboard/overview?from=2026-11-20&to=2026-11-01", undefined, "from"],
      ["GET", "/api/dashboard/overview?to=tomorrow", undefined, "to"],
      ["GET", "/api/dashboard/overview?from=2024-01-01&to=2026-01-01", undefined, "from"],
      ["GET", "/api/dashboard/settlement?to=2026-13-01", undefined, "to"],
      ["GET", "/api/dashboard/export/ledger.csv?from=01.11.2026", undefined, "from"],
      ["GET", "/api/dashboard/export/secrets.csv", undefined, "what"],
      ["GET", "/api/dashboard/partners?status=sleeping", undefined, "status"],
      ["GET", "/api/dashboard/services?status=blocked", undefined, "status"],
      ["GET", "/api/dashboard/jobs?status=done", undefined, "status"],
      ["GET", "/api/dashboard/audit?before=-1", undefined, "before"],
      ["POST", "/api/dashboard/sign-in", { token: "short" }, "token"],
    ];
    const before = await rowCounts(db);
    for (const [method, path, body, field] of cases) {
      const res = await call(app, method, path, { ...admin, body });
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      const error = await errorOf(res);
      expect(error.code, path).toBe("VALIDATION");
      expect(error.field, `${method} ${path} ${JSON.stringify(body)}`).toBe(field);
    }
    expect(await rowCounts(db)).toEqual(before);
  });

  it("a body over 16 KB is refused before it is read (413)", async () => {
    const res = await call(app, "POST", "/api/dashboard/sign-in", { body: { token: "x".repeat(20_000) } });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("TOO_LARGE");
  });

  it("unknown ids are 404 and a domain rule is 409 with its code", async () => {
    const admin = await signIn(ctx, adminIdentity);
    expect((await call(app, "GET", "/api/dashboard/clients/999999", admin)).status).toBe(404);
    expect((await call(app, "POST", "/api/dashboard/partners/999999/moderate", { ...admin, body: { decision: "approve" } })).status).toBe(404);
    expect((await call(app, "PUT", "/api/dashboard/settings/tierWindowDays", { ...admin, body: { value: 10 } })).status).toBe(404);
    expect((await call(app, "GET", "/api/dashboard/nothing-here", admin)).status).toBe(404);
    const approved = await call(app, "POST", `/api/dashboard/partners/${w.a.partnerId}/moderate`, { ...admin, body: { decision: "approve" } });
    expect(approved.status).toBe(409);
    expect((await errorOf(approved)).code).toBe("ALREADY_MODERATED");
    const notDead = await call(app, "POST", `/api/dashboard/jobs/${w.deadJobId}/retry`, admin);
    expect(notDead.status).toBe(200);
    const again = await call(app, "POST", `/api/dashboard/jobs/${w.deadJobId}/retry`, admin);
    expect(again.status).toBe(409);
    expect((await errorOf(again)).code).toBe("JOB_NOT_DEAD");
  });
});

describe("dashboard API: signing in", () => {
  it("a link works once: the second use is 401 LINK_INVALID; the cookie is HttpOnly, SameSite=Lax, Path=/", async () => {
    const { token } = await createLoginLink(db, { identity: adminIdentity, adminIds: [adminId] }, clock);
    const first = await call(app, "POST", "/api/dashboard/sign-in", { body: { token } });
    expect(first.status).toBe(200);
    const me = api.meResponse.parse(await first.json());
    expect(me).toMatchObject({ telegramId: adminId, role: "admin", partner: null, language: "ru" });
    const setCookie = first.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/^cb_session=[\w-]{40,};/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/);
    const second = await call(app, "POST", "/api/dashboard/sign-in", { body: { token } });
    expect(second.status).toBe(401);
    expect((await errorOf(second)).code).toBe("LINK_INVALID");
    expect(second.headers.get("set-cookie")).toBeNull();
    // The session works; GET /me answers the same CSRF token.
    const again = await call(app, "GET", "/api/dashboard/me", { cookie: sessionCookieOf(first) });
    expect(api.meResponse.parse(await again.json()).csrfToken).toBe(me.csrfToken);
  });

  it("signing in again in a browser that has a session ends that session (audited), so one browser holds one", async () => {
    const firstLink = await createLoginLink(db, { identity: adminIdentity, adminIds: [adminId] }, clock);
    const first = await call(app, "POST", "/api/dashboard/sign-in", { body: { token: firstLink.token } });
    const oldCookie = sessionCookieOf(first);
    const secondLink = await createLoginLink(db, { identity: ownerIdentity(w.a), adminIds: [adminId] }, clock);
    const second = await call(app, "POST", "/api/dashboard/sign-in", { body: { token: secondLink.token }, cookie: oldCookie });
    expect(api.meResponse.parse(await second.json()).role).toBe("partner");
    expect((await call(app, "GET", "/api/dashboard/me", { cookie: oldCookie })).status).toBe(401);
    const signOuts = await db.select().from(auditLog).where(eq(auditLog.action, "dashboard.sign-out"));
    expect(signOuts.map((a) => a.actorTelegramId)).toEqual([adminId]);
  });

  it("outside localhost the cookie is Secure", async () => {
    const { token } = await createLoginLink(db, { identity: adminIdentity, adminIds: [adminId] }, clock);
    const res = await call(app, "POST", "/api/dashboard/sign-in", { body: { token }, base: "https://card.example.com" });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toMatch(/; Secure/);
  });

  it("an expired link is 401 (ten minutes)", async () => {
    const { token } = await createLoginLink(db, { identity: ownerIdentity(w.a), adminIds: [adminId] }, clock);
    clock.advanceSeconds(10 * 60 + 1);
    const res = await call(app, "POST", "/api/dashboard/sign-in", { body: { token } });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("LINK_INVALID");
  });

  it("a cashier cannot get a session: no link is made, and a link row for them signs no one in", async () => {
    const cashierId = newTelegramId();
    await addStaff(db, { partnerId: w.a.partnerId, ownerTelegramId: w.a.staffTelegramId, telegramId: cashierId });
    const cashier = { telegramId: cashierId, role: "partner" as const, partnerId: w.a.partnerId };
    await expect(createLoginLink(db, { identity: cashier, adminIds: [adminId] }, clock)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const token = "cashier-link-token-0123456789abcdef";
    await db.insert(dashboardLoginLinks).values({ tokenHash: tokenHash(token), telegramId: cashierId, role: "partner", partnerId: w.a.partnerId, createdAt: clock.now(), expiresAt: new Date(clock.now().getTime() + 600_000) });
    const res = await call(app, "POST", "/api/dashboard/sign-in", { body: { token } });
    expect(res.status).toBe(401);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("a session ends after 24 hours, on sign-out, and on 'log out everywhere' from the bot", async () => {
    const admin = await signIn(ctx, adminIdentity);
    const other = await signIn(ctx, adminIdentity);
    expect((await call(app, "GET", "/api/dashboard/me", admin)).status).toBe(200);
    const out = await call(app, "POST", "/api/dashboard/sign-out", admin);
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/cb_session=;.*Max-Age=0/);
    expect((await call(app, "GET", "/api/dashboard/me", admin)).status).toBe(401);
    expect((await call(app, "GET", "/api/dashboard/me", other)).status).toBe(200);

    expect(await signOutEverywhere(db, { telegramId: adminId, actorType: "admin" }, clock)).toBe(1);
    expect((await call(app, "GET", "/api/dashboard/me", other)).status).toBe(401);

    const later = await signIn(ctx, adminIdentity);
    clock.advanceSeconds(24 * 3600 + 1);
    expect((await call(app, "GET", "/api/dashboard/me", later)).status).toBe(401);
  });

  it("a partner blocked after its owner signed in is refused at once (403)", async () => {
    const owner = await signIn(ctx, ownerIdentity(w.b));
    expect((await call(app, "GET", "/api/dashboard/overview", owner)).status).toBe(200);
    await setPartnerBlocked(db, { adminTelegramId: adminId, partnerId: w.b.partnerId, blocked: true, reason: "unpaid settlement" });
    const res = await call(app, "GET", "/api/dashboard/overview", owner);
    expect(res.status).toBe(403);
  });
});

describe("dashboard API: a partner sees only its own", () => {
  it("partner A cannot open partner B's client (403), sees its own with the phone masked", async () => {
    const owner = await signIn(ctx, ownerIdentity(w.a));
    const theirs = await call(app, "GET", `/api/dashboard/clients/${w.clientB.clientId}`, owner);
    expect(theirs.status).toBe(403);
    expect((await errorOf(theirs)).code).toBe("FORBIDDEN");
    const list = api.clientsResponse.parse(await (await call(app, "GET", "/api/dashboard/clients", owner)).json());
    expect(list.items.map((c) => c.id)).toEqual([w.clientA.clientId]);
    const card = api.clientCardResponse.parse(await (await call(app, "GET", `/api/dashboard/clients/${w.clientA.clientId}`, owner)).json());
    expect(card.purchases.map((p) => p.partnerName)).toEqual(["Кофейня А"]);
    expect(card.ledger.every((e) => !e.undoable)).toBe(true);
  });

  it("phones: whole for an admin, masked for a partner", async () => {
    await attachPhone(db, { clientId: w.clientA.clientId, phone: "+79161234504" });
    const admin = await signIn(ctx, adminIdentity);
    const owner = await signIn(ctx, ownerIdentity(w.a));
    const phoneSeenBy = async (who: { cookie: string }) => api.clientCardResponse.parse(await (await call(app, "GET", `/api/dashboard/clients/${w.clientA.clientId}`, who)).json()).client.phone;
    expect(await phoneSeenBy(admin)).toBe("+79161234504");
    expect(await phoneSeenBy(owner)).toBe("+7916***-**-04");
    const listed = api.clientsResponse.parse(await (await call(app, "GET", "/api/dashboard/clients", owner)).json());
    expect(listed.items[0]!.phone).toBe("+7916***-**-04");
  });

  it("promotions, services and the ledger export hold only the partner's rows", async () => {
    const owner = await signIn(ctx, ownerIdentity(w.a));
    const promotions = api.promotionsResponse.parse(await (await call(app, "GET", "/api/dashboard/promotions", owner)).json());
    expect(promotions.items.map((p) => p.title)).toEqual(["Вторая чашка"]);
    const services = api.servicesResponse.parse(await (await call(app, "GET", "/api/dashboard/services", owner)).json());
    expect(services.items.map((s) => s.partnerId)).toEqual([w.a.partnerId]);
    const csv = await (await call(app, "GET", "/api/dashboard/export/ledger.csv", owner)).text();
    const rows = csv.replace(/^\uFEFF/, "").trim().split("\r\n");
    expect(rows.length).toBe(2); // the header and A's accrual
    expect(rows[1]).toContain("Кофейня А");
  });
});

describe("dashboard API: changes are the bot's changes", () => {
  it("approving an application queues the partner bot's message and audits the admin", async () => {
    const admin = await signIn(ctx, adminIdentity);
    const res = await call(app, "POST", `/api/dashboard/partners/${w.applicant.id}/moderate`, { ...admin, body: { decision: "approve" } });
    expect(api.moderationResponse.parse(await res.json())).toEqual({ id: w.applicant.id, status: "approved", moderationReason: null });
    const queued = await db.select().from(jobs).where(eq(jobs.kind, "notify.partner"));
    expect(queued.map((j) => j.payload)).toContainEqual(expect.objectContaining({ partnerId: w.applicant.id, message: "application-approved" }));
    const [audited] = await db.select().from(auditLog).where(and(eq(auditLog.action, "partner.approve"), eq(auditLog.targetId, w.applicant.id)));
    expect(audited!.actorTelegramId).toBe(adminId);
  });

  it("an adjustment submitted twice is one adjustment; an undo reverses the accrual", async () => {
    const admin = await signIn(ctx, adminIdentity);
    const body = { points: 40, reason: "goodwill", idempotencyKey: "adjust-twice-01" };
    const first = api.adjustResponse.parse(await (await call(app, "POST", `/api/dashboard/clients/${w.clientA.clientId}/adjust`, { ...admin, body })).json());
    const second = api.adjustResponse.parse(await (await call(app, "POST", `/api/dashboard/clients/${w.clientA.clientId}/adjust`, { ...admin, body })).json());
    expect(second).toEqual({ ...first, replayed: true });
    expect(first.replayed).toBe(false);
    const undo = api.undoResponse.parse(await (await call(app, "POST", `/api/dashboard/ledger/${w.accrualA.ledgerEntryId}/undo`, { ...admin, body: { reason: "wrong receipt" } })).json());
    expect(undo.points).toBe(-w.accrualA.points);
    expect(undo.balanceAfter).toBe(first.balanceAfter - w.accrualA.points);
    const [reversal] = await db.select().from(ledgerEntries).where(eq(ledgerEntries.id, undo.reversalId));
    expect(reversal!.actorTelegramId).toBe(adminId);
  });
});
