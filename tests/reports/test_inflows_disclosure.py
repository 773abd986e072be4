"""Donations, restricted funds, markets and purchase contracts in the published month:
the new keys, the books' arithmetic with gifts outside the split, the verifier."""

import copy
import datetime as dt
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from djmoney.money import Money

from fundmgr.inflows import services as inflows
from fundmgr.services.income import income_record
from reports.checks import check_community
from reports.services import period_close, period_publish
from tests import factories as f

pytestmark = pytest.mark.django_db
TOOL = Path(__file__).resolve().parents[2] / "tools" / "verify_disclosure.py"


def cny(v):
    return Money(v, "CNY")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-04-10 10:00 +08:00", tick=False):
        yield


@pytest.fixture
def world():
    c = f.community("IFL")
    officer = f.user("officer", (c, "officer"))
    reviewer = f.user("reviewer", (c, "reviewer"))
    pkg = f.package(c, "WH01")
    item = f.decided_item(c, officer, reviewer, held_on=dt.date(2026, 2, 20), title="合同")
    fund = inflows.fund_open(
        community=c,
        code="HX",
        kind="named",
        name="和信助老基金",
        purpose_code="meals",
        purpose="老年助餐",
        donor_name="和信科技有限公司",
        donor_kind="company",
        donor_named=True,
        user=officer,
        opened_on=dt.date(2026, 3, 1),
    )
    for ref, kind, name, amount, code in (
        ("D1", "resident", "王小明", "50.00", ""),
        ("D2", "company", "和信科技有限公司", "3000.00", "HX"),
        ("D3", "merchant", "李记面馆", "200.00", ""),
    ):
        inflows.donation_record(
            community=c,
            donor_kind=kind,
            donor_name=name,
            amount=cny(amount),
            method="bank",
            received_on=dt.date(2026, 3, 3),
            reference=ref,
            fund_code=code,
            user=officer,
            named_publicly=kind != "resident",
        )
    with time_machine.travel("2026-03-20 10:00 +08:00", tick=False):
        s = inflows.spending_request(
            fund=fund,
            purpose_code="meals",
            purpose="3月助餐",
            payee="长者食堂",
            amount=cny("400.00"),
            method="bank",
            user=officer,
        )
        inflows.spending_approve(spending=s, reviewer=reviewer)
    contract = inflows.contract_create(
        community=c,
        buyer="街道办事处",
        number="GM-1",
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 12, 31),
        decision=item,
        lines=[{"package": pkg, "units": 10, "unit_price": cny("80.00"), "cap": cny("800.00")}],
        user=officer,
    )
    line = contract.lines.get()
    inflows.delivery_bill(
        line=line, delivered_on=dt.date(2026, 3, 4), beneficiaries=["A1", "A2", "A3"], user=officer
    )
    d = f.draft(
        c,
        pkg,
        "160.00",
        tier="public_benefit",
        ref="G1",
        method="bank",
        paid_at=timezone.make_aware(dt.datetime(2026, 3, 25, 10)),
    )
    d.quantity, d.contract_line = 2, line
    income_record(d, recorded_by=officer)
    m = inflows.market_create(
        community=c,
        code="M1",
        name="三月公益集市",
        held_on=dt.date(2026, 3, 14),
        stalls=[
            {"code": "S1", "name": "手工组", "holder": "group", "rule": "fund"},
            {"code": "S2", "name": "体验", "holder": "provider", "rule": "package", "package": pkg},
        ],
        user=officer,
    )
    inflows.count_enter(market=m, counts={"S1": cny("300.00"), "S2": cny("100.00")}, user=officer)
    inflows.count_enter(market=m, counts={"S1": cny("298.00"), "S2": cny("100.00")}, user=reviewer)
    inflows.market_post(market=m, user=officer)
    period_close(
        community=c, month=dt.date(2026, 3, 1), actor="officer", today=dt.date(2026, 4, 10)
    )
    period_publish(community=c, month=dt.date(2026, 3, 1), actor="officer")
    return c


def _document():
    response = Client().get("/api/v1/communities/IFL/periods/2026-03/")
    assert response.status_code == 200
    return response.json()


def test_the_month_carries_the_inflows_and_the_books_make_sense(world):
    doc = _document()
    gifts = doc["donations"]
    assert gifts["by_kind"] == {"company": "3000.00", "merchant": "200.00", "resident": "50.00"}
    assert gifts["restricted"] == "3000.00" and gifts["unrestricted"] == "250.00"
    assert [g["donor"] for g in gifts["lines"]] == ["王**", "和信科技有限公司", "李记面馆"]
    assert "不按70/25/5分成" in gifts["why_not_split"]
    hx = doc["restricted_funds"]["funds"][0]
    assert (hx["account"], hx["received"], hx["spent"], hx["closing"]) == (
        "3101.N.HX",
        "3000.00",
        "400.00",
        "2600.00",
    )
    assert doc["markets"]["events"][0]["stalls"][0]["difference"] is True
    assert doc["markets"]["to_fund"][0]["amount"] == "298.00"
    line = doc["contracts"]["contracts"][0]["lines"][0]
    assert (line["delivered"], line["paid"], line["billed_amount"]) == (3, 2, "240.00")
    march = [r for r in line["months"] if r["month"] == "2026-03"][0]
    assert (march["delivered"], march["paid"], march["left"]) == (3, 2, 7)
    assert doc["contracts"]["contracts"][0]["receivable"] == "80.00"
    src = doc["inflows_by_source"]
    assert src["package_shares"] == doc["totals"]["fund"] == "13.00"  # 160 + 100 at 5 %
    assert src["markets"] == "298.00" and src["restricted_closing"] == "2600.00"
    assert "A1" not in json.dumps(doc, ensure_ascii=False)
    assert check_community(world) == []


def test_the_verifier_checks_the_inflows_arithmetic(world, tmp_path):
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
    assert result.returncode == 0, result.stdout
    assert "3 donations, 1 contract lines" in result.stdout
    spec = importlib.util.spec_from_file_location("verify_disclosure", TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    doc = _document()
    tool.check_inflows(doc)
    padded = copy.deepcopy(doc)
    padded["contracts"]["contracts"][0]["lines"][0]["delivered"] = 11
    with pytest.raises(SystemExit):
        tool.check_inflows(padded)
    skimmed = copy.deepcopy(doc)
    skimmed["donations"]["lines"][0]["amount"] = "5.00"
    with pytest.raises(SystemExit):
        tool.check_inflows(skimmed)
    elsewhere = copy.deepcopy(doc)
    elsewhere["restricted_funds"]["spending"][0]["purpose_code"] = "party"
    with pytest.raises(SystemExit):
        tool.check_inflows(elsewhere)


def test_red_flags_for_a_count_difference_a_beneficiary_twice_and_overbilling(world):
    from fundmgr.inflows.models import ContractLine
    from reports.redflags import inflows as rules
    from reports.redflags.inflow_facts import inflow_facts

    officer = world.memberships.get(role="officer").user
    line = ContractLine.objects.get(contract__community=world)
    inflows.delivery_bill(
        line=line, delivered_on=dt.date(2026, 4, 2), beneficiaries=["B7", "b 7"], user=officer
    )
    flags = rules.screen(**inflow_facts(world))
    assert sorted(fl.rule for fl in flags) == ["beneficiary_twice", "market_count"]
    twice = next(fl for fl in flags if fl.rule == "beneficiary_twice")
    assert twice.params == {"line": "GM-1/WH01", "times": 2, "month": "2026-04"}
    assert "B7" not in str(twice.evidence) and "B7" not in twice.key
    padded = rules.LineFact(
        1, "X/P", units_allowed=2, cap_allowed=16000, delivered=3, billed=24000, paid=0
    )
    assert [fl.rule for fl in rules.overbilled([padded])] == ["contract_overbilled"]


def test_the_public_pages_show_the_inflows_without_personal_data(world):
    from fundmgr.inflows.models import Donation

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = client.get("/c/IFL/fund/").content.decode()
    assert "和信助老基金" in page and "王**" in page and "王小明" not in page
    assert "不按70/25/5分成" in page and "两次清点不一致" in page
    named = client.get("/c/IFL/fund/HX/").content.decode()
    assert "¥2,600.00" in named and "3月助餐" in named
    burn = client.get("/c/IFL/contract/GM-1/").content.decode()
    assert "2026-03" in burn and "A1" not in burn
    assert "已提供并结算3个，已付款2个" in burn
    d = Donation.objects.get(reference="D1")
    receipt = client.get(f"/d/{d.receipt_code}/").content.decode()
    assert "50.00" in receipt and "王小明" not in receipt
    assert client.get("/d/0000-0000-0000-0000/").status_code == 404
    assert client.get("/c/IFL/contract/NOPE/").status_code == 404
    api = client.get("/api/v1/communities/IFL/inflows/").json()
    assert api["donations"]["by_kind"]["resident"] == "50.00"
    assert client.get("/api/v1/communities/NOPE/inflows/").status_code == 404
    month = client.get("/c/IFL/2026-03/").content.decode()
    assert "服务包收入的5%分成" in month and "GM-1" in month


def test_the_poster_counts_gifts_and_market_takings_in_and_only_payments_out(world, tmp_path):
    from decimal import Decimal

    from reports.models import Period
    from reports.notices import poster

    doc = _document()
    fund = poster.facts(Period.objects.get(community=world, month=dt.date(2026, 3, 1)))["fund"]
    opening = Decimal(doc["balances"]["opening"]["fund"])
    closing = Decimal(doc["balances"]["closing"]["fund"])
    # Nothing was paid from the fund in March (the ¥400 came out of the named fund), so
    # what the fund gained is all money in: the 5 % shares, the ¥250 of unrestricted
    # gifts and the stall's takings - not a negative "out".
    assert fund["out"] == Decimal("0.00")
    assert fund["in"] == closing - opening
    assert fund["in"] == Decimal(doc["totals"]["fund"]) + Decimal("250.00") + Decimal(
        doc["inflows_by_source"]["markets"]
    )
    assert fund["restricted"] == Decimal("2600.00")
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(Client().get("/c/IFL/2026-03/poster-a4.pdf").content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert f"¥{fund['in']:,.2f}" in text and "另有专项基金 ¥2,600.00" in text
    assert "本月没有场地协议" in text


def _fdp():
    import csv
    import io
    import zipfile

    response = Client().get("/api/v1/communities/IFL/periods/2026-03/fdp.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        package = json.loads(zf.read("datapackage.json"))
        tables = {
            r["name"]: list(csv.DictReader(io.StringIO(zf.read(r["path"]).decode())))
            for r in package["resources"]
        }
        everything = b"".join(zf.read(n) for n in zf.namelist()).decode()
    return package, tables, everything


def test_the_fiscal_data_package_carries_the_inflows_as_published(world):
    from decimal import Decimal

    doc = _document()
    package, tables, everything = _fdp()
    names = [r["name"] for r in package["resources"]]
    assert names == [
        "income",
        "inflows",
        "donations",
        "restricted_funds",
        "restricted_spending",
        "market_stalls",
        "contract_lines",
    ]
    for resource in package["resources"]:
        fields = resource["schema"]["fields"]
        # The CSV's columns are the schema's, and every amount is a decimal, never a float.
        assert list(tables[resource["name"]][0]) == [fl["name"] for fl in fields]
        assert all(
            fl["type"] in {"string", "date", "integer", "number", "boolean"} for fl in fields
        )
        for fl in fields:
            if fl["type"] == "number":
                assert all(
                    r[fl["name"]] == f"{Decimal(r[fl['name']]):.2f}"
                    for r in tables[resource["name"]]
                )

    def total(name, column, rows=None):
        return sum(Decimal(r[column]) for r in (rows or tables[name]))

    src = doc["inflows_by_source"]
    assert total("inflows", "amount") == Decimal(src["total"])
    assert [r["split_70_25_5"] for r in tables["inflows"]].count("true") == 1
    gifts = doc["donations"]
    assert total("donations", "amount") == Decimal(gifts["restricted"]) + Decimal(
        gifts["unrestricted"]
    )
    assert [r["donor"] for r in tables["donations"]] == [g["donor"] for g in gifts["lines"]]
    assert total("restricted_funds", "closing") == Decimal(src["restricted_closing"])
    hx = tables["restricted_funds"][0]
    assert (hx["opening"], hx["received"], hx["spent"], hx["closing"]) == (
        "0.00",
        "3000.00",
        "400.00",
        "2600.00",
    )
    assert total("restricted_spending", "amount") == Decimal(hx["spent"])
    to_fund = [r for r in tables["market_stalls"] if r["went_to"] == "fund"]
    assert total("market_stalls", "posted", to_fund) == Decimal(src["markets"])
    assert to_fund[0]["counts"] == "300.00/298.00" and to_fund[0]["count_difference"] == "true"
    (line,) = tables["contract_lines"]
    assert (line["month"], line["delivered"], line["paid"], line["left"]) == (
        "2026-03",
        "3",
        "2",
        "7",
    )
    assert line["billed_amount"] == "240.00"
    # Nothing personal: the resident donor masked exactly as published, no beneficiary
    # (neither an identifier as a cell nor its keyed token anywhere).
    from fundmgr.inflows.models import BeneficiaryToken

    assert "王小明" not in everything and "王**" in everything
    cells = {v for rows in tables.values() for r in rows for v in r.values()}
    assert not cells & {"A1", "A2", "A3"}
    tokens = list(BeneficiaryToken.objects.values_list("token", flat=True))
    assert tokens and not any(t in everything for t in tokens)


def test_the_period_statement_has_the_other_inflows_in_pdf_csv_and_xlsx(world, tmp_path):
    import io
    from decimal import Decimal

    from openpyxl import load_workbook

    from reports.auditor.formats import to_csv, to_pdf, to_xlsx
    from reports.auditor.statements import build
    from tests.reports.test_statements import fonts_of

    doc = _document()
    st = build(world, dt.date(2026, 3, 1), "period")
    sections = {s.heading: s for s in st.sections}
    by_source = sections["社区基金的其他收入"]
    assert by_source.rows[-1] == ["合计", "", doc["inflows_by_source"]["total"]]
    assert sum(Decimal(r[2]) for r in by_source.rows[:-1]) == Decimal(by_source.rows[-1][2])
    assert "不按70/25/5分成" in by_source.note
    gifts = next(s for h, s in sections.items() if h.startswith("其他收入·捐赠"))
    assert [r[2] for r in gifts.rows[:-1]] == ["王**", "和信科技有限公司", "李记面馆"]
    assert gifts.rows[-1][-1] == "3250.00"
    assert sections["其他收入·专项与冠名基金"].rows[-1][-1] == "2600.00"
    contracts = next(s for h, s in sections.items() if h.startswith("政府购买服务合同"))
    assert contracts.rows == [
        [
            "GM-1",
            "街道办事处",
            "服务包WH01（单价 80.00 元）",
            "3/2",
            "3/10",
            "7",
            "240.00",
            "160.00",
        ]
    ]
    # The fund's own movement counts the unrestricted gifts and the stall as money in:
    # nothing was paid from the fund (the ¥400 came out of the named fund).
    opening, inflow, outflow, closing = sections["社区基金变动"].rows[0]
    assert outflow == "0.00" and Decimal(opening) + Decimal(inflow) == Decimal(closing)
    assert not [n for n in st.notes if n.startswith("警告")]

    data = to_pdf(st)
    pdf = tmp_path / "period.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for words in ("社区基金的其他收入", "王**", "和信助老基金", "三月公益集市", "GM-1", "2600.00"):
        assert words in text, words
    assert "王小明" not in text
    from pypdf import PdfReader

    fonts = fonts_of(PdfReader(io.BytesIO(data)))
    assert fonts and all(embedded for _name, embedded in fonts), fonts
    assert any("WenQuanYiMicroHei" in name for name, _e in fonts)

    csv_text = to_csv(st)
    assert "社区基金的其他收入" in csv_text and "王**" in csv_text and "王小明" not in csv_text
    sheet = load_workbook(io.BytesIO(to_xlsx(st))).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "社区基金的其他收入" in cells and Decimal("2600.00") in cells
    assert "王小明" not in cells


def test_every_amount_on_the_public_inflow_pages_has_its_thousands_separator(world):
    """Issue 14: the fund, named-fund, contract and donation-receipt pages print amounts
    through |yuan - ¥3,000.00, never the document's bare ¥3000.00."""
    import re

    from fundmgr.inflows.models import Donation

    officer = world.memberships.get(role="officer").user
    reviewer = world.memberships.get(role="reviewer").user
    item = f.decided_item(world, officer, reviewer, held_on=dt.date(2026, 2, 21), title="合同二")
    contract = inflows.contract_create(
        community=world,
        buyer="区民政局",
        number="GM-2",
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 12, 31),
        decision=item,
        lines=[
            {
                "package": world.packages.get(code="WH01"),
                "units": 10,
                "unit_price": cny("1200.00"),
                "cap": cny("12000.00"),
            }
        ],
        user=officer,
    )
    inflows.delivery_bill(
        line=contract.lines.get(),
        delivered_on=dt.date(2026, 4, 2),
        beneficiaries=["C1", "C2"],
        user=officer,
    )
    client = Client()
    receipt = Donation.objects.get(reference="D2").receipt_code
    pages = {
        "fund": (client.get("/c/IFL/fund/"), ["¥3,000.00", "¥2,600.00"]),
        "named fund": (client.get("/c/IFL/fund/HX/"), ["¥3,000.00", "¥2,600.00"]),
        "contract": (client.get("/c/IFL/contract/GM-2/"), ["¥1,200.00", "¥12,000.00", "¥2,400.00"]),
        "receipt": (client.get(f"/d/{receipt}/"), ["¥3,000.00"]),
    }
    for name, (response, amounts) in pages.items():
        assert response.status_code == 200, name
        body = response.content.decode()
        for amount in amounts:
            assert amount in body, (name, amount)
        assert not re.search(r"¥-?\d{4}", body), name
        assert "¥¥" not in body, name
    # The market's two counts are amounts too: no longer bare 300.00 / 298.00.
    assert "¥300.00 / ¥298.00" in pages["fund"][0].content.decode()


def test_the_community_page_history_counts_gifts_in_and_only_payments_out(world):
    from decimal import Decimal

    doc = _document()
    response = Client().get("/c/IFL/")
    assert response.status_code == 200
    march = response.context["history"][-1]
    assert march["month"] == "2026-03" and march["outflow"] == "0.00"
    assert Decimal(march["inflow"]) == Decimal(doc["balances"]["closing"]["fund"]) - Decimal(
        doc["balances"]["opening"]["fund"]
    )
    assert march["opening"] == doc["balances"]["opening"]["fund"]
