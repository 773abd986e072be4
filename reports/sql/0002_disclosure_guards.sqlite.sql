-- Published disclosures are immutable. Reverse: disclosure_guards_v1.sqlite.reverse.sql
CREATE TRIGGER reports_disclosure_no_update BEFORE UPDATE ON reports_disclosure
BEGIN
    SELECT RAISE(ABORT, 'reports: a published disclosure cannot be changed');
END;

CREATE TRIGGER reports_disclosure_no_delete BEFORE DELETE ON reports_disclosure
BEGIN
    SELECT RAISE(ABORT, 'reports: a published disclosure cannot be deleted');
END;
