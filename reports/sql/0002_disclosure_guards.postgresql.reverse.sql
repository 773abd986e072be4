DROP TRIGGER IF EXISTS reports_disclosure_immutable ON reports_disclosure;
DROP FUNCTION IF EXISTS reports_disclosure_refuse();
