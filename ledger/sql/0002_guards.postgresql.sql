-- ledger guards, version 1, PostgreSQL.
-- Posted entries and lines are append-only; an entry's lines must balance at commit.
-- Raised with SQLSTATE 23000 (integrity_constraint_violation) so that Django reports
-- an IntegrityError on PostgreSQL just as it does for SQLite's RAISE(ABORT).
-- Reverse: guards_v1.postgresql.reverse.sql

CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger: % on % refused: posted entries are append-only; post a reversal instead',
        TG_OP, TG_TABLE_NAME USING ERRCODE = '23000';
END;
$$;

-- TRUNCATE is refused only while the table holds rows, so that a test database can be
-- emptied after its guards were deliberately lifted (see ledger.guards.purge).
CREATE OR REPLACE FUNCTION ledger_refuse_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    has_rows boolean;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', TG_TABLE_NAME) INTO has_rows;
    IF has_rows THEN
        RAISE EXCEPTION 'ledger: TRUNCATE on % refused: posted entries are append-only',
            TG_TABLE_NAME USING ERRCODE = '23000';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_line_append_only BEFORE UPDATE OR DELETE ON ledger_line
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_entry_no_truncate BEFORE TRUNCATE ON ledger_entry
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate();
CREATE TRIGGER ledger_line_no_truncate BEFORE TRUNCATE ON ledger_line
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate();

-- An account's code, book and type are part of what its lines mean (the code is in
-- every entry's hash): once it has lines they are fixed. Its name and running totals
-- may change.
CREATE OR REPLACE FUNCTION ledger_account_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM ledger_line WHERE account_id = OLD.id) THEN
        RAISE EXCEPTION 'ledger: account % has posted lines; its code, book and type are fixed',
            OLD.code USING ERRCODE = '23000';
    END IF;
    RETURN NEW;
END;
$$;
-- The WHEN clause keeps the running-total updates of every posting free of this check.
CREATE TRIGGER ledger_account_fixed BEFORE UPDATE OF code, book_id, type ON ledger_account
    FOR EACH ROW
    WHEN (NEW.code IS DISTINCT FROM OLD.code OR NEW.book_id IS DISTINCT FROM OLD.book_id
          OR NEW.type IS DISTINCT FROM OLD.type)
    EXECUTE FUNCTION ledger_account_fixed();

-- No line may be added to an entry beyond the count it declared: an entry, once
-- complete, stays complete.
CREATE OR REPLACE FUNCTION ledger_line_within_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    declared integer;
    present integer;
BEGIN
    SELECT line_count INTO declared FROM ledger_entry WHERE id = NEW.entry_id;
    SELECT count(*) INTO present FROM ledger_line WHERE entry_id = NEW.entry_id;
    IF declared IS NOT NULL AND present >= declared THEN
        RAISE EXCEPTION 'ledger: entry % already has its % lines', NEW.entry_id, declared
            USING ERRCODE = '23000';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER ledger_line_within_entry BEFORE INSERT ON ledger_line
    FOR EACH ROW EXECUTE FUNCTION ledger_line_within_entry();

-- At commit, every new entry has exactly its declared lines and they sum to zero.
CREATE OR REPLACE FUNCTION ledger_entry_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    total numeric;
    present integer;
BEGIN
    SELECT coalesce(sum(amount_fen), 0), count(*) INTO total, present
        FROM ledger_line WHERE entry_id = NEW.id;
    IF present <> NEW.line_count THEN
        RAISE EXCEPTION 'ledger: entry % declares % lines but has %', NEW.id, NEW.line_count, present
            USING ERRCODE = '23000';
    END IF;
    IF total <> 0 THEN
        RAISE EXCEPTION 'ledger: entry % is unbalanced by % fen', NEW.id, total
            USING ERRCODE = '23000';
    END IF;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER ledger_entry_balanced AFTER INSERT ON ledger_entry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced();
