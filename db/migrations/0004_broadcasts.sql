CREATE TYPE "public"."broadcast_status" AS ENUM('awaiting_approval', 'sending', 'done', 'rejected', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."delivery_status" AS ENUM('pending', 'sending', 'sent', 'unreachable', 'uncertain', 'failed');--> statement-breakpoint
CREATE TABLE "broadcast_deliveries" (
	"broadcast_id" bigint NOT NULL,
	"client_id" bigint NOT NULL,
	"chat_id" bigint NOT NULL,
	"status" "delivery_status" DEFAULT 'pending' NOT NULL,
	"sent_at" timestamp with time zone,
	"error" text,
	CONSTRAINT "broadcast_deliveries_broadcast_id_client_id_pk" PRIMARY KEY("broadcast_id","client_id")
);
--> statement-breakpoint
CREATE TABLE "broadcasts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "broadcasts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"sender_kind" text NOT NULL,
	"partner_id" bigint,
	"sender_telegram_id" bigint NOT NULL,
	"text" text NOT NULL,
	"photo_file_id" text,
	"audience" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" "broadcast_status" NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"progress_chat_id" bigint NOT NULL,
	"progress_message_id" integer,
	"moderation_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "broadcast_deliveries" ADD CONSTRAINT "broadcast_deliveries_broadcast_id_broadcasts_id_fk" FOREIGN KEY ("broadcast_id") REFERENCES "public"."broadcasts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcast_deliveries" ADD CONSTRAINT "broadcast_deliveries_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "broadcasts" ADD CONSTRAINT "broadcasts_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "broadcast_deliveries_pending_idx" ON "broadcast_deliveries" USING btree ("broadcast_id","client_id") WHERE "broadcast_deliveries"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "broadcasts_status_idx" ON "broadcasts" USING btree ("status","created_at");