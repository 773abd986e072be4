-- fundmgr income guards, version 1, SQLite. Reverse: income_guards_v1.sqlite.reverse.sql
-- What was recorded stays as recorded: the facts of an income never change and no
-- income is deleted. Only the workflow moves on (status, review, reversal), and an
-- income's ledger entries, once linked, stay linked.

CREATE TRIGGER fundmgr_income_no_delete BEFORE DELETE ON fundmgr_income
BEGIN
    SELECT RAISE(ABORT, 'fundmgr: DELETE on fundmgr_income refused: recorded income is kept; reverse or reject it');
END;

CREATE TRIGGER fundmgr_income_facts_fixed BEFORE UPDATE ON fundmgr_income
WHEN NEW.community_id IS NOT OLD.community_id OR NEW.package_id IS NOT OLD.package_id
  OR NEW.tier IS NOT OLD.tier OR NEW.quantity IS NOT OLD.quantity
  OR NEW.amount IS NOT OLD.amount OR NEW.amount_currency IS NOT OLD.amount_currency
  OR NEW.provider_share IS NOT OLD.provider_share OR NEW.hub_share IS NOT OLD.hub_share
  OR NEW.fund_share IS NOT OLD.fund_share OR NEW.policy_id IS NOT OLD.policy_id
  OR NEW.paid_at IS NOT OLD.paid_at OR NEW.payer IS NOT OLD.payer
  OR NEW.method IS NOT OLD.method OR NEW.external_ref IS NOT OLD.external_ref
  OR NEW.receipt_code IS NOT OLD.receipt_code OR NEW.note IS NOT OLD.note
  OR NEW.recorded_by_id IS NOT OLD.recorded_by_id OR NEW.recorded_at IS NOT OLD.recorded_at
  OR (OLD.entry_id IS NOT NULL AND NEW.entry_id IS NOT OLD.entry_id)
  OR (OLD.reversal_entry_id IS NOT NULL AND NEW.reversal_entry_id IS NOT OLD.reversal_entry_id)
  OR OLD.status IN ('rejected', 'reversed')
BEGIN
    SELECT RAISE(ABORT, 'fundmgr: the recorded facts of an income cannot be changed; reverse it instead');
END;
