"""manage.py import_income: CSV and XLSX, English and Chinese, all rows or none."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from djmoney.money import Money
from openpyxl import Workbook

from fundmgr.models import Income, IncomeStatus
from ledger.models import Entry
from ledger.verify import verify
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English here; the command speaks the active language."""
    with translation.override("en"):
        yield


HEADER = [
    "community",
    "package",
    "tier",
    "amount",
    "currency",
    "paid_at",
    "payer",
    "method",
    "external_ref",
]
ZH_HEADER = ["社区", "服务包", "类别", "金额", "币种", "付款时间", "付款人", "支付方式", "流水号"]


@pytest.fixture
def world():
    c = f.community("SQA", threshold="5000")
    other = f.community("SQB")
    pkg = f.package(c, "YL01")
    f.package(other, "TY01")
    return c, pkg


def write_csv(tmp_path, rows, header=HEADER, encoding="utf-8", name="income.csv"):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    path = tmp_path / name
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def row(ref="WX1", amount="100.00", **kw):
    values = dict(
        community="SQA",
        package="YL01",
        tier="paid",
        amount=amount,
        currency="",
        paid_at="2026-03-05 10:30",
        payer="张三",
        method="wechat",
        external_ref=ref,
    )
    values.update(kw)
    return [values[k] for k in HEADER]


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_income", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fails(path, *args):
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_income", str(path), *args, stdout=io.StringIO(), stderr=err)
    return str(failure.value), err.getvalue()


def read_report(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_clean_csv_is_recorded_split_and_reported(world, tmp_path):
    path = write_csv(
        tmp_path, [row("WX1", "100.00"), row("WX2", "0.10"), row("WX3", "6000.00", method="bank")]
    )
    out, _ = run(path, "--report", str(tmp_path / "r.csv"))
    assert "3 rows: 2 recorded, 1 waiting for review, 0 already recorded, 0 bad." in out
    report = read_report(tmp_path / "r.csv")
    assert [r["status"] for r in report] == ["recorded"] * 3
    assert [(r["row"], r["provider"], r["hub"], r["fund"]) for r in report] == [
        ("2", "70.00", "25.00", "5.00"),
        ("3", "0.07", "0.02", "0.01"),
        ("4", "4200.00", "1500.00", "300.00"),
    ]
    incomes = {i.external_ref: i for i in Income.objects.all()}
    assert {r["receipt"] for r in report} == {i.receipt_display for i in incomes.values()}
    assert incomes["WX3"].status == IncomeStatus.PENDING
    assert Entry.objects.count() == 2
    assert all(r.ok for r in verify())


def test_chinese_headers_values_and_gb18030_are_read(world, tmp_path):
    rows = [
        ["SQA", "YL01", "低偿", "¥1,234.50", "CNY", "2026/03/05", "李四", "现金", "现金-001"],
        ["SQA", "YL01", "公益", "80", "", "2026-03-06T09:00:00+08:00", "", "银行转账", "B2"],
    ]
    path = write_csv(tmp_path, rows, header=ZH_HEADER, encoding="gb18030")
    out, _ = run(path)
    assert "2 recorded" in out
    low = Income.objects.get(external_ref="现金-001")
    assert (low.tier, low.method, low.amount) == ("low_cost", "cash", Money("1234.50", "CNY"))
    assert low.paid_at == dt.datetime(2026, 3, 4, 16, 0, tzinfo=dt.UTC)  # midnight Shanghai


def test_utf8_with_bom_and_utf16_are_read(world, tmp_path):
    run(write_csv(tmp_path, [row("A")], header=ZH_HEADER, encoding="utf-8-sig", name="a.csv"))
    run(write_csv(tmp_path, [row("B")], encoding="utf-16", name="b.csv"))
    assert set(Income.objects.values_list("external_ref", flat=True)) == {"A", "B"}


def test_an_xlsx_first_sheet_with_numbers_and_dates_is_read(world, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(
        [
            "SQA",
            "YL01",
            "paid",
            12.3,
            None,
            dt.datetime(2026, 3, 5, 8, 0),
            "王五",
            "alipay",
            20260305001,
        ]
    )
    ws.append(["SQA", "YL01", "有偿", 100, "CNY", dt.date(2026, 3, 6), None, "微信", "X2"])
    ws.append([None] * len(HEADER))  # the blank rows spreadsheets end with
    wb.create_sheet("ignored").append(["nothing", "here"])
    wb.save(tmp_path / "in.xlsx")
    out, _ = run(tmp_path / "in.xlsx")
    assert "2 recorded" in out
    first = Income.objects.get(external_ref="20260305001")
    assert first.amount.amount == Decimal("12.30")
    assert first.method == "alipay"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (row("B", "-5.00"), "more than zero"),
        (row("B", "0"), "more than zero"),
        (row("B", "10.005"), "more than two decimal places"),
        (row("B", "99999999999.00"), "largest single income"),
        (row("B", "1e5"), "is not a number"),
        (row("B", "12,34.5"), "is not a number"),
        (row("B", currency="USD"), "keeps its books in CNY"),
        (row("B", currency="XYZ"), "currency"),
        (row("B", community="NOPE"), "community 'NOPE' does not exist"),
        (row("B", package="TY01"), "package 'TY01' does not exist in community SQA"),
        (row("B", tier="vip"), "tier 'vip'"),
        (row("B", method="比特币"), "method '比特币'"),
        (row("B", paid_at="05/03/2026"), "paid_at '05/03/2026' is not a date"),
        (row("B", paid_at="2026-02-30"), "is not a date"),
        (row("B", paid_at="2999-01-01"), "in the future"),
        (row("B", paid_at=""), "paid_at is empty"),
        (row(""), "external_ref (流水号) is empty"),
        (row("A"), "external_ref A repeats row 2"),
    ],
)
def test_one_bad_row_fails_the_file_names_the_row_and_writes_nothing(world, tmp_path, bad, message):
    path = write_csv(tmp_path, [row("A"), row("C"), bad])
    summary, err = fails(path, "--report", str(tmp_path / "r.csv"))
    assert "1 bad rows: nothing was written" in summary
    assert "row 4 (张三, " in err and message in err  # the row, with its cells as read
    assert Income.objects.count() == 0 and Entry.objects.count() == 0
    report = read_report(tmp_path / "r.csv")
    assert [(r["row"], r["status"]) for r in report] == [
        ("2", "skipped"),
        ("3", "skipped"),
        ("4", "error"),
    ]
    assert message in report[2]["message"]


def test_a_bad_row_after_chunks_were_recorded_takes_them_back(world, tmp_path, monkeypatch):
    """Chunks are recorded as soon as they are checked: a bad row further on (or a file
    that breaks further on) rolls back what went in before it, and the report is the
    check report of every row."""
    from fundmgr.imports import batch as importer
    from ledger.models import Book

    monkeypatch.setattr(importer, "CHUNK", 2)
    heads = list(Book.objects.order_by("pk").values_list("last_seq", "head_hash"))
    rows = [row(f"R{i}") for i in range(5)] + [row("BAD", amount="-1"), row("R9")]
    summary, err = fails(write_csv(tmp_path, rows), "--report", str(tmp_path / "r.csv"))
    assert "1 bad rows: nothing was written" in summary and "row 7 (" in err
    assert Income.objects.count() == 0 and Entry.objects.count() == 0
    assert list(Book.objects.order_by("pk").values_list("last_seq", "head_hash")) == heads
    report = read_report(tmp_path / "r.csv")
    assert [r["status"] for r in report] == ["skipped"] * 5 + ["error", "skipped"]
    assert all(r["receipt"] == "" for r in report)

    broken = write_csv(tmp_path, rows[:5])
    broken.write_bytes(broken.read_bytes() + b"SQA,YL01,paid,1,,2026-03-05,\xff,cash,X\r\n")
    message, _ = fails(broken)
    assert "Line 7 is not valid" in message
    assert Income.objects.count() == 0 and Entry.objects.count() == 0


def test_a_formula_in_a_cell_is_never_echoed_live(world, tmp_path):
    evil = '=HYPERLINK("http://evil.example","点我")'
    path = write_csv(tmp_path, [row(evil, payer=evil), row("+cmd", community="@SUM(A1)")])
    fails(path, "--report", str(tmp_path / "r.csv"))
    text = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    for cell in csv.reader(io.StringIO(text)):
        for value in cell:
            assert not value.startswith(("=", "+", "-", "@")), value
    assert "'=HYPERLINK" in text


def test_reimporting_skips_what_is_recorded_and_refuses_changed_details(world, tmp_path):
    run(write_csv(tmp_path, [row("A"), row("B")]))
    out, _ = run(
        write_csv(tmp_path, [row("A"), row("B"), row("C")]), "--report", str(tmp_path / "r.csv")
    )
    assert "1 recorded, 0 waiting for review, 2 already recorded" in out
    assert [r["status"] for r in read_report(tmp_path / "r.csv")] == [
        "skipped",
        "skipped",
        "recorded",
    ]
    _, err = fails(write_csv(tmp_path, [row("A", "200.00")]))
    assert "already recorded" in err and "different details" in err
    assert Income.objects.count() == 3


def test_a_dry_run_checks_everything_and_writes_nothing(world, tmp_path):
    out, _ = run(write_csv(tmp_path, [row("A"), row("B")]), "--dry-run")
    assert "2 ready. Nothing was written." in out
    assert Income.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (",".join(HEADER).encode() + b"\r\n", "header but no rows"),
        (b"community,package,amount\r\nSQA,YL01,1\r\n", "lacks the column(s): tier, paid_at"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "Old .xls"),
        (b"PK\x03\x04 not really a zip", "cannot be opened"),
        (b"amount,\xe9\x87\x91\xe9\xa2\x9d\r\n", "Column amount appears twice"),
        (b"\x00\x9f\x92\x96 binary junk\r\n", "Line 1 is not valid GB18030 text"),
        (
            b"\xef\xbb\xbf" + ",".join(HEADER).encode() + b"\r\n\xff\xfe,1\r\n",
            "Line 2 is not valid UTF-8 text",
        ),
        (b"amount,x\r\n1,2\r\n", "lacks the column(s): community, package, tier"),
    ],
)
def test_unreadable_files_are_refused_whole(world, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    summary, _ = fails(path)
    assert message in summary
    assert Income.objects.count() == 0


def test_a_missing_file_or_user_is_a_clear_error(world, tmp_path):
    assert "no such file" in fails(tmp_path / "nope.csv")[0]
    assert "no such user: ghost" in fails(write_csv(tmp_path, [row()]), "--user", "ghost")[0]


def test_importing_as_a_user_needs_their_officer_role_per_community(world, tmp_path):
    c, _ = world
    officer = f.user("li", (c, "officer"))
    path = write_csv(tmp_path, [row("A"), row("B", community="SQB", package="TY01")])
    _, err = fails(path, "--user", "li")
    assert "row 3 (" in err and "): you are not a finance officer of community SQB" in err
    out, _ = run(write_csv(tmp_path, [row("A")], name="ok.csv"), "--user", "li")
    assert Income.objects.get().recorded_by == officer


def test_the_command_speaks_chinese_by_default(world, tmp_path):
    with translation.override("zh-hans"):
        _, err = fails(write_csv(tmp_path, [row("A", "-1")]))
    assert "第 2 行（张三, " in err and "）：金额必须大于零" in err


def test_rows_dated_in_a_closed_month_are_announced_and_booked_as_adjustments(world, tmp_path):
    import datetime as dt

    import time_machine

    from reports.services import period_close

    c, _pkg = world
    with time_machine.travel(dt.datetime(2026, 4, 10, 2, tzinfo=dt.UTC), tick=True):
        period_close(community=c, month=dt.date(2026, 3, 1), actor="officer")
        path = write_csv(
            tmp_path,
            [row("WX1", paid_at="2026-03-05 10:30"), row("WX2", paid_at="2026-04-02 10:30")],
        )
        out, _ = run(path, "--dry-run")
        assert "1 rows are dated inside a closed month" in out
        out, _ = run(path, "--report", str(tmp_path / "r.csv"))
        assert "1 rows are dated inside a closed month" in out
    first, second = read_report(tmp_path / "r.csv")
    assert first["message"] == "booked on 2026-04-01 as an adjustment to 2026-03"
    assert second["message"] == ""
