"""Open the symbolic-rent income account (4601) in every community book made before it
was part of the chart (new books get it from community_create)."""

from django.db import migrations

CODE, NAME = "4601", "其他收入—场地象征性租金"


def open_rent_accounts(apps, schema_editor):
    Community = apps.get_model("fundmgr", "Community")
    Account = apps.get_model("ledger", "Account")
    for book_id in Community.objects.values_list("book_id", flat=True):
        Account.objects.get_or_create(
            book_id=book_id, code=CODE, defaults={"name": NAME, "type": "income"}
        )


class Migration(migrations.Migration):
    dependencies = [("spaces", "0001_initial")]

    # No reverse: an account may have lines by then, and the ledger never deletes them.
    operations = [migrations.RunPython(open_rent_accounts, migrations.RunPython.noop)]
