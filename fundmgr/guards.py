from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent / "sql"
INCOME_GUARDS = "income_guards_v1"
# For ledger.guards.purge in test databases: the tables that refer to entries, children
# first, with the guards to lift while they are emptied.
GUARDED_TABLES = [
    ("fundmgr_disbursementapproval", None, None),
    ("fundmgr_attachment", None, None),
    ("fundmgr_disbursement", None, None),
    ("fundmgr_settlement", None, None),
    ("fundmgr_income", INCOME_GUARDS, SQL_DIR),
]
