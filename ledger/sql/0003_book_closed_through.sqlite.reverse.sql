DROP TRIGGER IF EXISTS ledger_entry_not_in_closed_period;
