"""PDF statements read back with pypdf: amounts and Chinese labels equal the ledger, every
font embedded, page numbering and digest on every page; pdftoppm renders a page."""

import datetime as dt
import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from pypdf import PdfReader

from fundmgr.services.income import income_approve, income_record, income_reverse
from ledger.selectors import net_by_account
from reports.auditor.formats import to_csv, to_pdf, to_xlsx
from reports.auditor.statements import build
from reports.services import period_close, period_publish
from tests import factories as f

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 1)


@pytest.fixture
def month():
    c = f.community("SQS", threshold="5000")
    pkg = f.package(c, "YL01")
    officer = f.user("officer", (c, "officer"))
    reviewer = f.user("reviewer", (c, "reviewer"))
    incomes = []
    for day, amount in ((2, "1234.56"), (9, "0.10"), (17, "33.33"), (20, "8000.00")):
        income, _ = income_record(
            f.draft(
                c,
                pkg,
                amount,
                paid_at=timezone.make_aware(dt.datetime(2026, 3, day, 9)),
                method="bank",
            ),
            recorded_by=officer,
        )
        incomes.append(income)
    income_approve(income=incomes[3], reviewer=reviewer, note="合同已核")
    income_reverse(income=incomes[2], actor=officer, reason="重复登记")
    period_close(
        community=c,
        month=MARCH,
        actor="officer",
        confirmed_by="reviewer",
        today=dt.date(2026, 4, 2),
    )
    period_publish(community=c, month=MARCH, actor="officer")
    return c, pkg, incomes


def text_of(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def fonts_of(reader: PdfReader) -> list[tuple[str, bool]]:
    found = []
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            embedded = bool(
                descriptor
                and any(
                    k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
                )
            )
            found.append((str(font.get("/BaseFont")), embedded))
    return found


@pytest.mark.parametrize("kind", ["period", "trial-balance", "journal", "audit-trail", "party"])
def test_every_statement_embeds_its_fonts_and_numbers_its_pages(month, kind):
    c, pkg, _ = month
    st = build(c, MARCH, kind, party="fund" if kind == "party" else None)
    reader, text = text_of(to_pdf(st))
    fonts = fonts_of(reader)
    assert fonts and all(embedded for _name, embedded in fonts), fonts
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        page_text = page.extract_text()
        assert f"第 {number} 页 / 共 {total} 页" in page_text
        assert st.digest[:32] in page_text.replace("\n", "")
        assert c.name in page_text


def test_the_period_statement_ties_to_the_published_digest_and_the_ledger(month):
    c, pkg, incomes = month
    st = build(c, MARCH, "period")
    assert st.digest == c.periods.get(month=MARCH).disclosure.digest
    _, text = text_of(to_pdf(st))
    for label in (
        "收入与分配合计",
        "按类别",
        "按专业机构",
        "社区基金变动",
        "期初与期末余额",
        "Merkle 树头",
    ):
        assert label in text
    fund = -net_by_account(c.book, through=dt.date(2026, 3, 31))["3101"]
    assert f"{Decimal(fund) / 100:.2f}" in text
    gross = sum(i.amount.amount for i in incomes)
    assert f"{gross:.2f}" in text  # 收入合计
    assert "扫码查看公示页面" in text and "/c/SQS/2026-03/" in text


def test_the_journal_shows_every_voucher_with_capitals_and_hashes(month):
    c, _, incomes = month
    st = build(c, MARCH, "journal")
    _, text = text_of(to_pdf(st))
    flat = text.replace("\n", "")
    entries = list(c.book.entries.filter(date__lte=dt.date(2026, 3, 31)).order_by("seq"))
    assert len(st.vouchers) == len(entries)
    for number, e in enumerate(entries, start=1):  # all in March: numbered from 1
        assert re.search(rf"记字第 {number} 号（账簿序号 #{e.seq}）", text)
        assert e.hash[:24] in flat
    assert "壹仟贰佰叁拾肆元伍角陆分" in text
    assert "审核：reviewer" in text  # the approved income names its reviewer
    assert "审核：限额内免审" in text  # below the threshold: says so, not a bare dash
    assert "审核：—" not in text
    assert "制单：officer" in text


def test_the_trial_balance_balances_to_the_fen(month):
    c, *_ = month
    st = build(c, MARCH, "trial-balance")
    total = st.sections[0].rows[-1]
    assert total[1] == "合计"
    assert total[2] == total[3] and total[4] == total[5] and total[6] == total[7]
    assert st.notes[0].startswith("借贷平衡")
    assert st.sections[0].columns[2:4] == ["期初借方", "期初贷方"]
    _, text = text_of(to_pdf(st))
    assert total[2] in text


def test_a_party_statement_runs_a_balance(month):
    c, pkg, _ = month
    st = build(c, MARCH, "party", party=pkg.provider.code)
    rows = st.sections[0].rows
    assert rows[0][2] == "期初余额" and rows[-1][2] == "本期合计 / 期末余额"
    owed = -net_by_account(c.book, through=dt.date(2026, 3, 31))[f"2202.{pkg.provider.code}"]
    assert rows[-1][5] == f"{Decimal(owed) / 100:.2f}"


def test_the_audit_trail_names_who_did_what(month):
    c, *_ = month
    data = to_csv(build(c, MARCH, "audit-trail"))
    for action in ("登记收入", "审核通过", "冲销", "结账", "公示"):
        assert action in data
    assert "确认人：reviewer" in data and "原因：重复登记" in data
    assert build(c, dt.date(2026, 2, 1), "audit-trail").sections[0].rows == []


def test_csv_and_xlsx_carry_the_same_rows(month):
    from openpyxl import load_workbook

    c, *_ = month
    st = build(c, MARCH, "trial-balance")
    csv_text = to_csv(st)
    wb = load_workbook(io.BytesIO(to_xlsx(st)), read_only=True)
    cells = [v for row in wb.worksheets[0].iter_rows(values_only=True) for v in row]
    numbers = {Decimal(str(v)) for v in cells if isinstance(v, (int, float))}
    for row in st.sections[0].rows:
        for amount in filter(None, row[2:]):
            assert amount in csv_text and Decimal(amount) in numbers
        assert row[1] in cells  # names stay text
    assert st.digest in csv_text


def test_the_command_writes_a_pdf_and_refuses_bad_arguments(month, tmp_path):
    out = tmp_path / "journal.pdf"
    stdout = io.StringIO()
    call_command(
        "statement", "SQS", "2026-03", "--kind", "journal", "--out", str(out), stdout=stdout
    )
    assert out.read_bytes().startswith(b"%PDF") and "digest" in stdout.getvalue()
    for args, message in (
        (["SQS", "2026-03", "--kind", "party", "--out", str(out)], "--party"),
        (["SQS", "2026-03", "--kind", "party", "--party", "NOPE", "--out", str(out)], "NOPE"),
        (["SQS", "2026-04", "--out", str(out)], "2026-04"),
        (["NOPE", "2026-03", "--out", str(out)], "no such community"),
        (["SQS", "2026-03", "--kind", "novel", "--out", str(out)], "invalid choice"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("statement", *args)


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_pdftoppm_renders_a_page(month, tmp_path):
    c, *_ = month
    path = tmp_path / "period.pdf"
    path.write_bytes(to_pdf(build(c, MARCH, "period")))
    subprocess.run(
        ["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(path), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    pngs = list(tmp_path.glob("page*.png"))
    assert pngs and pngs[0].stat().st_size > 5000
    assert re.match(rb"\x89PNG", pngs[0].read_bytes()[:4])


def test_the_font_draws_simplified_and_traditional_chinese():
    from reportlab.pdfbase import pdfmetrics

    from reports.auditor import pdf

    face = pdfmetrics.getFont(pdf.register_fonts()).face
    for text in ("社区基金账目壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整", "社區基金賬目體質詢審計臺灣"):
        missing = [ch for ch in text if ord(ch) not in face.charToGlyph]
        assert not missing, missing


def test_xlsx_holds_amounts_as_numbers_and_dates_as_dates(month):
    """Excel's SUM over an amount column gives the total (the cells are numbers, shown with
    two decimals), and dates sort as dates; CSV keeps the same values as text."""
    from decimal import Decimal

    from openpyxl import load_workbook

    c, *_ = month
    for kind in ("trial-balance", "journal", "period"):
        st = build(c, MARCH, kind)
        wb = load_workbook(io.BytesIO(to_xlsx(st)))
        ws = wb.worksheets[0]
        numbers = [
            cell for row in ws.iter_rows() for cell in row if isinstance(cell.value, (int, float))
        ]
        assert numbers, kind
        amounts = [cell for cell in numbers if cell.number_format == "#,##0.00"]
        assert amounts, kind
        dates = [cell for row in ws.iter_rows() for cell in row if cell.is_date]
        if kind == "journal":
            assert dates and all(d.value.year == 2026 for d in dates)
            debits = [c.value for c in ws["F"] if isinstance(c.value, (int, float))]
            assert st.vouchers and len(debits) >= len(st.vouchers)
            assert sum(Decimal(str(v)) for v in debits) == sum(
                Decimal(v.debit_fen) / 100 for v in st.vouchers
            )
