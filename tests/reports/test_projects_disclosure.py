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
CONTACT, PROPOSER = "13912345678", "赵提议"


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
        # A resident's proposal became the project: its contact must never be published.
        proposal = projects.proposal_submit(
            community=c,
            title="楼道种花",
            description="楼道太空",
            category="environment",
            estimated_cost=Money("2600.00", "CNY"),
            contact=CONTACT,
            proposer_name=PROPOSER,
        )
        projects.proposal_moderate(proposal=proposal, accept=True, user=r1)
        p = projects.project_create(
            community=c,
            user=officer,
            title="楼道绿化",
            category="environment",
            provider="绿美",
            proposal=proposal,
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


def _fdp():
    import csv
    import io
    import zipfile

    response = Client().get("/api/v1/communities/PJV/periods/2026-03/fdp.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        package = json.loads(zf.read("datapackage.json"))
        tables = {
            r["name"]: list(csv.DictReader(io.StringIO(zf.read(r["path"]).decode())))
            for r in package["resources"]
        }
        headers = {
            r["name"]: zf.read(r["path"]).decode().splitlines()[0].split(",")
            for r in package["resources"]
        }
        everything = b"".join(zf.read(n) for n in zf.namelist()).decode()
    return package, tables, headers, everything


def test_the_fiscal_data_package_carries_plan_earmarks_projects_and_decisions(world):
    from decimal import Decimal

    doc = _document()
    package, tables, headers, everything = _fdp()
    resources = {r["name"]: r for r in package["resources"]}
    assert list(resources) == [
        "income",
        "inflows",
        "plan",
        "earmarks",
        "projects",
        "decisions",
    ]
    for name, resource in resources.items():
        fields = resource["schema"]["fields"]
        assert headers[name] == [fl["name"] for fl in fields], name
        for fl in fields:
            if fl["type"] == "number":
                assert fl["decimalChar"] == "."
                # Every amount an exact two-decimal string, never a float.
                assert all(
                    r[fl["name"]] == f"{Decimal(r[fl['name']]):.2f}" for r in tables[name]
                ), (name, fl["name"])

    def amount(value):
        return Decimal(value)

    plan = {r["category"]: r for r in tables["plan"]}
    assert set(plan) == {line["category"] for line in doc["plan"]["lines"]}
    assert (plan["environment"]["planned"], plan["environment"]["paid_month"]) == (
        "3000.00",
        "1000.00",
    )
    assert plan["elderly"]["paid_to_date"] == "0.00"
    total = sum(amount(r["planned"]) for r in tables["plan"])
    assert total == sum(amount(line["planned"]) for line in doc["plan"]["lines"])
    assert f"合计 {total:.2f} 元" in resources["plan"]["description"]

    (mark,) = tables["earmarks"]
    assert amount(mark["decided"]) - amount(mark["paid"]) - amount(mark["released"]) == amount(
        mark["remaining"]
    )
    assert mark["remaining"] == mark["ledger"] == doc["earmarks"]["rows"][0]["remaining"]
    assert sum(amount(r["remaining"]) for r in tables["earmarks"]) == amount(
        doc["earmarks"]["earmarked"]
    )
    assert resources["earmarks"]["free_balance"] == doc["earmarks"]["free"] == "2500.00"
    assert "自由余额 2500.00 元" in resources["earmarks"]["description"]

    (project,) = tables["projects"]
    (published,) = doc["projects"]
    assert (project["title"], project["status"], project["decided"], project["remaining"]) == (
        "楼道绿化",
        "progress",
        "2500.00",
        "1500.00",
    )
    assert project["decision"] == f"{published['decision']['meeting']} #1"

    items = [(m, i) for m in doc["decisions"] for i in m["items"]]
    assert len(tables["decisions"]) == len(items) == 2
    for row, (m, i) in zip(tables["decisions"], items, strict=True):
        assert (row["meeting"], row["item"], row["title"]) == (
            m["reference"],
            str(i["number"]),
            i["title"],
        )
        assert (row["votes_for"], row["votes_against"], row["votes_abstain"]) == ("6", "1", "0")
        assert (row["outcome"], row["prior_review"]) == ("passed", "agreed")
    # Nothing personal: the proposal's contact and proposer are not in the document.
    assert CONTACT not in everything and PROPOSER not in everything


def test_a_month_published_before_19_gets_no_new_resources_or_sections(world):
    from reports.auditor.project_sections import decision_sections, project_sections
    from reports.public.projects import fdp_projects
    from reports.public.spaces import fdp_decisions

    old = {k: v for k, v in _document().items() if k not in {"plan", "earmarks", "projects"}}
    assert fdp_projects(old, "CNY") == [] and project_sections(old) == []
    old.pop("decisions")
    assert fdp_decisions(old, "CNY") == [] and decision_sections(old) == []
    # A month with the keys but no plan, earmark or project adds nothing either.
    empty = {**old, "plan": None, "earmarks": {"free": "0.00", "earmarked": "0.00", "rows": []}}
    assert fdp_projects({**empty, "projects": []}, "CNY") == []
    assert project_sections({**empty, "projects": []}) == []


def test_the_period_statement_has_the_plan_projects_and_decisions_in_pdf_csv_and_xlsx(
    world, tmp_path
):
    import io
    from decimal import Decimal

    from openpyxl import load_workbook
    from pypdf import PdfReader

    from reports.auditor.formats import to_csv, to_pdf, to_xlsx
    from reports.auditor.statements import build
    from tests.reports.test_statements import fonts_of

    doc = _document()
    st = build(world, dt.date(2026, 3, 1), "period")
    sections = {s.heading: s for s in st.sections}
    plan = sections["社区基金使用计划与项目"]
    assert plan.rows[-1] == ["合计", "5000.00", "1000.00", "1000.00", "4000.00"]
    assert sum(Decimal(r[1]) for r in plan.rows[:-1]) == Decimal(plan.rows[-1][1])
    assert doc["plan"]["decision"]["meeting"] in plan.note
    marks = sections["计划与项目·社区基金的预留与自由余额（月末）"]
    (mark, *totals) = marks.rows
    decided, paid, released, remaining = (Decimal(v) for v in mark[2:])
    assert decided - paid - released == remaining == Decimal("1500.00")
    assert [t[-1] for t in totals] == ["1500.00", "2500.00", doc["balances"]["closing"]["fund"]]
    (project,) = sections["计划与项目·项目（金额：元）"].rows
    assert project[:3] == ["1", "楼道绿化", "环境与绿化/实施中"] and project[-1] == "1500.00"
    decisions = sections["议事决策"]
    assert [r[4] for r in decisions.rows] == ["年度计划", "楼道绿化"]
    assert {r[5] for r in decisions.rows} == {"6/1/0"} and {r[6] for r in decisions.rows} == {
        "同意/通过"
    }
    assert "本月议事决策" not in sections  # once, here, not also with the spaces
    assert not [n for n in st.notes if n.startswith("警告")]

    data = to_pdf(st)
    pdf = tmp_path / "period.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for words in ("社区基金使用计划与项目", "议事决策", "自由余额", "楼道绿化", "6/1/0"):
        assert words in text, words
    for personal in (CONTACT, PROPOSER):
        assert personal not in text
    fonts = fonts_of(PdfReader(io.BytesIO(data)))
    assert fonts and all(embedded for _name, embedded in fonts), fonts
    assert any("WenQuanYiMicroHei" in name for name, _e in fonts)

    csv_text = to_csv(st)
    for words in ("社区基金使用计划与项目", "议事决策", "未预留的自由余额", "6/1/0"):
        assert words in csv_text, words
    assert CONTACT not in csv_text and PROPOSER not in csv_text
    sheet = load_workbook(io.BytesIO(to_xlsx(st))).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "社区基金使用计划与项目" in cells and "议事决策" in cells
    assert Decimal("2500.00") in cells and Decimal("1500.00") in cells  # numbers, not text
    assert "1500.00" not in cells
