DROP TRIGGER IF EXISTS ledger_snapshot_no_delete;
DROP TRIGGER IF EXISTS ledger_snapshot_no_update;
