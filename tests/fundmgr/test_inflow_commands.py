"""manage.py market and contract: the same flows as the pages from the shell; bad input
names the field, exits non-zero and writes nothing; identifiers are never printed."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command

from fundmgr.inflows.models import (
    BeneficiaryToken,
    ContractDelivery,
    ContractLine,
    CountSheet,
    LineExtension,
    Market,
    PurchaseContract,
    Stall,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-06-15 10:00 +08:00", tick=False):
        yield


@pytest.fixture
def world():
    c = f.community("CM")
    officer = f.user("cm-officer", (c, "officer"))
    reviewer = f.user("cm-reviewer", (c, "reviewer"))
    item = f.decided_item(c, officer, reviewer, held_on=dt.date(2026, 2, 20), title="合同")
    return {
        "c": c,
        "pkg": f.package(c, "WH01"),
        "officer": officer,
        "reviewer": reviewer,
        "decision": f"{item.meeting.reference}#{item.number}",
    }


def run(*args):
    """The command's output, or the CommandError it raised (a non-zero exit)."""
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False))
    return str(path)


MARKET = {
    "code": "M1",
    "name": "六月公益集市",
    "held_on": "2026-06-14",
    "stalls": [
        {"code": "S1", "name": "手工组", "holder": "group", "rule": "fund"},
        {"code": "S2", "name": "体验", "holder": "provider", "rule": "package", "package": "WH01"},
    ],
}


def test_a_market_is_created_counted_twice_and_posted(world, tmp_path):
    out = run(
        "market",
        "create",
        "CM",
        "--user",
        "cm-officer",
        "--json",
        write(tmp_path, "m.json", MARKET),
    )
    assert "recorded market M1 with 2 stalls" in out
    run(
        "market",
        "count",
        "CM",
        "M1",
        "--user",
        "cm-officer",
        "--stall",
        "S1=300.00",
        "--stall",
        "S2=200",
    )
    counts = write(tmp_path, "c.json", {"S1": "290.00", "S2": 200})
    run("market", "count", "CM", "M1", "--user", "cm-reviewer", "--json", counts)
    shown = run("market", "show", "CM", "M1")
    assert "S1" in shown and "DIFFERENT" in shown
    out = run("market", "post", "CM", "M1", "--user", "cm-officer")
    assert "posted market M1" in out and "S1 290.00 (fund): entry" in out
    m = Market.objects.get()
    assert m.posted and m.stalls.get(code="S2").income is not None


def test_the_same_person_counting_twice_exits_non_zero(world, tmp_path):
    run(
        "market",
        "create",
        "CM",
        "--user",
        "cm-officer",
        "--json",
        write(tmp_path, "m.json", MARKET),
    )
    args = (
        "market",
        "count",
        "CM",
        "M1",
        "--user",
        "cm-officer",
        "--stall",
        "S1=1",
        "--stall",
        "S2=1",
    )
    run(*args)
    with pytest.raises(CommandError, match="counted_by: .*第二次清点必须由另一个人录入"):
        run(*args)
    assert CountSheet.objects.count() == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"held_on": "2026-02-30"}, "held_on: not a date"),
        ({"code": ""}, "code: required"),
        (
            {"stalls": [{"code": "S1", "holder": "group", "rule": "fund"}]},
            r"stalls\[1\]\.name: required",
        ),
        (
            {"stalls": [{**MARKET["stalls"][1], "package": "NOPE"}]},
            r"stalls\[1\]\.package: no package",
        ),
        ({"stalls": [MARKET["stalls"][0], MARKET["stalls"][0]]}, "stalls: "),
        ({"stalls": []}, "stalls: 请至少填写一个摊位"),
    ],
)
def test_a_bad_market_file_names_the_field_and_writes_nothing(world, tmp_path, change, field):
    path = write(tmp_path, "m.json", {**MARKET, **change})
    with pytest.raises(CommandError, match=field):
        run("market", "create", "CM", "--user", "cm-officer", "--json", path)
    assert Market.objects.count() == 0 and Stall.objects.count() == 0


def test_a_bad_count_names_the_stall_and_writes_nothing(world, tmp_path):
    run(
        "market",
        "create",
        "CM",
        "--user",
        "cm-officer",
        "--json",
        write(tmp_path, "m.json", MARKET),
    )
    for stalls, message in (
        (["S1=1E3", "S2=1"], "stall S1: "),
        (["S1=-1", "S2=1"], "stall S1: "),
        (["S1=1"], "counts: 摊位S2"),
        (["S1=1", "S2=1", "S9=1"], "counts: 没有摊位 S9"),
        (["S1"], "--stall: CODE=AMOUNT"),
    ):
        args = [a for s in stalls for a in ("--stall", s)]
        with pytest.raises(CommandError, match=message):
            run("market", "count", "CM", "M1", "--user", "cm-officer", *args)
    with pytest.raises(CommandError, match="not JSON"):
        run(
            "market",
            "count",
            "CM",
            "M1",
            "--user",
            "cm-officer",
            "--json",
            write(tmp_path, "x", "{"),
        )
    # JSON numbers are read as text: an exponent is refused like a typed one, never a float.
    counts = write(tmp_path, "e.json", '{"S1": 1E3, "S2": 1}')
    with pytest.raises(CommandError, match="stall S1: "):
        run("market", "count", "CM", "M1", "--user", "cm-officer", "--json", counts)
    assert CountSheet.objects.count() == 0
    with pytest.raises(CommandError, match="必须由两个人各录入"):
        run("market", "post", "CM", "M1", "--user", "cm-officer")
    with pytest.raises(CommandError, match="no market"):
        run("market", "post", "CM", "M9", "--user", "cm-officer")


def _contract_json(world, **change):
    return {
        "buyer": "街道办事处",
        "number": "GM-1",
        "starts_on": "2026-03-01",
        "ends_on": "2026-12-31",
        "decision": world["decision"],
        "lines": [
            {"package": "WH01", "units": 3, "unit_price": "80.00", "cap": "240.00", "eligible": 40}
        ],
        **change,
    }


def test_a_contract_is_created_extended_and_billed(world, tmp_path, capsys):
    path = write(tmp_path, "c.json", _contract_json(world))
    assert "recorded contract GM-1 with 1 lines" in run(
        "contract", "create", "CM", "--user", "cm-officer", "--json", path
    )
    assert ContractLine.objects.get().eligible == 40
    out = run(
        "contract", "extend", "CM", "GM-1", "--package", "WH01", "--units", "2", "--cap", "160.00",
        "--decision", world["decision"], "--user", "cm-officer",
    )  # fmt: skip
    assert "now 5 units, 400.00" in out
    ids = ["110101199001011234", "110101199001015678", "110101199001019999"]
    out = run(
        "contract", "deliver", "CM", "GM-1", "--package", "WH01", "--date", "2026-06-10",
        "--beneficiaries", write(tmp_path, "ids.txt", "\n".join(ids) + "\n\n"), "--user", "cm-officer",
    )  # fmt: skip
    assert "billed 3 units (240.00)" in out and "2 units left" in out
    shown = run("contract", "show", "CM", "GM-1", "--json")
    doc = json.loads(shown)
    assert doc["lines"][0]["delivered"] == 3 and doc["lines"][0]["units_allowed"] == 5
    captured = capsys.readouterr()
    for i in ids:
        assert i not in out + shown + captured.out + captured.err
    assert BeneficiaryToken.objects.count() == 3 and LineExtension.objects.count() == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"decision": ""}, "decision: required"),
        ({"decision": "居议〔0〕号#1"}, "decision: no decision item"),
        (
            {"lines": [{"package": "WH01", "units": 3, "unit_price": "1E3", "cap": "240"}]},
            r"lines\[1\]\.unit_price: ",
        ),
        (
            {"lines": [{"package": "WH01", "units": 3, "unit_price": 80.001, "cap": "240"}]},
            r"lines\[1\]\.unit_price: ",
        ),
        (
            {"lines": [{"package": "WH01", "units": 0, "unit_price": "80", "cap": "240"}]},
            r"lines\[1\]\.units: ",
        ),
        (
            {"lines": [{"package": "NOPE", "units": 1, "unit_price": "80", "cap": "240"}]},
            r"lines\[1\]\.package: ",
        ),
        ({"ends_on": "2026-01-01"}, "ends_on: "),
        ({"starts_on": "1 March"}, "starts_on: not a date"),
    ],
)
def test_a_bad_contract_file_names_the_field_and_writes_nothing(world, tmp_path, change, field):
    path = write(tmp_path, "c.json", _contract_json(world, **change))
    with pytest.raises(CommandError, match=field):
        run("contract", "create", "CM", "--user", "cm-officer", "--json", path)
    assert PurchaseContract.objects.count() == 0 and ContractLine.objects.count() == 0


def test_billing_beyond_the_units_exits_non_zero_and_writes_nothing(world, tmp_path, capsys):
    run(
        "contract",
        "create",
        "CM",
        "--user",
        "cm-officer",
        "--json",
        write(tmp_path, "c.json", _contract_json(world)),
    )
    ids = [f"ID-SECRET-{n}" for n in range(4)]
    with pytest.raises(CommandError, match="contract_line: .*只剩3个单位") as exc:
        run(
            "contract", "deliver", "CM", "GM-1", "--package", "WH01", "--date", "2026-06-10",
            "--beneficiaries", write(tmp_path, "ids.txt", "\n".join(ids)), "--user", "cm-officer",
        )  # fmt: skip
    captured = capsys.readouterr()
    assert "ID-SECRET" not in str(exc.value) + captured.out + captured.err
    with pytest.raises(CommandError, match="--decision: no decision item"):
        run(
            "contract", "extend", "CM", "GM-1", "--package", "WH01", "--units", "1", "--cap", "1",
            "--decision", "nope", "--user", "cm-officer",
        )  # fmt: skip
    with pytest.raises(CommandError, match="--cap: "):
        run(
            "contract", "extend", "CM", "GM-1", "--package", "WH01", "--units", "1", "--cap", "1E3",
            "--decision", world["decision"], "--user", "cm-officer",
        )  # fmt: skip
    with pytest.raises(CommandError, match="没有.*角色"):
        run(
            "contract", "extend", "CM", "GM-1", "--package", "WH01", "--units", "1", "--cap", "1",
            "--decision", world["decision"], "--user", "cm-reviewer",
        )  # fmt: skip
    assert ContractDelivery.objects.count() == 0 and BeneficiaryToken.objects.count() == 0
    assert LineExtension.objects.count() == 0
