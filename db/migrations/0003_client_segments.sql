CREATE TABLE "client_segments" (
	"computed_on" date NOT NULL,
	"partner_id" bigint,
	"client_id" bigint NOT NULL,
	"purchases" integer NOT NULL,
	"total_kopecks" bigint NOT NULL,
	"average_check_kopecks" bigint NOT NULL,
	"last_purchase_at" timestamp with time zone NOT NULL,
	"recency" integer NOT NULL,
	"frequency" integer NOT NULL,
	"monetary" integer NOT NULL,
	"segment" text NOT NULL,
	"category" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "client_segments" ADD CONSTRAINT "client_segments_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "client_segments" ADD CONSTRAINT "client_segments_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "client_segments_scope_idx" ON "client_segments" USING btree ("computed_on","partner_id","segment");--> statement-breakpoint
CREATE INDEX "client_segments_client_idx" ON "client_segments" USING btree ("client_id");