-- ledger balance snapshots guard, version 1, SQLite.
-- A snapshot is written once, when its book is closed through its date; never changed.
-- Reverse: snapshot_guard_v1.sqlite.reverse.sql
CREATE TRIGGER ledger_snapshot_no_update BEFORE UPDATE ON ledger_balancesnapshot
BEGIN
    SELECT RAISE(ABORT, 'ledger: UPDATE on ledger_balancesnapshot refused: snapshots of closed periods never change');
END;

CREATE TRIGGER ledger_snapshot_no_delete BEFORE DELETE ON ledger_balancesnapshot
BEGIN
    SELECT RAISE(ABORT, 'ledger: DELETE on ledger_balancesnapshot refused: snapshots of closed periods never change');
END;
