DROP TRIGGER IF EXISTS ledger_entry_not_in_closed_period ON ledger_entry;
DROP FUNCTION IF EXISTS ledger_entry_not_in_closed_period();
