"""Every community's book gets its 库存现金 (cash on hand) account if it lacks one: cash
deposits move money from it to 银行存款. Books set up since the chart included it
already have it; for them this changes nothing."""

from django.db import migrations

CODE, NAME = "1001", "库存现金"


def open_cash_accounts(apps, schema_editor):
    Community = apps.get_model("fundmgr", "Community")
    Account = apps.get_model("ledger", "Account")
    for book_id in Community.objects.values_list("book_id", flat=True):
        Account.objects.get_or_create(
            book_id=book_id, code=CODE, defaults={"name": NAME, "type": "asset"}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reconcile", "0001_initial"),
        ("ledger", "0008_guards_v3"),
    ]

    operations = [migrations.RunPython(open_cash_accounts, migrations.RunPython.noop)]
