from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent / "sql"
INCOME_GUARDS = "income_guards_v1"
# For ledger.guards.purge in test databases: guarded tables that refer to entries.
GUARDED_TABLES = [("fundmgr_income", INCOME_GUARDS, SQL_DIR)]
