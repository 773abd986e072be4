"""Hostile income files (issue 21), generated here: each is refused with a clear message
by the command and the upload page, writes nothing, and leaves the job in a final state.
Memory under the real limits is measured by bench/hostile_files.py."""

import pytest

from fundmgr.imports import files, xlsx
from fundmgr.models import ImportState

from . import hostile
from .conftest import assert_nothing_written, command_errors, command_fails

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_limits(monkeypatch):
    """Limits a thousandth of the real ones, so the bombs are small and quick here."""
    monkeypatch.setattr(xlsx, "MAX_SHARED_BYTES", 1 * xlsx.MB)
    monkeypatch.setattr(xlsx, "MAX_SHEET_BYTES", 1 * xlsx.MB)
    monkeypatch.setattr(xlsx, "MAX_TOTAL_BYTES", 3 * xlsx.MB)


def test_a_shared_strings_bomb_is_refused_before_it_is_unpacked(
    world, tmp_path, small_limits, upload
):
    path = hostile.shared_strings_bomb(tmp_path / "bomb.xlsx", megabytes=2)
    assert path.stat().st_size < 100_000
    message = command_fails(path)
    assert "text table unpacks to more than 1 MB" in message
    job = upload(path.read_bytes(), "bomb.xlsx")
    assert job.state == ImportState.FAILED and "unpacks to more than" in job.message
    assert_nothing_written()


def test_a_whole_file_larger_than_the_limit_unpacked_is_refused(world, tmp_path, small_limits):
    path = hostile.sheet_bomb(tmp_path / "bomb.xlsx", megabytes=4)
    assert "content unpacks to more than 3 MB" in command_fails(path)


def test_a_worksheet_bomb_is_refused(world, tmp_path, small_limits):
    path = hostile.sheet_bomb(tmp_path / "bomb.xlsx", megabytes=2)
    assert "worksheet unpacks to more than 1 MB" in command_fails(path)


def test_a_sheet_of_more_rows_than_excel_has_is_refused(world, tmp_path, monkeypatch):
    """Empty rows cost parsing time though they hold nothing: Excel's own row count
    bounds them (lowered here; bench/hostile_files.py runs the real one)."""
    monkeypatch.setattr(xlsx, "MAX_ROW_ELEMENTS", 50_000)
    path = hostile.sheet_bomb(tmp_path / "rows.xlsx", megabytes=1)  # 170,000 <row/>
    assert "more than 50000 rows" in command_fails(path)


def test_a_sheet_of_more_cells_than_the_limit_is_refused(world, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_CELLS", 1000)
    rows = [hostile._row(n, [*hostile.GOOD, f"R{n}"]) for n in range(2, 200)]
    path = hostile._xlsx(tmp_path / "cells.xlsx", [hostile._row(1, hostile.HEADER), *rows])
    assert "more than 1000 cells" in command_fails(path)


def test_a_row_with_more_cells_than_a_sheet_has_columns_is_refused(world, tmp_path, upload):
    path = hostile.wide_row(tmp_path / "wide.xlsx", cells=20_000)
    assert "Row 2 has more than 16384 cells" in command_fails(path)
    job = upload(path.read_bytes(), "wide.xlsx")
    assert job.state == ImportState.FAILED and "Row 2 has more than 16384 cells" in job.message


def test_the_declared_dimension_is_ignored(world, tmp_path, upload):
    """1.7 KB claiming A1:XFD1048576: read as the one row it holds, at once."""
    path = hostile.huge_dimension(tmp_path / "dim.xlsx")
    assert path.stat().st_size < 4000
    job = upload(path.read_bytes(), "dim.xlsx")
    assert job.state == ImportState.CHECKED and job.rows == 1
    assert_nothing_written()


def test_text_in_a_number_cell_is_a_bad_row_not_a_crash(world, tmp_path, upload):
    path = hostile.text_in_numeric_cell(tmp_path / "formula.xlsx")
    err = command_errors(path)
    assert "row 2 (" in err and "'=SUM(A1)' is not a number" in err
    assert "row 3 (" in err and "'abc' is not a number" in err
    job = upload(path.read_bytes(), "formula.xlsx")
    assert job.state == ImportState.REFUSED and job.bad_rows == 2


def test_entity_declarations_are_refused(world, tmp_path):
    path = hostile.doctype_entities(tmp_path / "lol.xlsx")
    assert "declares a document type" in command_fails(path)


def test_a_damaged_zip_is_refused(world, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    assert "cannot be opened" in command_fails(path)


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f"])
def test_control_characters_in_a_cell_are_refused_with_the_row_named(world, tmp_path, upload, char):
    path = tmp_path / "nul.csv"
    path.write_bytes(hostile.csv_with_control(char))
    err = command_errors(path)
    assert "row 3 (张\ufffd三, " in err and "): payer contains a control character" in err
    job = upload(path.read_bytes(), "nul.csv")
    assert job.state == ImportState.REFUSED and job.errors[0]["row"] == 3


def test_a_csv_mixing_utf8_and_gb18030_is_refused_naming_the_first_bad_line(
    world, tmp_path, upload
):
    path = tmp_path / "mixed.csv"
    path.write_bytes(hostile.csv_mixed_encodings())
    message = command_fails(path)
    assert "Line 3 is not valid UTF-8 text, while line 2 is" in message
    job = upload(path.read_bytes(), "mixed.csv")
    assert job.state == ImportState.FAILED and "Line 3" in job.message


def test_a_gb18030_file_alone_is_still_read(world, tmp_path):
    path = tmp_path / "gb.csv"
    path.write_bytes(
        hostile.csv_mixed_encodings().decode("utf-8", "replace").encode("gb18030", "replace")
    )
    # Every line is now GB18030 (the UTF-8 row re-encoded): read, not refused.
    import io

    from django.core.management import call_command

    call_command("import_income", str(path), "--dry-run", stdout=io.StringIO())


def test_more_rows_than_the_limit_are_refused(world, tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_ROWS", 3)
    rows = [[*hostile.GOOD, f"R{i}"] for i in range(5)]
    path = tmp_path / "many.csv"
    path.write_bytes(hostile.csv_bytes(rows))
    assert "more than 3 rows" in command_fails(path)
