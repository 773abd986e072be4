"""Issue #16's insider rewrite, staged: a published month's income made ¥50.00 smaller,
the books made to agree and the chain re-hashed (tests/reports/rewrite.py) - after every
page, proof and witness has been looked at, so the caches are warm. verify_ledger, the
auditor's check, the receipt API and page, the verifier's `receipt` mode and its
`witness` mode each catch it, and say where."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from ledger.models import Book
from ledger.verify import verify_book
from reports.models import IntegrityCheck
from reports.services import integrity_verify
from reports.tasks import nightly_verify
from tests.reports.rewrite import take_off
from tests.reports.test_verifier import run, save

pytestmark = pytest.mark.django_db


def verify_ledger():
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_ledger", stdout=out, stderr=err)
    return out.getvalue()


def staged_and_caught(community, receipts, tool, tmp_path, capsys):
    """`tool` is tools/verify_disclosure.py as a module (tests/reports/conftest.py)."""
    target = receipts[1]  # March's second income, entry #2 of 6; the 3 after it re-hashed
    code = target.receipt_code
    state = str(tmp_path / "witness.json")

    # Everything looked at before the rewrite: the caches are warm.
    before = Client().get(f"/api/v1/receipts/{code}/").json()
    assert before["inclusion"]["verified"] and before["agreement"] == {"agree": True, "differs": []}
    assert before["disclosed"]["leaf"] == before["inclusion"]["leaf_hash"]
    for path in ("/c/SQV/", "/c/SQV/2026-03/", f"/r/{code}/", "/api/v1/communities/SQV/heads/"):
        assert Client().get(path).status_code == 200
    assert Client().get("/api/v1/communities/SQV/consistency/?from=3&to=6").json()["verified"]
    assert tool.witness("http://testserver", state) == 0
    assert "2 signed heads recomputed" in verify_ledger()
    month = save(tmp_path, "month.json", "/api/v1/communities/SQV/periods/2026-03/")
    key = save(tmp_path, "key.json", "/api/v1/public-key/")
    capsys.readouterr()

    take_off(target)

    # The chain, the totals and the snapshots agree with themselves: a consistent rewrite.
    book = Book.objects.get(pk=community.book_id)
    assert verify_book(book, heads=[]).ok
    # verify_ledger recomputes the signed roots: it names the month and the entry.
    with pytest.raises(CommandError) as failure:
        verify_ledger()
    message = str(failure.value)
    assert "SQV 2026-03" in message and "entry #2" in message
    assert target.receipt_display in message
    # The auditor's 立即核验 does the same, and so does the nightly job.
    check = integrity_verify(community, "auditor")
    assert not check.ok and "SQV 2026-03" in check.problems and "#2" in check.problems
    nightly_verify()
    nightly = IntegrityCheck.objects.filter(community=community, ran_by="nightly").get()
    assert not nightly.ok and "SQV 2026-03" in nightly.problems

    # The receipt API shows the new amount, and says it does not agree with what was signed.
    data = Client().get(f"/api/v1/receipts/{code}/").json()
    assert (before["amount"], data["amount"]) == ("300.00", "250.00")
    assert not data["inclusion"]["verified"]
    assert data["agreement"] == {"agree": False, "differs": ["proof", "leaf", "amount"]}
    assert data["disclosed"]["amount"] == before["amount"]
    page = Client().get(f"/r/{code}/").content.decode()
    assert 'id="inclusion-failed"' in page

    # The verifier's receipt mode: with the signed month document, and without.
    receipt = save(tmp_path, "receipt.json", f"/api/v1/receipts/{code}/")
    for args in ((receipt, key, month), (receipt, key)):
        result = run("receipt", *args)
        assert result.returncode == 1, result.stdout
        assert "does not lead to the signed root" in result.stdout
        assert f"the amount shown ({data['amount']})" in result.stdout
        assert "names leaf" in result.stdout

    # The community page's ✓ between March and April is a ✗ now, and the API says why.
    community_page = Client().get("/c/SQV/").content.decode()
    assert "<strong>✗</strong>" in community_page and "from=3&amp;to=6" not in community_page
    assert not Client().get("/api/v1/communities/SQV/consistency/?from=3&to=6").json()["verified"]

    # The witness saw the heads before: the books no longer extend them.
    assert tool.witness("http://testserver", state) == 1
    out = capsys.readouterr().out
    assert "TROUBLE: SQV: the history no longer extends what was seen" in out
    assert json.loads(Path(state).read_text())["communities"]["SQV"][0]["month"] == "2026-03"


@pytest.mark.postgres
def test_the_insider_rewrite_on_postgresql_is_caught_with_warm_caches(
    published_months,
    verifier,
    tmp_path,
    capsys,
):
    """The brief's own attack: superuser, `SET LOCAL session_replication_role = replica`."""
    staged_and_caught(*published_months, verifier, tmp_path, capsys)


def test_the_insider_rewrite_with_the_guards_dropped_is_caught_with_warm_caches(
    published_months,
    verifier,
    tmp_path,
    capsys,
):
    """The same on any database: on SQLite the guards are dropped instead."""
    staged_and_caught(*published_months, verifier, tmp_path, capsys)


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        ("tree_root", "ab" * 32, "are not the signed ones"),
        ("document", '{"incomes":[]}', "not the one it signed"),
        ("signature", "00" * 64, "signature is not valid"),
    ],
)
def test_a_changed_disclosure_row_is_named(published_months, column, value, says):
    from tests.reports.rewrite import sql, triggers_off

    with triggers_off():
        sql(
            f"UPDATE reports_disclosure SET {column} = %s WHERE period_id IN "  # noqa: S608
            "(SELECT id FROM reports_period WHERE month = '2026-03-01')",
            [value],
        )
    with pytest.raises(CommandError) as failure:
        verify_ledger()
    assert "SQV 2026-03" in str(failure.value) and says in str(failure.value)
