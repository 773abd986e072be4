"""Plan, earmarks and projects in the published month (#19): new keys of the signed
document, checked by the independent verifier, and the books still make sense."""

import copy
import datetime as dt
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from djmoney.money import Money

from fundmgr.projects import services as projects
from fundmgr.services import payouts
from fundmgr.services.income import income_record
from reports.checks import check_community
from reports.services import period_close, period_publish
from tests import factories as f

pytestmark = pytest.mark.django_db
TOOL = Path(__file__).resolve().parents[2] / "tools" / "verify_disclosure.py"
PDF = b"%PDF-1.4\n% minimal\n" + b"0" * 100


@pytest.fixture
def world():
    with time_machine.travel("2026-03-10 10:00 +08:00", tick=False):
        c = f.community("PJV", threshold="1000000")
        officer = f.user("officer", (c, "officer"))
        r1, r2 = f.user("r1", (c, "reviewer")), f.user("r2", (c, "reviewer"))
        pkg = f.package(c, "WH01")
        paid = timezone.make_aware(dt.datetime(2026, 3, 2, 10))
        income_record(
            f.draft(c, pkg, "100000.00", paid_at=paid, method="bank"), recorded_by=officer
        )
        plan_item = f.decided_item(c, officer, r1, title="年度计划", held_on=dt.date(2026, 3, 3))
        projects.plan_record(
            community=c,
            year=2026,
            item=plan_item,
            lines={"environment": Money("3000.00", "CNY"), "elderly": Money("2000.00", "CNY")},
            user=officer,
        )
        p = projects.project_create(
            community=c, user=officer, title="楼道绿化", category="environment", provider="绿美"
        )
        projects.project_review(project=p, user=r1)
        item = f.decided_item(c, officer, r1, title="楼道绿化", held_on=dt.date(2026, 3, 5))
        projects.project_decide(project=p, item=item, amount=Money("2500.00", "CNY"), user=officer)
        projects.project_start(project=p, user=officer)
        d = payouts.disbursement_request(
            community=c,
            payee="绿美",
            purpose="首期款",
            category="environment",
            amount=Money("1000.00", "CNY"),
            user=officer,
            project=p,
            attachments=[("invoice", SimpleUploadedFile("fapiao.pdf", PDF))],
        )
        payouts.disbursement_approve(disbursement=d, reviewer=r2)
    with time_machine.travel("2026-04-03 10:00 +08:00", tick=False):
        first = dt.date(2026, 3, 1)
        period_close(community=c, month=first, actor="officer", today=dt.date(2026, 4, 3))
        period_publish(community=c, month=first, actor="officer")
        yield c


def _document():
    response = Client().get("/api/v1/communities/PJV/periods/2026-03/")
    assert response.status_code == 200
    return response.json()


def test_the_month_carries_plan_earmarks_and_projects(world):
    doc = _document()
    assert doc["balances"]["closing"]["fund"] == "4000.00"  # 5,000 in, 1,000 paid
    assert doc["earmarks"]["free"] == "2500.00" and doc["earmarks"]["earmarked"] == "1500.00"
    (p,) = doc["projects"]
    assert (p["status"], p["decided"], p["paid"], p["remaining"]) == (
        "progress",
        "2500.00",
        "1000.00",
        "1500.00",
    )
    assert p["payments"][0]["entry"] in {d["entry"] for d in doc["disbursements"]}
    lines = {line["category"]: line for line in doc["plan"]["lines"]}
    assert lines["environment"]["paid_by_month"] == {"03": "1000.00"}
    assert check_community(world) == []


def test_the_verifier_checks_the_earmark_arithmetic(world, tmp_path):
    key = tmp_path / "key.json"
    key.write_bytes(Client().get("/api/v1/public-key/").content)
    month = tmp_path / "month.json"
    month.write_text(json.dumps(_document(), ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(TOOL), "month", str(month), str(key)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 projects, 1 earmarks" in result.stdout

    spec = importlib.util.spec_from_file_location("verify_disclosure", TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    doc = _document()
    tool.check_projects(doc)
    for path, value in (
        (("earmarks", "free"), "2600.00"),
        (("projects", 0, "remaining"), "1600.00"),
        (("earmarks", "rows", 0, "ledger"), "1400.00"),
        (("projects", 0, "payments", 0, "final"), True),
    ):
        bad = copy.deepcopy(doc)
        target = bad
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        with pytest.raises(SystemExit):
            tool.check_projects(bad)
