"""What a database superuser could do: lift the guards, change rows, put them back."""

from contextlib import contextmanager

from django.db import connection

from ledger import guards


@contextmanager
def guards_lifted():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Fire the deferred balance checks now: PostgreSQL will not drop a trigger
            # that still has events pending in this transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    guards.remove(connection)
    try:
        yield connection
    finally:
        guards.install(connection)


def execute(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
