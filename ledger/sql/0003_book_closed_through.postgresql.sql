-- ledger period guard, version 1, PostgreSQL. Reverse: period_guard_v1.postgresql.reverse.sql
-- No entry may be dated inside a closed period (on or before the book's closed_through).
CREATE OR REPLACE FUNCTION ledger_entry_not_in_closed_period() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    closed date;
BEGIN
    SELECT closed_through INTO closed FROM ledger_book WHERE id = NEW.book_id;
    IF closed IS NOT NULL AND NEW.date <= closed THEN
        RAISE EXCEPTION 'ledger: entry dated % is inside a period closed through %', NEW.date, closed
            USING ERRCODE = '23000';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER ledger_entry_not_in_closed_period BEFORE INSERT ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_not_in_closed_period();
