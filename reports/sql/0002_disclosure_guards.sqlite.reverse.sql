DROP TRIGGER IF EXISTS reports_disclosure_no_delete;
DROP TRIGGER IF EXISTS reports_disclosure_no_update;
