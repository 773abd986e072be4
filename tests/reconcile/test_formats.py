"""Each statement format read from a file generated here, in the encodings the
platforms and banks use; bad files refused naming the row, with nothing kept."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from fundmgr.reconcile import formats, samples
from fundmgr.reconcile.models import Statement, StatementLine
from fundmgr.reconcile.services import StatementRefused, mapping_save, statement_import

from .conftest import sample

D = dt.date(2026, 3, 2)


def write(tmp_path, name, text, encoding="utf-8-sig"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_a_wechat_trade_bill_in_gb18030_is_read_past_its_summary_lines(world, tmp_path):
    c, _pkg, officer, _r = world
    text = samples.wechat_trades(
        [
            sample(D, 1800, "4200001", "SQR-1", memo="长者助餐", fee_fen=11),
            sample(D, 3600, "4200002", "SQR-2", memo="长者助餐", fee_fen=22),
            sample(D + dt.timedelta(days=1), -1800, "4200001", "SQR-1"),
        ]
    )
    path = write(tmp_path, "wx.csv", text, "gb18030")
    result = statement_import(community=c, format="wechat_trades", path=path, user=officer)
    assert result.lines == 3 and result.skipped == 0
    lines = list(StatementLine.objects.order_by("id"))
    assert [x.amount_fen for x in lines] == [1800, 3600, -1800]
    assert [x.balance_fen for x in lines] == [1800, 5400, 3600]
    assert lines[0].reference == "4200001" and "SQR-1" in lines[0].other_refs
    assert lines[0].fee_fen == 11 and lines[0].account_code == "1012.01"
    assert lines[2].reference == "4200001T"  # the refund's own number
    assert lines[0].counterparty == ""  # the payer's openid is not kept


def test_importing_the_same_bill_twice_keeps_each_line_once(world, tmp_path):
    c, _pkg, officer, _r = world
    path = write(tmp_path, "wx.csv", samples.wechat_trades([sample(D, 1800, "4200001", "R1")]))
    statement_import(community=c, format="wechat_trades", path=path, user=officer)
    again = statement_import(community=c, format="wechat_trades", path=path, user=officer)
    assert (again.statement, again.lines, again.skipped) == (None, 0, 1)
    assert StatementLine.objects.count() == 1 and Statement.objects.count() == 1


def test_wechat_totals_that_disagree_with_the_rows_refuse_the_file(world, tmp_path):
    c, _pkg, officer, _r = world
    text = samples.wechat_trades([sample(D, 1800, "4200001", "R1")]).replace(
        "`18.00,`0.00,`0.00", "`19.00,`0.00,`0.00"
    )
    path = write(tmp_path, "wx.csv", text)
    with pytest.raises(StatementRefused) as exc:
        statement_import(community=c, format="wechat_trades", path=path, user=officer)
    assert "应结订单总金额" in " ".join(exc.value.messages)
    assert not StatementLine.objects.exists()


def test_a_wechat_fund_bill_checks_its_running_balance(world, tmp_path):
    c, _pkg, officer, _r = world
    good = samples.wechat_funds([sample(D, 5000, "F1", "R1"), sample(D, -2000, "F2", "JS-1")])
    result = statement_import(
        community=c, format="wechat_funds", path=write(tmp_path, "f.csv", good), user=officer
    )
    assert result.statement.balance_stated and result.statement.closing_fen == 3000
    bad = samples.wechat_funds(
        [sample(D, 5000, "F3", "R3"), sample(D, -2000, "F4", "JS-2")]
    ).replace("`30.00", "`31.00")
    with pytest.raises(StatementRefused) as exc:
        statement_import(
            community=c, format="wechat_funds", path=write(tmp_path, "g.csv", bad), user=officer
        )
    assert exc.value.rows[0][0] == 6  # the row a spreadsheet shows
    assert StatementLine.objects.count() == 2


def test_an_alipay_account_statement_is_read_between_its_hash_lines(world, tmp_path):
    c, _pkg, officer, _r = world
    text = samples.alipay(
        [
            sample(D, 12000, "2026030200001", "SQR-9", counterparty="z***@163.com"),
            sample(D, -500, "2026030200002", "JS-1"),
        ],
        opening_fen=10000,
    )
    result = statement_import(
        community=c, format="alipay", path=write(tmp_path, "a.csv", text, "gb18030"), user=officer
    )
    assert result.statement.account_code == "1012.02"
    assert (result.statement.opening_fen, result.statement.closing_fen) == (10000, 21500)
    assert [x.amount_fen for x in StatementLine.objects.order_by("id")] == [12000, -500]


def test_a_bank_statement_needs_its_columns_once_and_then_reads_csv_and_xlsx(world, tmp_path):
    c, _pkg, officer, _r = world
    rows = [
        sample(D, 100000, "B001", counterparty="某某街道办事处", memo="政府购买服务"),
        sample(D, -30000, "B002", memo="结算 SQR-JS-1"),
    ]
    path = write(
        tmp_path, "bank.csv", samples.bank_csv(rows, opening_fen=500000, newest_first=True)
    )
    with pytest.raises(ValidationError) as exc:
        statement_import(community=c, format="bank", bank="工商银行", path=path, user=officer)
    assert "bank" in exc.value.message_dict
    mapping_save(community=c, bank="工商银行", columns=samples.BANK_COLUMNS, user=officer)
    result = statement_import(community=c, format="bank", bank="工商银行", path=path, user=officer)
    assert (result.statement.opening_fen, result.statement.closing_fen) == (500000, 570000)
    assert [x.amount_fen for x in StatementLine.objects.order_by("id")] == [100000, -30000]
    xlsx = tmp_path / "bank.xlsx"
    samples.bank_xlsx([sample(D + dt.timedelta(days=1), 2500, "B003")], xlsx, opening_fen=570000)
    again = statement_import(community=c, format="bank", bank="工商银行", path=xlsx, user=officer)
    assert again.lines == 1 and StatementLine.objects.get(reference="B003").balance_fen == 572500


def test_a_mapping_without_a_date_or_amount_is_refused(world):
    c, _pkg, officer, _r = world
    with pytest.raises(ValidationError):
        mapping_save(
            community=c,
            bank="建设银行",
            columns={"date": "日期", "reference": "流水号"},
            user=officer,
        )


@pytest.mark.parametrize(
    ("bad", "needle"),
    [("12.345", "12.345"), ("abc", "abc"), ("=HYPERLINK(1)", "HYPERLINK")],
)
def test_a_bad_amount_is_named_with_its_row(world, tmp_path, bad, needle):
    c, _pkg, officer, _r = world
    text = samples.alipay([sample(D, 12000, "A1"), sample(D, 500, "A2")]).replace(
        ",120.00,", f",{bad},", 1
    )
    with pytest.raises(StatementRefused) as exc:
        statement_import(
            community=c, format="alipay", path=write(tmp_path, "a.csv", text), user=officer
        )
    row, message = exc.value.rows[0]
    assert row == 6 and needle in message
    assert not Statement.objects.exists()


def test_empty_wrong_and_headerless_files_are_refused(world, tmp_path):
    c, _pkg, officer, _r = world
    for content in (b"", b"\xd0\xcf\x11\xe0 old xls", "只是一些文字\n没有表头\n".encode()):
        path = tmp_path / "x.csv"
        path.write_bytes(content)
        with pytest.raises(ValidationError) as exc:
            statement_import(community=c, format="wechat_trades", path=path, user=officer)
        assert "file" in exc.value.message_dict


def test_a_duplicate_transaction_number_in_one_file_is_an_error(world, tmp_path):
    c, _pkg, officer, _r = world
    text = samples.wechat_funds([sample(D, 100, "F1"), sample(D, 100, "F1")])
    with pytest.raises(StatementRefused) as exc:
        statement_import(
            community=c, format="wechat_funds", path=write(tmp_path, "f.csv", text), user=officer
        )
    assert "F1" in exc.value.rows[0][1]


def test_someone_without_the_officer_role_cannot_import(world, tmp_path):
    c, _pkg, _officer, reviewer = world
    path = write(tmp_path, "wx.csv", samples.wechat_trades([sample(D, 1800, "4200001")]))
    with pytest.raises(PermissionError):
        statement_import(community=c, format="wechat_trades", path=path, user=reviewer)


def test_cells_are_cleaned_of_backticks_and_excel_wrappers():
    assert formats.clean("`4200001") == "4200001"
    assert formats.clean('="0012"') == "0012"
    assert formats.header_key("收入金额（+元）") == formats.header_key("收入金额(+元)")
    assert formats.amount_fen("1,234.50", "x") == 123450
    with pytest.raises(ValueError):
        formats.amount_fen("1.234", "x")


def test_the_command_imports_and_refuses_with_a_non_zero_exit(world, tmp_path):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    c, _pkg, officer, _r = world
    good = write(tmp_path, "f.csv", samples.wechat_funds([sample(D, 5000, "F1", "R1")]))
    out = io.StringIO()
    call_command(
        "import_statement", c.code, str(good), format="wechat_funds", user="officer", stdout=out
    )
    assert "imported 1 lines" in out.getvalue()
    bad = write(
        tmp_path,
        "g.csv",
        samples.wechat_funds([sample(D, 5000, "F2")])
        .replace("`50.00`", "x", 1)
        .replace(",`50.00,", ",`5x,"),
    )
    with pytest.raises(CommandError):
        call_command(
            "import_statement",
            c.code,
            str(bad),
            format="wechat_funds",
            user="officer",
            stderr=io.StringIO(),
        )
    assert StatementLine.objects.count() == 1
