DROP TRIGGER IF EXISTS fundmgr_income_facts_fixed ON fundmgr_income;
DROP TRIGGER IF EXISTS fundmgr_income_no_truncate ON fundmgr_income;
DROP TRIGGER IF EXISTS fundmgr_income_no_delete ON fundmgr_income;
DROP FUNCTION IF EXISTS fundmgr_income_facts_fixed();
DROP FUNCTION IF EXISTS fundmgr_income_refuse_truncate();
DROP FUNCTION IF EXISTS fundmgr_income_refuse_delete();
