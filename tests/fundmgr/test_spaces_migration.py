"""Books made before the rent account existed are given it by the spaces migration."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("spaces", "0001_initial")]
AFTER = [("spaces", "0002_rent_account_in_existing_books")]


@pytest.mark.django_db(transaction=True)
def test_existing_books_get_the_rent_account(ledger_purge):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Book = old.get_model("ledger", "Book")
    Hub = old.get_model("fundmgr", "HubEnterprise")
    Community = old.get_model("fundmgr", "Community")
    Account = old.get_model("ledger", "Account")
    hub = Hub.objects.create(code="MH2", name="枢纽", subdistrict="街道")
    book = Book.objects.create(code="MIG2", name="MIG2")
    Account.objects.create(book=book, code="3101", name="社区基金", type="equity")
    Community.objects.create(code="MIG2", name="迁移社区", subdistrict="街道", hub=hub, book=book)
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    rent = new.get_model("ledger", "Account").objects.get(book_id=book.pk, code="4601")
    assert (rent.name, rent.type, rent.debit_fen, rent.credit_fen) == (
        "其他收入—场地象征性租金",
        "income",
        0,
        0,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
