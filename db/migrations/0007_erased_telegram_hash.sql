ALTER TABLE "clients" ADD COLUMN "erased_telegram_hash" text;--> statement-breakpoint
CREATE INDEX "clients_erased_telegram_hash_idx" ON "clients" USING btree ("erased_telegram_hash");