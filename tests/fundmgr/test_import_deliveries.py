"""import_deliveries: contract-billed 公益 deliveries like income and donations - Chinese
headers in UTF-8, GB18030 or XLSX, each row through delivery_bill, all rows or none, the
bad rows named with their field, a non-zero exit on any."""

import datetime as dt

import pytest
import time_machine
from django.core.management import CommandError, ManagementUtility, call_command
from django.utils import translation
from djmoney.money import Money
from openpyxl import Workbook

from fundmgr.inflows import services as inflows
from fundmgr.inflows.imports import import_deliveries, split_beneficiaries
from fundmgr.inflows.models import BeneficiaryToken, ContractDelivery
from ledger.models import Entry
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADER = "合同编号,服务项目,服务日期,数量,受益人标识,备注\n"


def cny(v):
    return Money(v, "CNY")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-06-15 10:00 +08:00", tick=False), translation.override("en"):
        yield


@pytest.fixture
def world():
    c = f.community("IMV")
    officer = f.user("imv-officer", (c, "officer"))
    reviewer = f.user("imv-reviewer", (c, "reviewer"))
    meals, visits = f.package(c, "WH01"), f.package(c, "WH02")
    item = f.decided_item(c, officer, reviewer, held_on=dt.date(2024, 12, 20), title="合同")
    inflows.contract_create(
        community=c,
        buyer="街道办事处",
        number="GM-1",
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 12, 31),
        decision=item,
        lines=[
            {"package": meals, "units": 5, "unit_price": cny("80.00"), "cap": cny("400.00")},
            {"package": visits, "units": 10, "unit_price": cny("10.00"), "cap": cny("50.00")},
        ],
        user=officer,
    )
    inflows.contract_create(
        community=c,
        buyer="民政局",
        number="OLD",
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 12, 31),
        decision=item,
        lines=[{"package": meals, "units": 5, "unit_price": cny("8.00"), "cap": cny("40.00")}],
        user=officer,
    )
    return {"c": c, "officer": officer, "reviewer": reviewer}


def _csv(tmp_path, body: str, encoding="utf-8", header=HEADER, name="deliveries.csv"):
    path = tmp_path / name
    path.write_bytes((header + body).encode(encoding))
    return str(path)


def _run(path, world, *extra):
    call_command(
        "import_deliveries", path, "--community", "IMV", "--user", world["officer"].username, *extra
    )


GOOD = (
    "GM-1,WH01,2026-03-04,2,A1、A2,三月助餐\n"
    'GM-1,WH02,2026-03-05,3,"B1; B2;B3",上门探访\n'
    "GM-1,WH01,2026-04-02,1,A1,\n"
)


def test_a_good_utf8_file_bills_every_row(tmp_path, world, capsys):
    _run(_csv(tmp_path, GOOD), world)
    assert "billed 3 deliveries (6 units)" in capsys.readouterr().out
    rows = list(ContractDelivery.objects.order_by("pk").values_list("line__package__code", "units"))
    assert rows == [("WH01", 2), ("WH02", 3), ("WH01", 1)]
    assert ContractDelivery.objects.get(units=3).amount == cny("30.00")
    # Identifiers kept only as keyed tokens.
    tokens = set(BeneficiaryToken.objects.values_list("token", flat=True))
    assert len(tokens) == 5 and inflows.beneficiary_token("B2") in tokens
    assert not tokens & {"A1", "A2", "B1", "B2", "B3"}


def test_a_gb18030_file_with_english_or_chinese_headers(tmp_path, world):
    path = _csv(tmp_path, GOOD, encoding="gb18030")
    result = import_deliveries(path, community=world["c"], user=world["officer"])
    assert (result.recorded, result.units, result.errors) == (3, 6, [])
    english = "contract,package,delivered_on,units,beneficiaries\n"
    path = _csv(tmp_path, "GM-1,WH02,2026-05-05,1,C9\n", header=english, name="en.csv")
    assert import_deliveries(path, community=world["c"], user=world["officer"]).recorded == 1
    assert ContractDelivery.objects.count() == 4


def test_an_xlsx_file_with_date_and_number_cells(tmp_path, world):
    wb = Workbook()
    ws = wb.active
    ws.append(["合同编号", "服务项目", "服务日期", "数量", "受益人标识", "备注"])
    ws.append(["GM-1", "WH01", dt.datetime(2026, 3, 4), 2, "A1、A2", "助餐"])
    ws.append(["GM-1", "WH02", dt.date(2026, 3, 5), 1, "B1", None])
    path = tmp_path / "d.xlsx"
    wb.save(path)
    result = import_deliveries(path, community=world["c"], user=world["officer"])
    assert (result.recorded, result.units, result.errors) == (2, 3, [])
    assert [d.delivered_on for d in ContractDelivery.objects.order_by("pk")] == [
        dt.date(2026, 3, 4),
        dt.date(2026, 3, 5),
    ]


@pytest.mark.parametrize(
    ("body", "row", "expected"),
    [
        # 4 + 2 units on a line of 5.
        (
            "GM-1,WH01,2026-03-04,4,A1、A2、A3、A4,\nGM-1,WH01,2026-03-05,2,A5;A6,\n",
            3,
            "合同编号: Line GM-1/WH01 has 1 units",
        ),
        # 6 × ¥10 on a cap of ¥50, within its 10 units.
        (
            "GM-1,WH02,2026-03-04,6,B1;B2;B3;B4;B5;B6,\n",
            2,
            "合同编号: Line GM-1/WH02 has 9 units and CN¥40.00 left",
        ),
        (
            "OLD,WH01,2026-03-04,1,A1,\n",
            2,
            "合同编号: Contract OLD runs from 2025-01-01 to 2025-12-31",
        ),
        ("NOPE,WH01,2026-03-04,1,A1,\n", 2, "合同编号: There is no contract NOPE in IMV."),
        (
            "GM-1,ZZ99,2026-03-04,1,A1,\n",
            2,
            "服务项目: Contract GM-1 has no line for the package ZZ99.",
        ),
        (
            "GM-1,WH01,2026-03-04,2,A1、a 1,\n",
            2,
            "受益人标识: identifiers 1 and 2 are the same beneficiary",
        ),
        (
            "GM-1,WH01,2026-03-04,1,A1,\nGM-1,WH01,2026-03-20,1,A1,\n",
            3,
            "受益人标识: identifier 1 is a beneficiary already billed on line GM-1/WH01 in "
            "2026-03 (row 3 of this file)",
        ),
        ("GM-1,WH01,2026-03-04,3,A1、A2,\n", 2, "数量: 3 units but 2 beneficiary identifiers"),
        ("GM-1,WH01,2026-03-04,two,A1,\n", 2, "数量: 'two' is not a whole number"),
        ("GM-1,WH01,2026-03-04,0,,\n", 2, "受益人标识: Enter one beneficiary identifier per unit"),
        ("GM-1,WH01,2026-13-04,1,A1,\n", 2, "服务日期: '2026-13-04' is not a date"),
        ("GM-1,WH01,2026-07-01,1,A1,\n", 2, "服务日期: Enter the date (not later than today)."),
        ("GM-1,WH01,2026-03-04,1,A1," + "长" * 201 + "\n", 2, "备注: at most 200 characters."),
    ],
)
def test_each_refusal_names_the_row_and_field_and_writes_nothing(
    tmp_path, world, capsys, body, row, expected
):
    entries = Entry.objects.count()
    good = "GM-1,WH02,2026-03-01,1,Z9,\n"
    with pytest.raises(CommandError) as exc:
        _run(_csv(tmp_path, good + body), world)
    assert exc.value.returncode == 1 and "nothing was written" in str(exc.value)
    err = capsys.readouterr().err
    (line,) = [ln for ln in err.splitlines() if ln.startswith(f"row {row + 1}: ")]
    assert expected in line, err
    assert "row 2:" not in err  # the good row is not blamed
    assert ContractDelivery.objects.count() == 0 and BeneficiaryToken.objects.count() == 0
    assert Entry.objects.count() == entries


def test_a_second_run_of_the_same_file_is_refused_whole(tmp_path, world, capsys):
    path = _csv(tmp_path, GOOD)
    _run(path, world)
    with pytest.raises(CommandError):
        _run(path, world)
    err = capsys.readouterr().err
    assert "already recorded" in err and "row 2:" in err and "row 4:" in err
    assert ContractDelivery.objects.count() == 3


def test_a_dry_run_checks_and_writes_nothing(tmp_path, world, capsys):
    _run(_csv(tmp_path, GOOD), world, "--dry-run")
    assert "would bill 3 deliveries (6 units); nothing was written" in capsys.readouterr().out
    assert ContractDelivery.objects.count() == 0


def test_exit_codes_from_the_command_line(tmp_path, world, monkeypatch):
    # run_from_argv closes every connection when done: on PostgreSQL that would close the
    # test's own transaction under it.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    good, bad = _csv(tmp_path, GOOD), _csv(tmp_path, "NOPE,WH01,2026-03-04,1,A1,\n", name="b.csv")
    args = ["manage.py", "import_deliveries", "--community", "IMV", "--user", "imv-officer"]
    ManagementUtility([*args, good, "--dry-run"]).execute()  # returns: exit 0
    for path in (bad, str(tmp_path / "missing.csv")):
        with pytest.raises(SystemExit) as exc:
            ManagementUtility([*args, path]).execute()
        assert exc.value.code == 1
    assert ContractDelivery.objects.count() == 0


def test_a_missing_column_a_stranger_or_an_unknown_community_is_refused(tmp_path, world):
    path = _csv(tmp_path, "GM-1,WH01,2026-03-04,1\n", header="合同编号,服务项目,服务日期,数量\n")
    with pytest.raises(CommandError, match=r"beneficiaries \(受益人标识\)"):
        _run(path, world)
    good = _csv(tmp_path, GOOD, name="g.csv")
    stranger = f.user("imv-stranger")
    with pytest.raises(CommandError, match="no officer role|You have no"):
        call_command("import_deliveries", good, "--community", "IMV", "--user", stranger.username)
    with pytest.raises(CommandError, match="no such community"):
        call_command("import_deliveries", good, "--community", "ZZZ", "--user", "imv-officer")
    assert ContractDelivery.objects.count() == 0


def test_the_errors_are_in_chinese(tmp_path, world, capsys):
    path = _csv(tmp_path, "GM-1,ZZ99,2026-03-04,3,A1、A1,\n", encoding="gb18030")
    with translation.override("zh-hans"), pytest.raises(CommandError) as exc:
        _run(path, world)
    err = capsys.readouterr().err
    assert "第2行：服务项目：合同GM-1没有服务包ZZ99的条目。" in err, err
    assert "数量：3个单位，但只有2个受益人标识" in err
    assert "受益人标识：第1个和第2个受益人标识是同一人" in err
    assert "1行有误：未写入任何记录" in str(exc.value)


def test_identifiers_split_on_the_chinese_and_ascii_separators():
    assert split_beneficiaries("A1、A2；A3; A4\nA5;;") == ["A1", "A2", "A3", "A4", "A5"]
    assert split_beneficiaries(None) == []
