"""Fixtures shared by the tests of published months and residents' checks."""

import datetime as dt
import importlib.util
import urllib.parse

import pytest
from django.test import Client
from django.utils import timezone

from fundmgr.services.income import income_record
from reports.services import period_close, period_publish
from tests import factories as f
from tests.reports.test_verifier import TOOL


@pytest.fixture
def published_months():
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
def verifier(monkeypatch):
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
