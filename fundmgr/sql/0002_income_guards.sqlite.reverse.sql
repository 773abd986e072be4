DROP TRIGGER IF EXISTS fundmgr_income_facts_fixed;
DROP TRIGGER IF EXISTS fundmgr_income_no_delete;
