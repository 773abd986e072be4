-- ledger balance snapshots guard, version 1, PostgreSQL.
-- A snapshot is written once, when its book is closed through its date; never changed.
-- Its own functions, so that lifting the main guards (tests' tamper helpers) leaves it be.
-- TRUNCATE is refused only while the table holds rows (see ledger.guards.purge).
-- Reverse: snapshot_guard_v1.postgresql.reverse.sql
CREATE OR REPLACE FUNCTION ledger_snapshot_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND NOT EXISTS (SELECT 1 FROM ledger_balancesnapshot) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'ledger: % on ledger_balancesnapshot refused: snapshots of closed periods never change',
        TG_OP USING ERRCODE = '23000';
END;
$$;
CREATE TRIGGER ledger_snapshot_append_only BEFORE UPDATE OR DELETE ON ledger_balancesnapshot
    FOR EACH ROW EXECUTE FUNCTION ledger_snapshot_refuse_change();
CREATE TRIGGER ledger_snapshot_no_truncate BEFORE TRUNCATE ON ledger_balancesnapshot
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_snapshot_refuse_change();
