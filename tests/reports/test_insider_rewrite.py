"""Issue #16's insider rewrite, staged: a published month's income made ¥50.00 smaller,
the books made to agree and the chain re-hashed (tests/reports/rewrite.py) - after every
page, proof and witness has been looked at, so the caches are warm. verify_ledger, the
auditor's check, the receipt API and page, the verifier's `receipt` mode and its
`witness` mode each catch it, and say where."""

import datetime as dt
import importlib.util
import io
import json
import urllib.parse
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from fundmgr.services.income import income_record
from ledger.models import Book
from ledger.verify import verify_book
from reports.services import integrity_verify, period_close, period_publish
from tests import factories as f
from tests.reports.rewrite import take_off
from tests.reports.test_verifier import TOOL, run, save

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_months():
    """March and April 2026 published, three incomes each (as tests/reports/
    test_verifier.py), large enough to take ¥50.00 off."""
    c = f.community("SQV")
    pkg = f.package(c, "YL01")
    officer = f.user("officer", (c, "officer"))
    receipts = []
    for month in (3, 4):
        for day, amount in ((2, "120.00"), (9, "300.00"), (17, "80.00")):
            paid = timezone.make_aware(dt.datetime(2026, month, day, 10))
            draft = f.draft(c, pkg, amount, paid_at=paid)
            receipts.append(income_record(draft, recorded_by=officer)[0])
        first = dt.date(2026, month, 1)
        period_close(community=c, month=first, actor="officer", today=dt.date(2026, 5, 3))
        period_publish(community=c, month=first, actor="officer")
    return c, receipts


@pytest.fixture
def tool(monkeypatch):
    """tools/verify_disclosure.py loaded as a module, its one network call answered by
    the test client (the witness fetches many addresses)."""
    spec = importlib.util.spec_from_file_location("verify_disclosure", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    client = Client()

    def fetch(url):
        parts = urllib.parse.urlsplit(url)
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        if response.status_code != 200:
            raise module.Unreachable(f"{url}: HTTP {response.status_code}")
        return response.json()

    monkeypatch.setattr(module, "fetch_json", fetch)
    return module


def verify_ledger():
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_ledger", stdout=out, stderr=err)
    return out.getvalue()


def staged_and_caught(community, receipts, tool, tmp_path, capsys):
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
    # The auditor's 立即核验 does the same.
    check = integrity_verify(community, "auditor")
    assert not check.ok and "SQV 2026-03" in check.problems and "#2" in check.problems

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

    # The witness saw the heads before: the books no longer extend them.
    assert tool.witness("http://testserver", state) == 1
    out = capsys.readouterr().out
    assert "TROUBLE: SQV: the history no longer extends what was seen" in out
    assert json.loads(Path(state).read_text())["communities"]["SQV"][0]["month"] == "2026-03"


@pytest.mark.postgres
def test_the_insider_rewrite_on_postgresql_is_caught_with_warm_caches(
    two_months,
    tool,
    tmp_path,
    capsys,
):
    """The brief's own attack: superuser, `SET LOCAL session_replication_role = replica`."""
    staged_and_caught(*two_months, tool, tmp_path, capsys)


def test_the_insider_rewrite_with_the_guards_dropped_is_caught_with_warm_caches(
    two_months,
    tool,
    tmp_path,
    capsys,
):
    """The same on any database: on SQLite the guards are dropped instead."""
    staged_and_caught(*two_months, tool, tmp_path, capsys)
