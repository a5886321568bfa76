CREATE TABLE "code_attempt_failures" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "code_attempt_failures_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"partner_id" bigint NOT NULL,
	"staff_telegram_id" bigint NOT NULL,
	"redemption_request_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "client_segments" ALTER COLUMN "last_purchase_at" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "broadcast_deliveries" ALTER COLUMN "chat_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "redemption_requests" ADD COLUMN "wrong_code_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "client_segments" ADD COLUMN "ltv_kopecks" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "broadcasts" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
ALTER TABLE "code_attempt_failures" ADD CONSTRAINT "code_attempt_failures_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "code_attempt_failures" ADD CONSTRAINT "code_attempt_failures_redemption_request_id_redemption_requests_id_fk" FOREIGN KEY ("redemption_request_id") REFERENCES "public"."redemption_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "code_attempt_failures_staff_idx" ON "code_attempt_failures" USING btree ("staff_telegram_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "broadcasts_idempotency_key" ON "broadcasts" USING btree ("idempotency_key");