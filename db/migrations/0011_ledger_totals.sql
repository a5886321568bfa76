CREATE TABLE "ledger_totals" (
	"scope_partner_id" bigint,
	"as_of" timestamp with time zone NOT NULL,
	"net" bigint NOT NULL,
	CONSTRAINT "ledger_totals_scope_as_of_key" UNIQUE NULLS NOT DISTINCT("scope_partner_id","as_of")
);
--> statement-breakpoint
ALTER TABLE "ledger_totals" ADD CONSTRAINT "ledger_totals_scope_partner_id_partners_id_fk" FOREIGN KEY ("scope_partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "purchases_partner_client_first_idx" ON "purchases" USING btree ("partner_id","client_id","created_at") WHERE "purchases"."cancelled_at" IS NULL;