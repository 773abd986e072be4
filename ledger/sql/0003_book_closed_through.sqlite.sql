-- ledger period guard, version 1, SQLite. Reverse: period_guard_v1.sqlite.reverse.sql
-- No entry may be dated inside a closed period (on or before the book's closed_through).
CREATE TRIGGER ledger_entry_not_in_closed_period BEFORE INSERT ON ledger_entry
WHEN NEW.date <= (SELECT closed_through FROM ledger_book WHERE id = NEW.book_id)
BEGIN
    SELECT RAISE(ABORT, 'ledger: the entry is dated inside a closed period');
END;
