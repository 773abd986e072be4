-- Published disclosures are immutable. Reverse: disclosure_guards_v1.postgresql.reverse.sql
CREATE OR REPLACE FUNCTION reports_disclosure_refuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'reports: a published disclosure cannot be changed or deleted'
        USING ERRCODE = '23000';
END;
$$;
CREATE TRIGGER reports_disclosure_immutable BEFORE UPDATE OR DELETE ON reports_disclosure
    FOR EACH ROW EXECUTE FUNCTION reports_disclosure_refuse();
