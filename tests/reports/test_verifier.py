"""The standalone verifier checks what the API publishes, and catches a doctored copy."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from fundmgr.services.income import income_record
from reports.services import period_close, period_publish
from tests import factories as f

pytestmark = pytest.mark.django_db
TOOL = Path(__file__).resolve().parents[2] / "tools" / "verify_disclosure.py"


@pytest.fixture
def two_months():
    c = f.community("SQV")
    pkg = f.package(c, "YL01")
    officer = f.user("officer", (c, "officer"))
    receipts = []
    for month in (3, 4):
        for day in (2, 9, 17):
            paid = timezone.make_aware(dt.datetime(2026, month, day, 10))
            receipts.append(
                income_record(
                    f.draft(c, pkg, f"{day}.{month}0", paid_at=paid), recorded_by=officer
                )[0]
            )
        first = dt.date(2026, month, 1)
        period_close(community=c, month=first, actor="officer", today=dt.date(2026, 5, 3))
        period_publish(community=c, month=first, actor="officer")
    return c, receipts


def save(tmp_path, name, path):
    response = Client().get(path)
    assert response.status_code == 200, response.content
    (tmp_path / name).write_bytes(response.content)
    return str(tmp_path / name)


def run(*args):
    return subprocess.run(
        [sys.executable, str(TOOL), *args], capture_output=True, text=True, timeout=60
    )


def test_the_verifier_checks_a_month_a_receipt_and_consistency(two_months, tmp_path):
    _, receipts = two_months
    key = save(tmp_path, "key.json", "/api/v1/public-key/")
    month = save(tmp_path, "month.json", "/api/v1/communities/SQV/periods/2026-03/")
    receipt = save(tmp_path, "receipt.json", f"/api/v1/receipts/{receipts[1].receipt_code}/")
    heads = save(tmp_path, "heads.json", "/api/v1/communities/SQV/heads/")
    sizes = [h["tree_size"] for h in json.loads(Path(heads).read_text())]
    assert sizes == [3, 6]
    proof = save(tmp_path, "consistency.json", "/api/v1/communities/SQV/consistency/?from=3&to=6")
    assert json.loads(Path(proof).read_text())["verified"]

    for args in (
        ("month", month, key),
        ("receipt", receipt, key),
        ("consistency", proof, heads, key),
    ):
        result = run(*args)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.startswith("verified")

    doctored = json.loads(Path(month).read_text())
    doctored["incomes"][0]["amount"] = "1.00"
    Path(month).write_text(json.dumps(doctored, ensure_ascii=False))
    result = run("month", month, key)
    assert result.returncode == 1 and "digest" in result.stdout

    forged = json.loads(Path(receipt).read_text())
    forged["inclusion"]["path"][0] = "00" * 32
    Path(receipt).write_text(json.dumps(forged))
    result = run("receipt", receipt, key)
    assert result.returncode == 1 and "signed root" in result.stdout

    cut = json.loads(Path(proof).read_text())
    cut["proof"] = cut["proof"][:-1]
    Path(proof).write_text(json.dumps(cut))
    assert run("consistency", proof, heads, key).returncode == 1


def test_consistency_needs_published_sizes(two_months):
    for query in ("from=2&to=6", "from=6&to=3", "from=x&to=6", ""):
        response = Client().get(f"/api/v1/communities/SQV/consistency/?{query}")
        assert response.status_code == 400 and "error" in response.json()


def test_the_community_page_shows_each_head_extends_the_previous(two_months):
    body = Client().get("/c/SQV/").content.decode()
    assert "consistency/?from=3&amp;to=6" in body and "✓" in body
