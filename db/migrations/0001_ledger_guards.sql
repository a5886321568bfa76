-- Guards drizzle-kit cannot express in the schema files.

-- The ledger is append-only: a mistake is fixed by a reversing row, never by editing or deleting one.
CREATE OR REPLACE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger_entries is append-only: % is not allowed', TG_OP USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_no_update_or_delete
  BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only();
--> statement-breakpoint
-- A reversal points at the row it reverses (and, by the unique index, each row is reversed at most once).
ALTER TABLE ledger_entries
  ADD CONSTRAINT ledger_entries_reverses_entry_fk FOREIGN KEY (reverses_entry_id) REFERENCES ledger_entries (id);
--> statement-breakpoint
ALTER TABLE ledger_entries
  ADD CONSTRAINT ledger_entries_redemption_request_fk FOREIGN KEY (redemption_request_id) REFERENCES redemption_requests (id);
--> statement-breakpoint
ALTER TABLE clients
  ADD CONSTRAINT clients_merged_into_fk FOREIGN KEY (merged_into_client_id) REFERENCES clients (id);
--> statement-breakpoint
-- network_settings holds exactly one row.
ALTER TABLE network_settings ADD CONSTRAINT network_settings_single_row CHECK (id = 1);
--> statement-breakpoint
INSERT INTO network_settings (id) VALUES (1) ON CONFLICT DO NOTHING;
