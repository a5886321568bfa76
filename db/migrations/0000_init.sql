CREATE TYPE "public"."client_status" AS ENUM('active', 'blocked', 'deleted', 'merged');--> statement-breakpoint
CREATE TYPE "public"."language" AS ENUM('ru', 'en');--> statement-breakpoint
CREATE TYPE "public"."moderation_status" AS ENUM('pending', 'approved', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."partner_status" AS ENUM('pending', 'approved', 'rejected', 'blocked');--> statement-breakpoint
CREATE TYPE "public"."staff_role" AS ENUM('owner', 'cashier');--> statement-breakpoint
CREATE TYPE "public"."actor_type" AS ENUM('client', 'staff', 'admin', 'system');--> statement-breakpoint
CREATE TYPE "public"."ledger_kind" AS ENUM('accrual', 'redemption', 'welcome_bonus', 'referral_bonus', 'reversal', 'adjustment', 'expiry', 'forfeiture', 'merge');--> statement-breakpoint
CREATE TYPE "public"."redemption_status" AS ENUM('pending', 'confirmed', 'declined', 'expired', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."tier" AS ENUM('bronze', 'silver', 'gold', 'platinum');--> statement-breakpoint
CREATE TYPE "public"."job_status" AS ENUM('pending', 'running', 'done', 'dead');--> statement-breakpoint
CREATE TABLE "balances" (
	"client_id" bigint PRIMARY KEY NOT NULL,
	"points" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "balances_points_non_negative" CHECK ("balances"."points" >= 0)
);
--> statement-breakpoint
CREATE TABLE "clients" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "clients_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"telegram_id" bigint,
	"phone" text,
	"first_name" text,
	"username" text,
	"language" "language" DEFAULT 'ru' NOT NULL,
	"referral_code" text NOT NULL,
	"source_partner_id" bigint,
	"status" "client_status" DEFAULT 'active' NOT NULL,
	"merged_into_client_id" bigint,
	"unreachable_since" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "clients_phone_e164" CHECK ("clients"."phone" IS NULL OR "clients"."phone" ~ '^\+[1-9][0-9]{7,14}$')
);
--> statement-breakpoint
CREATE TABLE "referrals" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "referrals_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"referrer_client_id" bigint NOT NULL,
	"invitee_client_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"rewarded_at" timestamp with time zone,
	CONSTRAINT "referrals_no_self" CHECK ("referrals"."referrer_client_id" <> "referrals"."invitee_client_id")
);
--> statement-breakpoint
CREATE TABLE "partner_staff" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "partner_staff_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"partner_id" bigint NOT NULL,
	"telegram_id" bigint NOT NULL,
	"role" "staff_role" NOT NULL,
	"added_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "partners" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "partners_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"category" text NOT NULL,
	"address" text NOT NULL,
	"contact_name" text NOT NULL,
	"phone" text NOT NULL,
	"code" text NOT NULL,
	"status" "partner_status" DEFAULT 'pending' NOT NULL,
	"moderation_reason" text,
	"moderated_by" bigint,
	"moderated_at" timestamp with time zone,
	"applicant_telegram_id" bigint NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "promotions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "promotions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"partner_id" bigint NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"image_file_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "promotions_period_order" CHECK ("promotions"."starts_at" <= "promotions"."ends_at")
);
--> statement-breakpoint
CREATE TABLE "services" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "services_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"partner_id" bigint NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	"price_kopecks" bigint NOT NULL,
	"status" "moderation_status" DEFAULT 'pending' NOT NULL,
	"moderation_reason" text,
	"moderated_by" bigint,
	"moderated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "services_price_non_negative" CHECK ("services"."price_kopecks" >= 0)
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ledger_entries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"client_id" bigint NOT NULL,
	"partner_id" bigint,
	"kind" "ledger_kind" NOT NULL,
	"points" bigint NOT NULL,
	"balance_after" bigint NOT NULL,
	"idempotency_key" text NOT NULL,
	"purchase_id" bigint,
	"redemption_request_id" bigint,
	"reverses_entry_id" bigint,
	"shortfall" bigint DEFAULT 0 NOT NULL,
	"actor_type" "actor_type" NOT NULL,
	"actor_telegram_id" bigint,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_points_nonzero" CHECK ("ledger_entries"."points" <> 0 OR ("ledger_entries"."kind" = 'reversal' AND "ledger_entries"."shortfall" > 0)),
	CONSTRAINT "ledger_balance_after_non_negative" CHECK ("ledger_entries"."balance_after" >= 0),
	CONSTRAINT "ledger_shortfall_non_negative" CHECK ("ledger_entries"."shortfall" >= 0)
);
--> statement-breakpoint
CREATE TABLE "purchases" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "purchases_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"partner_id" bigint NOT NULL,
	"client_id" bigint NOT NULL,
	"receipt_number" text NOT NULL,
	"amount_kopecks" bigint NOT NULL,
	"tier" "tier" NOT NULL,
	"rate_bp" integer NOT NULL,
	"points_accrued" bigint NOT NULL,
	"staff_telegram_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cancelled_at" timestamp with time zone,
	CONSTRAINT "purchases_amount_positive" CHECK ("purchases"."amount_kopecks" > 0),
	CONSTRAINT "purchases_points_non_negative" CHECK ("purchases"."points_accrued" >= 0)
);
--> statement-breakpoint
CREATE TABLE "redemption_requests" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "redemption_requests_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"partner_id" bigint NOT NULL,
	"client_id" bigint NOT NULL,
	"check_kopecks" bigint NOT NULL,
	"points" bigint NOT NULL,
	"code" text NOT NULL,
	"status" "redemption_status" DEFAULT 'pending' NOT NULL,
	"idempotency_key" text NOT NULL,
	"decision_key" text,
	"staff_telegram_id" bigint,
	"ledger_entry_id" bigint,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	CONSTRAINT "redemption_points_positive" CHECK ("redemption_requests"."points" > 0),
	CONSTRAINT "redemption_check_positive" CHECK ("redemption_requests"."check_kopecks" > 0)
);
--> statement-breakpoint
CREATE TABLE "nps_ratings" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "nps_ratings_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"purchase_id" bigint NOT NULL,
	"client_id" bigint NOT NULL,
	"partner_id" bigint NOT NULL,
	"score" integer NOT NULL,
	"comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "nps_score_range" CHECK ("nps_ratings"."score" BETWEEN 0 AND 10)
);
--> statement-breakpoint
CREATE TABLE "admins" (
	"telegram_id" bigint PRIMARY KEY NOT NULL,
	"granted_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"actor_type" "actor_type" NOT NULL,
	"actor_telegram_id" bigint,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" bigint,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "jobs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"dedupe_key" text,
	"status" "job_status" DEFAULT 'pending' NOT NULL,
	"run_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "network_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "balances" ADD CONSTRAINT "balances_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clients" ADD CONSTRAINT "clients_source_partner_id_partners_id_fk" FOREIGN KEY ("source_partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_referrer_client_id_clients_id_fk" FOREIGN KEY ("referrer_client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_invitee_client_id_clients_id_fk" FOREIGN KEY ("invitee_client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_staff" ADD CONSTRAINT "partner_staff_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promotions" ADD CONSTRAINT "promotions_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "services" ADD CONSTRAINT "services_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_purchase_id_purchases_id_fk" FOREIGN KEY ("purchase_id") REFERENCES "public"."purchases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "purchases" ADD CONSTRAINT "purchases_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "purchases" ADD CONSTRAINT "purchases_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redemption_requests" ADD CONSTRAINT "redemption_requests_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redemption_requests" ADD CONSTRAINT "redemption_requests_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nps_ratings" ADD CONSTRAINT "nps_ratings_purchase_id_purchases_id_fk" FOREIGN KEY ("purchase_id") REFERENCES "public"."purchases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nps_ratings" ADD CONSTRAINT "nps_ratings_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nps_ratings" ADD CONSTRAINT "nps_ratings_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "clients_telegram_id_key" ON "clients" USING btree ("telegram_id");--> statement-breakpoint
CREATE UNIQUE INDEX "clients_phone_key" ON "clients" USING btree ("phone");--> statement-breakpoint
CREATE UNIQUE INDEX "clients_referral_code_key" ON "clients" USING btree ("referral_code");--> statement-breakpoint
CREATE INDEX "clients_source_partner_idx" ON "clients" USING btree ("source_partner_id");--> statement-breakpoint
CREATE UNIQUE INDEX "referrals_invitee_key" ON "referrals" USING btree ("invitee_client_id");--> statement-breakpoint
CREATE INDEX "referrals_referrer_idx" ON "referrals" USING btree ("referrer_client_id");--> statement-breakpoint
CREATE UNIQUE INDEX "partner_staff_active_key" ON "partner_staff" USING btree ("partner_id","telegram_id") WHERE "partner_staff"."removed_at" IS NULL;--> statement-breakpoint
CREATE INDEX "partner_staff_telegram_idx" ON "partner_staff" USING btree ("telegram_id");--> statement-breakpoint
CREATE UNIQUE INDEX "partners_code_key" ON "partners" USING btree ("code");--> statement-breakpoint
CREATE INDEX "partners_status_idx" ON "partners" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "partners_one_pending_per_applicant" ON "partners" USING btree ("applicant_telegram_id") WHERE "partners"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "promotions_partner_idx" ON "promotions" USING btree ("partner_id");--> statement-breakpoint
CREATE INDEX "promotions_period_idx" ON "promotions" USING btree ("ends_at","starts_at");--> statement-breakpoint
CREATE INDEX "services_partner_idx" ON "services" USING btree ("partner_id","created_at");--> statement-breakpoint
CREATE INDEX "services_status_idx" ON "services" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_idempotency_key" ON "ledger_entries" USING btree ("idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_reverses_entry_key" ON "ledger_entries" USING btree ("reverses_entry_id");--> statement-breakpoint
CREATE INDEX "ledger_client_time_idx" ON "ledger_entries" USING btree ("client_id","created_at");--> statement-breakpoint
CREATE INDEX "ledger_partner_time_idx" ON "ledger_entries" USING btree ("partner_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "purchases_partner_receipt_key" ON "purchases" USING btree ("partner_id","receipt_number");--> statement-breakpoint
CREATE INDEX "purchases_partner_time_idx" ON "purchases" USING btree ("partner_id","created_at");--> statement-breakpoint
CREATE INDEX "purchases_client_time_idx" ON "purchases" USING btree ("client_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "redemption_idempotency_key" ON "redemption_requests" USING btree ("idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "redemption_pending_code_key" ON "redemption_requests" USING btree ("code") WHERE "redemption_requests"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "redemption_code_idx" ON "redemption_requests" USING btree ("code");--> statement-breakpoint
CREATE INDEX "redemption_client_idx" ON "redemption_requests" USING btree ("client_id","created_at");--> statement-breakpoint
CREATE INDEX "redemption_pending_expiry_idx" ON "redemption_requests" USING btree ("expires_at") WHERE "redemption_requests"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "nps_purchase_key" ON "nps_ratings" USING btree ("purchase_id");--> statement-breakpoint
CREATE INDEX "nps_partner_time_idx" ON "nps_ratings" USING btree ("partner_id","created_at");--> statement-breakpoint
CREATE INDEX "audit_time_idx" ON "audit_log" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "audit_target_idx" ON "audit_log" USING btree ("target_type","target_id");--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_dedupe_key" ON "jobs" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "jobs_due_idx" ON "jobs" USING btree ("run_at") WHERE "jobs"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "jobs_status_idx" ON "jobs" USING btree ("status");