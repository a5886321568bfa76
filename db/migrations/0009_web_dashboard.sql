CREATE TYPE "public"."dashboard_role" AS ENUM('admin', 'partner');--> statement-breakpoint
CREATE TABLE "dashboard_login_links" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"telegram_id" bigint NOT NULL,
	"role" "dashboard_role" NOT NULL,
	"partner_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "dashboard_sessions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "dashboard_sessions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"token_hash" text NOT NULL,
	"telegram_id" bigint NOT NULL,
	"role" "dashboard_role" NOT NULL,
	"partner_id" bigint,
	"csrf_token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "dashboard_sessions_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
ALTER TABLE "dashboard_login_links" ADD CONSTRAINT "dashboard_login_links_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dashboard_sessions" ADD CONSTRAINT "dashboard_sessions_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dashboard_login_links_expiry_idx" ON "dashboard_login_links" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "dashboard_sessions_person_idx" ON "dashboard_sessions" USING btree ("telegram_id") WHERE "dashboard_sessions"."revoked_at" IS NULL;--> statement-breakpoint
CREATE INDEX "clients_created_idx" ON "clients" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "ledger_time_idx" ON "ledger_entries" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "purchases_time_idx" ON "purchases" USING btree ("created_at");