-- fundmgr income guards, version 1, PostgreSQL. Reverse: income_guards_v1.postgresql.reverse.sql
-- What was recorded stays as recorded: the facts of an income never change and no
-- income is deleted. Only the workflow moves on (status, review, reversal), and an
-- income's ledger entries, once linked, stay linked.

CREATE OR REPLACE FUNCTION fundmgr_income_refuse_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'fundmgr: DELETE on fundmgr_income refused: recorded income is kept; reverse or reject it'
        USING ERRCODE = '23000';
END;
$$;

CREATE OR REPLACE FUNCTION fundmgr_income_refuse_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM fundmgr_income) THEN
        RAISE EXCEPTION 'fundmgr: TRUNCATE on fundmgr_income refused' USING ERRCODE = '23000';
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION fundmgr_income_facts_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.community_id, NEW.package_id, NEW.tier, NEW.quantity, NEW.amount,
        NEW.amount_currency, NEW.provider_share, NEW.hub_share, NEW.fund_share,
        NEW.policy_id, NEW.paid_at, NEW.payer, NEW.method, NEW.external_ref,
        NEW.receipt_code, NEW.note, NEW.recorded_by_id, NEW.recorded_at)
       IS DISTINCT FROM
       (OLD.community_id, OLD.package_id, OLD.tier, OLD.quantity, OLD.amount,
        OLD.amount_currency, OLD.provider_share, OLD.hub_share, OLD.fund_share,
        OLD.policy_id, OLD.paid_at, OLD.payer, OLD.method, OLD.external_ref,
        OLD.receipt_code, OLD.note, OLD.recorded_by_id, OLD.recorded_at)
       OR (OLD.entry_id IS NOT NULL AND NEW.entry_id IS DISTINCT FROM OLD.entry_id)
       OR (OLD.reversal_entry_id IS NOT NULL
           AND NEW.reversal_entry_id IS DISTINCT FROM OLD.reversal_entry_id)
       OR OLD.status IN ('rejected', 'reversed') THEN
        RAISE EXCEPTION 'fundmgr: the recorded facts of an income cannot be changed; reverse it instead'
            USING ERRCODE = '23000';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER fundmgr_income_no_delete BEFORE DELETE ON fundmgr_income
    FOR EACH ROW EXECUTE FUNCTION fundmgr_income_refuse_delete();
CREATE TRIGGER fundmgr_income_no_truncate BEFORE TRUNCATE ON fundmgr_income
    FOR EACH STATEMENT EXECUTE FUNCTION fundmgr_income_refuse_truncate();
CREATE TRIGGER fundmgr_income_facts_fixed BEFORE UPDATE ON fundmgr_income
    FOR EACH ROW EXECUTE FUNCTION fundmgr_income_facts_fixed();
