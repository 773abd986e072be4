-- ledger guards, version 1, SQLite.
-- Posted entries and lines are append-only. SQLite has no deferred triggers, so the
-- balance is checked when an entry's last declared line is inserted: the entry row
-- carries line_count, the lines follow it in the same transaction.
-- RAISE(ABORT, ...) surfaces as an IntegrityError in Django.
-- Reverse: guards_v1.sqlite.reverse.sql

CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry
BEGIN
    SELECT RAISE(ABORT, 'ledger: UPDATE on ledger_entry refused: posted entries are append-only; post a reversal instead');
END;

CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry
BEGIN
    SELECT RAISE(ABORT, 'ledger: DELETE on ledger_entry refused: posted entries are append-only; post a reversal instead');
END;

CREATE TRIGGER ledger_line_no_update BEFORE UPDATE ON ledger_line
BEGIN
    SELECT RAISE(ABORT, 'ledger: UPDATE on ledger_line refused: posted entries are append-only; post a reversal instead');
END;

CREATE TRIGGER ledger_line_no_delete BEFORE DELETE ON ledger_line
BEGIN
    SELECT RAISE(ABORT, 'ledger: DELETE on ledger_line refused: posted entries are append-only; post a reversal instead');
END;

CREATE TRIGGER ledger_account_fixed BEFORE UPDATE OF code, book_id, type ON ledger_account
WHEN (NEW.code IS NOT OLD.code OR NEW.book_id IS NOT OLD.book_id OR NEW.type IS NOT OLD.type)
     AND EXISTS (SELECT 1 FROM ledger_line WHERE account_id = OLD.id)
BEGIN
    SELECT RAISE(ABORT, 'ledger: account has posted lines; its code, book and type are fixed');
END;

CREATE TRIGGER ledger_line_within_entry BEFORE INSERT ON ledger_line
WHEN (SELECT count(*) FROM ledger_line WHERE entry_id = NEW.entry_id)
     >= (SELECT line_count FROM ledger_entry WHERE id = NEW.entry_id)
BEGIN
    SELECT RAISE(ABORT, 'ledger: entry already has all its declared lines');
END;

CREATE TRIGGER ledger_entry_balanced AFTER INSERT ON ledger_line
WHEN (SELECT count(*) FROM ledger_line WHERE entry_id = NEW.entry_id)
     = (SELECT line_count FROM ledger_entry WHERE id = NEW.entry_id)
     AND (SELECT sum(amount_fen) FROM ledger_line WHERE entry_id = NEW.entry_id) <> 0
BEGIN
    SELECT RAISE(ABORT, 'ledger: entry is unbalanced: its lines do not sum to zero');
END;
