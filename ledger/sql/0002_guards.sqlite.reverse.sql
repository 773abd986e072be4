DROP TRIGGER IF EXISTS ledger_entry_balanced;
DROP TRIGGER IF EXISTS ledger_line_within_entry;
DROP TRIGGER IF EXISTS ledger_account_fixed;
DROP TRIGGER IF EXISTS ledger_line_no_delete;
DROP TRIGGER IF EXISTS ledger_line_no_update;
DROP TRIGGER IF EXISTS ledger_entry_no_delete;
DROP TRIGGER IF EXISTS ledger_entry_no_update;
