DROP TRIGGER IF EXISTS ledger_snapshot_no_truncate ON ledger_balancesnapshot;
DROP TRIGGER IF EXISTS ledger_snapshot_append_only ON ledger_balancesnapshot;
DROP FUNCTION IF EXISTS ledger_snapshot_refuse_change();
