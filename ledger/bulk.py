"""Writing and probing rows in bulk in plain SQL (posting, imports): multi-row inserts, COPY,
statements sent in one round trip, and look-ups kept to index probes.

The ORM's bulk_create spent more time preparing each value than the database spent
storing it (bench/ import), and even a multi-row INSERT spends most of its time on the
driver quoting every value. So on PostgreSQL a batch goes through COPY, with ids taken
from the table's sequence in one round trip when the caller needs them; small batches
(one income) and SQLite use multi-row INSERT ... RETURNING, sent with the statements
around them (Statements). Callers pass values already adapted for the database
(connection.ops.adapt_*), in the order of `columns`.
"""

import datetime as dt
import io
from collections.abc import Sequence

from django.db import connection

ROWS_PER_STATEMENT = 500
COPY_FROM = 50  # rows; below this, one INSERT is quicker than COPY's own set-up


class Statements:
    """Statements sent together: on PostgreSQL as one execute (one round trip, the
    statements still run one after another in the transaction), on SQLite one by one.
    A posting's writes (entry, lines, account totals, book head, and the caller's own
    row) went as six round trips, a third of income_record's time (bench/ record).
    Rows by the thousand still go through COPY, after the statements added before them."""

    def __init__(self):
        self._sql: list[str] = []
        self._params: list = []

    def add(self, sql: str, params: Sequence = ()) -> None:
        self._sql.append(sql)
        self._params.append(list(params))

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
        if connection.vendor == "postgresql" and len(rows) >= COPY_FROM:
            self.run()
            _copy(table, columns, rows, returning=False)
            return
        for sql, params in _inserts(table, columns, rows, returning=False):
            self.add(sql, params)

    def run(self) -> None:
        self._execute()

    def run_inserting(self, table: str, columns: Sequence[str], rows: Sequence[Sequence]) -> list:
        """Run the statements, then insert `rows`; their new ids, in row order."""
        if connection.vendor == "postgresql" and len(rows) >= COPY_FROM:
            self.run()
            return _copy(table, columns, rows, returning=True)
        first = len(self._sql)
        for sql, params in _inserts(table, columns, rows, returning=True):
            self.add(sql, params)
        return self._execute(returning_from=first)

    def _execute(self, returning_from: int | None = None) -> list:
        sql, params = self._sql, self._params
        self._sql, self._params = [], []
        ids: list = []
        if not sql:
            return ids
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                # The result is the last statement's: only one may return rows (a
                # PostgreSQL insert of fewer than COPY_FROM rows is one statement).
                cur.execute("; ".join(sql), [v for p in params for v in p])
                if returning_from is not None:
                    ids = [r[0] for r in cur.fetchall()]
                return ids
            for n, (one, values) in enumerate(zip(sql, params, strict=True)):
                cur.execute(one, values)
                if returning_from is not None and n >= returning_from:
                    ids.extend(r[0] for r in cur.fetchall())
        return ids


def _inserts(table: str, columns: Sequence[str], rows: Sequence[Sequence], returning: bool):
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    head = f"INSERT INTO {connection.ops.quote_name(table)} ({', '.join(columns)}) VALUES "
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        yield (
            head + ", ".join([one] * len(chunk)) + (" RETURNING id" if returning else ""),
            [value for row in chunk for value in row],
        )


def next_ids_sql(table: str) -> str:
    """SQL (one parameter: how many) giving an array of new ids from `table`'s
    sequence, in order (PostgreSQL): ids taken in a round trip already made."""
    return (
        f"ARRAY(SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
        "FROM generate_series(1, %s) ORDER BY 1)"
    )


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _copy(table: str, columns: Sequence[str], rows: Sequence[Sequence], returning: bool) -> list:
    ids: list = []
    with connection.cursor() as cur:
        if returning:
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(rows)],
            )
            ids = sorted(r[0] for r in cur.fetchall())
            columns = ["id", *columns]
            rows = [[pk, *row] for pk, row in zip(ids, rows, strict=True)]
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join([copy_text(v) for v in row]))
            buffer.write("\n")
        buffer.seek(0)
        cur.copy_expert(
            f"COPY {connection.ops.quote_name(table)} ({', '.join(columns)}) FROM STDIN", buffer
        )
    return ids


def index_probes_only(sql: str) -> str:
    """`sql` with sequential scans turned off for the rest of the transaction (on
    PostgreSQL; call probes_done() after). Every statement of a posting or a look-up
    here is an index probe, and the planner's statistics lag a growing book - they never
    include the rows of the transaction in progress - so with them it chose to scan a
    book it thought empty, once per key (bench/ verify, import)."""
    if connection.vendor != "postgresql":
        return sql
    return "SET LOCAL enable_seqscan = off; " + sql


def probes_done(sql: str = "") -> str:
    """`sql` followed by restoring the planner's choice (on PostgreSQL)."""
    if connection.vendor != "postgresql":
        return sql
    return (sql + "; " if sql else "") + "SET LOCAL enable_seqscan TO DEFAULT"


def probe_sql(table: str, column: str, count: int, where: str = "") -> str:
    """SQL giving, for each of `count` values (parameters), the id of the row of `table`
    whose `column` equals it (and `where`), or NULL: one index probe per value, through
    a unique index led by `column`.

    A plain `column IN (...)` let a planner with stale statistics (a book that grew in
    this very transaction) scan the whole book through an index led by the book, a cost
    that grew with every batch (bench/ import, verify). So `where` should not be
    indexable on its own: write the scope as `r.book_id + 0 = %s`. Parameters: those
    of `where`, then the values."""
    values = ", ".join(["(%s)"] * count)
    extra = f" AND {where}" if where else ""
    return (
        f"SELECT (SELECT r.id FROM {table} r WHERE r.{column} = k.column1{extra}) AS id "
        f"FROM (VALUES {values}) AS k"
    )


def ids_matching(
    table: str, column: str, values: Sequence, where: str = "", params: Sequence = ()
) -> list:
    """The ids of the rows of `table` whose `column` is one of `values` (and `where`)."""
    ids: list = []
    values = list(values)
    with connection.cursor() as cur:
        for start in range(0, len(values), ROWS_PER_STATEMENT):
            chunk = values[start : start + ROWS_PER_STATEMENT]
            cur.execute(
                index_probes_only(
                    f"SELECT id FROM ({probe_sql(table, column, len(chunk), where)}) AS t "
                    "WHERE id IS NOT NULL"
                ),
                [*params, *chunk],
            )
            ids.extend(row[0] for row in cur.fetchall())
        if values and probes_done():
            cur.execute(probes_done())
    return ids
