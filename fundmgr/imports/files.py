"""An income file read (DESIGN 5.3): CSV in whatever encoding a spreadsheet saved it in,
or XLSX, its header mapped to our columns in English or Chinese, and its data rows
yielded one at a time, so a 100k-row file never sits in memory."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from .xlsx import Workbook, XlsxError

# Data rows of one file. A 200k-row check holds its references (for repeats within the
# file) in memory, about 60 MB; larger batches are split (issue 21: a bound on the work
# one upload can cause, whatever the file claims).
MAX_ROWS = 200_000

COLUMNS = {
    "community": ("community", "社区", "社区编码"),
    "package": ("package", "服务包", "服务包编码"),
    "tier": ("tier", "类别"),
    "amount": ("amount", "金额"),
    "currency": ("currency", "币种"),
    "paid_at": ("paid_at", "付款时间", "付款日期"),
    "payer": ("payer", "付款人"),
    "method": ("method", "支付方式"),
    "external_ref": ("external_ref", "流水号"),
    "quantity": ("quantity", "数量"),
    "note": ("note", "备注"),
}
REQUIRED = ("community", "package", "tier", "amount", "paid_at", "method", "external_ref")


class FileError(ValueError):
    """The file as a whole cannot be read: nothing in it is recorded."""


_ENCODING_NAMES = {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "gb18030": "GB18030", "utf-16": "UTF-16"}


def _choose_encoding(path: Path) -> str:
    """One encoding for the whole file, decided from the whole file: UTF-8 when every
    line is UTF-8, GB18030 when no line is UTF-8 with Chinese in it; a file with both is
    refused, naming the first line that is not UTF-8 (issue 21: a file of UTF-8 and
    GB18030 rows was read as GB18030 from its first 64 KB, and 王五 stored as 鐜嬩簲)."""
    with open(path, "rb") as raw:
        head = raw.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        raw.seek(0)
        utf8_line = bad_line = 0
        for number, line in enumerate(raw, start=1):
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                bad_line = bad_line or number
            else:
                utf8_line = utf8_line or number
            if utf8_line and bad_line:
                raise FileError(
                    _(
                        "Line %(bad)d is not valid UTF-8 text, while line %(utf8)d is: the "
                        "file mixes text encodings. Save the whole file again as CSV (UTF-8)."
                    )
                    % {"utf8": utf8_line, "bad": bad_line}
                )
    return "gb18030" if bad_line else "utf-8"


def _decoded_lines(path: Path, encoding: str) -> Iterator[str]:
    """Decode line by line, so a bad byte is reported on its own line number."""
    if encoding == "utf-16":  # its newlines are two bytes: let the text layer split
        with open(path, encoding=encoding, newline="", errors="strict") as text:
            try:
                yield from text
            except UnicodeDecodeError as exc:
                raise FileError(_("The file is not valid UTF-16 text.")) from exc
        return
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with open(path, "rb") as raw:
        for number, line in enumerate(raw, start=1):
            try:
                yield decoder.decode(line)
            except UnicodeDecodeError as exc:
                raise FileError(
                    _("Line %(line)d is not valid %(encoding)s text; save the file as CSV (UTF-8).")
                    % {"line": number, "encoding": _ENCODING_NAMES[encoding]}
                ) from exc


def _csv_rows(path: Path) -> Iterator[list]:
    reader = csv.reader(_decoded_lines(path, _choose_encoding(path)))
    try:
        yield from reader
    except csv.Error as exc:
        raise FileError(
            _("The CSV is malformed near line %(line)d: %(error)s")
            % {"line": reader.line_num, "error": exc}
        ) from exc


class _Xlsx:
    """The XLSX reader behind read_rows: the header row first, then only the columns
    the header mapped (set `wanted` after the header)."""

    def __init__(self, path: Path):
        try:
            self.book = Workbook(path)
        except XlsxError as exc:
            raise FileError(str(exc)) from exc
        self._rows = self.book.rows()

    @property
    def wanted(self):
        return self.book.wanted

    @wanted.setter
    def wanted(self, columns):
        self.book.wanted = columns

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return next(self._rows)
        except XlsxError as exc:
            self.close()
            raise FileError(str(exc)) from exc
        except StopIteration:
            self.close()
            raise

    def header(self) -> tuple:
        first = next(self, None)
        if first is None:
            return ()
        _number, cells = first
        return tuple(cells.get(i) for i in range(max(cells) + 1)) if cells else ()

    def close(self) -> None:
        self._rows.close()
        self.book.close()


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    """(row number as a spreadsheet shows it, {column: raw value}) for each data row.
    Raises FileError for what makes the whole file unreadable."""
    path = Path(path)
    with open(path, "rb") as raw:
        magic = raw.read(8)
    if not magic:
        raise FileError(_("The file is empty."))
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileError(_("Old .xls workbooks are not read; save it as .xlsx or CSV."))
    if magic.startswith(b"PK\x03\x04"):
        yield from _xlsx_data(path)
        return
    rows = _csv_rows(path)
    header = next(rows, None)
    if header is None:
        raise FileError(_("The file is empty."))
    mapping = _map_header(header)
    number = count = 1
    for values in rows:
        number += 1
        if all(str(v).strip() == "" for v in values):
            continue  # blank lines
        count += 1
        if count - 1 > MAX_ROWS:
            raise FileError(_("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})
        yield (
            number,
            {name: (values[i] if i < len(values) else None) for name, i in mapping.items()},
        )


def _xlsx_data(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    sheet = _Xlsx(path)
    try:
        header = sheet.header()
        if not header:
            raise FileError(_("The file is empty."))
        mapping = _map_header(header)
        sheet.wanted = set(mapping.values())  # only our columns are read from here on
        count = 0
        for number, cells in sheet:
            if all(v is None or str(v).strip() == "" for v in cells.values()):
                continue  # the empty rows XLSX files often end with
            count += 1
            if count > MAX_ROWS:
                raise FileError(
                    _("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS}
                )
            yield number, {name: cells.get(i) for name, i in mapping.items()}
    finally:
        sheet.close()


def _map_header(header) -> dict[str, int]:
    aliases = {alias.lower(): name for name, names in COLUMNS.items() for alias in names}
    mapping: dict[str, int] = {}
    for i, cell in enumerate(header):
        key = str(cell or "").strip().lstrip("\ufeff").lower()
        name = aliases.get(key)
        if name is None:
            continue
        if name in mapping:
            raise FileError(_("Column %(name)s appears twice in the header.") % {"name": name})
        mapping[name] = i
    missing = [c for c in REQUIRED if c not in mapping]
    if missing:
        raise FileError(
            _(
                "The header row lacks the column(s): %(missing)s. Expected "
                "community, package, tier, amount, paid_at, method, external_ref "
                "(or 社区, 服务包, 类别, 金额, 付款时间, 支付方式, 流水号)."
            )
            % {"missing": ", ".join(missing)}
        )
    return mapping


def ignored_columns(path: Path) -> list[str]:
    """Header cells that are not ours (shown in the preview, otherwise harmless)."""
    known = {alias.lower() for names in COLUMNS.values() for alias in names}
    try:
        with open(path, "rb") as raw:
            xlsx = raw.read(4) == b"PK\x03\x04"
        if xlsx:
            sheet = _Xlsx(Path(path))
            try:
                header = sheet.header()
            finally:
                sheet.close()
        else:
            header = next(_csv_rows(Path(path)), None) or []
    except FileError:
        return []
    return [
        str(c)
        for c in header
        if c is not None and str(c).strip().lower().lstrip("\ufeff") not in known and str(c).strip()
    ]


def _xlsx_rows(path: Path) -> Iterator[tuple]:
    """Every row of the first sheet as a tuple, blank rows included (statements count
    their summary lines by position), through the same bounded reader as read_rows."""
    sheet = _Xlsx(path)
    try:
        last = 0
        for number, cells in sheet:
            if number > MAX_ROWS:
                raise FileError(
                    _("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS}
                )
            for _blank in range(last + 1, number):
                yield ()
            last = number
            yield tuple(cells.get(i) for i in range(max(cells) + 1)) if cells else ()
    finally:
        sheet.close()


def raw_rows(path: Path) -> Iterator:
    """Every row of a CSV or XLSX file as it is, summary lines and all, by the same
    reading rules as an income file: for files whose header is not on the first row
    (bank and payment-platform statements, fundmgr.reconcile)."""
    path = Path(path)
    with open(path, "rb") as raw:
        magic = raw.read(8)
    if not magic:
        raise FileError(_("The file is empty."))
    if magic.startswith(b"PK\x03\x04"):
        return _xlsx_rows(path)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileError(_("Old .xls workbooks are not read; save it as .xlsx or CSV."))
    return _csv_rows(path)
