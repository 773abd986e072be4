"""The first sheet of an XLSX workbook read with bounded memory and time, whatever the
file claims about itself.

Why not openpyxl (issue 21, measured): it loads the whole shared-strings table (a 6.5 MB
file grew to 3.9 GB), builds every cell of a row before one is looked at (2.2 MB, millions
of cells in one row: 1.8 GB), and in read-only mode pads the empty rows up to the declared
dimension (a 1.7 KB file saying A1:XFD1048576: about 12 minutes), and a text value in a
numeric cell raises ValueError. Here:

- every member's uncompressed size is checked against limits before it is opened (the
  sizes the zip directory declares; zipfile never returns more than that and checks the
  CRC), and the bytes actually inflated are counted again while reading;
- the shared strings are kept as one UTF-8 byte array with offsets, under a byte and a
  count limit;
- the sheet is streamed through expat: no tree, no declared dimension, row numbers from
  the cells' own references, only the columns asked for kept, at most 16,384 cells a row
  and 1,048,576 rows (Excel's own limits) and MAX_CELLS cells in all, which bounds the
  time; document type declarations (entity expansion) are refused;
- a cell's value that does not parse as its type is returned as its text, so the row
  check names it as a bad value in that row.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from array import array
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path, PurePosixPath
from xml.parsers import expat

from django.utils.translation import gettext as _

MB = 1024 * 1024
MAX_MEMBERS = 1000
MAX_TOTAL_BYTES = 400 * MB  # all members together, uncompressed
MAX_SHEET_BYTES = 384 * MB  # ~700k plain rows of our 9-11 columns
MAX_SHARED_BYTES = 48 * MB
MAX_SHARED_STRINGS = 1_000_000  # a 200k-row file has at most ~600k different texts
MAX_SMALL_PART_BYTES = 8 * MB  # workbook.xml, its relations, styles.xml
MAX_COLUMNS = 16_384  # Excel's last column, XFD
MAX_ROW_ELEMENTS = 1_048_576  # Excel's last row: a sheet with more rows is not Excel's
# Cells of the whole sheet, kept or not: 200,000 rows (files.MAX_ROWS) of 20 columns.
# Each costs a few Python calls of the parser, so this bounds the time a file can take
# (measured: 66 million empty <row/> elements in a 580 KB file kept a core busy for
# minutes before this limit).
MAX_CELLS = 4_000_000
CHUNK = 64 * 1024

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d*)$")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", re.ASCII)
_INTEGER = re.compile(r"-?\d{1,15}", re.ASCII)
# Built-in number formats that show dates (ECMA-376 18.8.30).
_BUILTIN_DATE_FORMATS = set(range(14, 23)) | {45, 46, 47}
_DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)
_QUOTED_OR_BRACKETED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


class XlsxError(ValueError):
    """The workbook cannot be read within the limits; str() is the user's message."""


def _column(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def _too_big(what: str, limit: int) -> XlsxError:
    return XlsxError(
        _(
            "The XLSX file is refused: its %(part)s unpacks to more than %(mb)d MB (a "
            "compressed file this large is not a list of payments). Save it as CSV or split it."
        )
        % {"part": what, "mb": limit // MB}
    )


def _unreadable(exc: Exception) -> XlsxError:
    return XlsxError(_("The XLSX file cannot be opened: %(error)s") % {"error": exc})


class _Parser:
    """An expat parser whose handlers keep nothing but what they are asked to."""

    def __init__(self):
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.buffer_text = True
        self.parser.StartDoctypeDeclHandler = self._refuse_doctype
        self.parser.EntityDeclHandler = self._refuse_doctype

    def _refuse_doctype(self, *args):
        raise XlsxError(_("The XLSX file is refused: it declares a document type."))

    def feed(self, stream, limit: int, what: str) -> Iterator[None]:
        """Parse `stream` a chunk at a time, yielding after each chunk."""
        read = 0
        while True:
            try:
                chunk = stream.read(CHUNK)
            except (zipfile.BadZipFile, EOFError, OSError) as exc:  # a CRC or size that lies
                raise _unreadable(exc) from exc
            read += len(chunk)
            if read > limit:
                raise _too_big(what, limit)
            try:
                self.parser.Parse(chunk, not chunk)
            except expat.ExpatError as exc:
                raise XlsxError(
                    _("The XLSX file is damaged (%(part)s: %(error)s).")
                    % {"part": what, "error": exc}
                ) from exc
            yield
            if not chunk:
                return


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


class Workbook:
    """The first sheet's rows; `wanted` (column indexes) may be set between rows."""

    def __init__(self, path: Path):
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise _unreadable(exc) from exc
        infos = self.zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise XlsxError(_("The XLSX file is refused: it holds too many parts."))
        if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
            raise _too_big(_("content"), MAX_TOTAL_BYTES)
        self.sizes = {i.filename: i.file_size for i in infos}
        self.wanted: set[int] | None = None
        self.epoch = dt.datetime(1899, 12, 30)
        sheet, shared, styles = self._parts()
        self.sheet = sheet
        self.date_styles = self._date_styles(styles) if styles else set()
        self._text = bytearray()
        self._ends = array("Q")
        if shared:
            self._read_shared(shared)

    def close(self) -> None:
        self.zip.close()

    # --- the small parts ---------------------------------------------------------------
    def _open(self, name: str, limit: int, what: str):
        if name not in self.sizes:
            raise XlsxError(_("The XLSX file lacks its part %(part)s.") % {"part": name})
        if self.sizes[name] > limit:
            raise _too_big(what, limit)
        try:
            return self.zip.open(name)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
            raise _unreadable(exc) from exc

    def _elements(self, name: str, what: str) -> list[tuple[str, dict]]:
        """(tag, attributes) of every element of a small part."""
        found: list[tuple[str, dict]] = []
        p = _Parser()
        p.parser.StartElementHandler = lambda tag, attrs: found.append((_local(tag), attrs))
        with self._open(name, MAX_SMALL_PART_BYTES, what) as stream:
            for _step in p.feed(stream, MAX_SMALL_PART_BYTES, what):
                if len(found) > 200_000:
                    raise _too_big(what, MAX_SMALL_PART_BYTES)
        return found

    def _parts(self) -> tuple[str, str | None, str | None]:
        def resolve(target: str) -> str:
            if target.startswith("/"):
                return target.lstrip("/")
            parts: list[str] = []
            for piece in PurePosixPath("xl", target).parts:
                if piece == "..":
                    if parts:
                        parts.pop()
                elif piece != ".":
                    parts.append(piece)
            return "/".join(parts)

        sheet_rid = None
        if "xl/workbook.xml" in self.sizes:
            for tag, attrs in self._elements("xl/workbook.xml", "workbook.xml"):
                if tag == "workbookPr" and attrs.get("date1904") in {"1", "true"}:
                    self.epoch = dt.datetime(1904, 1, 1)
                if tag == "sheet" and sheet_rid is None:
                    sheet_rid = attrs.get(f"{_NS_REL} id")
        sheet = shared = styles = None
        rels = "xl/_rels/workbook.xml.rels"
        if rels in self.sizes:
            for tag, attrs in self._elements(rels, "workbook.xml.rels"):
                if tag != "Relationship":
                    continue
                kind, target = attrs.get("Type", ""), resolve(attrs.get("Target", ""))
                if attrs.get("Id") == sheet_rid:
                    sheet = target
                elif kind.endswith("/sharedStrings"):
                    shared = target
                elif kind.endswith("/styles"):
                    styles = target
        sheet = sheet or "xl/worksheets/sheet1.xml"
        if sheet not in self.sizes:
            raise XlsxError(_("The XLSX file has no worksheet."))
        if shared is None and "xl/sharedStrings.xml" in self.sizes:
            shared = "xl/sharedStrings.xml"
        if styles is None and "xl/styles.xml" in self.sizes:
            styles = "xl/styles.xml"
        return (
            sheet,
            (shared if shared in self.sizes else None),
            (styles if styles in self.sizes else None),
        )

    def _date_styles(self, name: str) -> set[int]:
        formats: dict[int, str] = {}
        xfs: list[int] = []
        in_cell_xfs = False
        p = _Parser()

        def start(tag, attrs):
            nonlocal in_cell_xfs
            tag = _local(tag)
            if tag == "numFmt":
                try:
                    formats[int(attrs.get("numFmtId", "-1"))] = attrs.get("formatCode", "")
                except ValueError:
                    pass
            elif tag == "cellXfs":
                in_cell_xfs = True
            elif tag == "xf" and in_cell_xfs:
                try:
                    xfs.append(int(attrs.get("numFmtId", "0")))
                except ValueError:
                    xfs.append(0)

        def end(tag):
            nonlocal in_cell_xfs
            if _local(tag) == "cellXfs":
                in_cell_xfs = False

        p.parser.StartElementHandler, p.parser.EndElementHandler = start, end
        with self._open(name, MAX_SMALL_PART_BYTES, "styles.xml") as stream:
            for _step in p.feed(stream, MAX_SMALL_PART_BYTES, "styles.xml"):
                pass
        dates = set()
        for index, fmt in enumerate(xfs):
            code = formats.get(fmt)
            if fmt in _BUILTIN_DATE_FORMATS or (
                code and _DATE_CODE.search(_QUOTED_OR_BRACKETED.sub("", code))
            ):
                dates.add(index)
        return dates

    def _read_shared(self, name: str) -> None:
        depth_si = 0
        in_text = False
        skip = 0  # inside <rPh> (phonetic runs): not part of the value
        piece: list[str] = []
        p = _Parser()

        def start(tag, attrs):
            nonlocal depth_si, in_text, skip
            tag = _local(tag)
            if tag == "si":
                depth_si, piece[:] = 1, []
            elif tag == "rPh":
                skip += 1
            elif tag == "t" and depth_si and not skip:
                in_text = True

        def end(tag):
            nonlocal depth_si, in_text, skip
            tag = _local(tag)
            if tag == "si":
                depth_si = 0
                self._text += "".join(piece).encode()
                self._ends.append(len(self._text))
                if len(self._ends) > MAX_SHARED_STRINGS:
                    raise XlsxError(
                        _("The XLSX file is refused: it has more than %(n)d different texts.")
                        % {"n": MAX_SHARED_STRINGS}
                    )
            elif tag == "rPh":
                skip -= 1
            elif tag == "t":
                in_text = False

        def text(data):
            if in_text:
                piece.append(data)

        p.parser.StartElementHandler, p.parser.EndElementHandler = start, end
        p.parser.CharacterDataHandler = text
        with self._open(name, MAX_SHARED_BYTES, _("text table")) as stream:
            for _step in p.feed(stream, MAX_SHARED_BYTES, _("text table")):
                pass

    def shared(self, index: int) -> str | None:
        if not 0 <= index < len(self._ends):
            return None
        start = self._ends[index - 1] if index else 0
        return self._text[start : self._ends[index]].decode()

    # --- the sheet ---------------------------------------------------------------------
    def rows(self) -> Iterator[tuple[int, dict[int, object]]]:
        """(row number, {column index: value}) of every row with a value in a wanted
        column, in file order."""
        ready: list[tuple[int, dict[int, object]]] = []
        state = {
            "row": 0,
            "col": -1,
            "cells": 0,
            "all_cells": 0,
            "rows": 0,
            "keep": False,
            "type": "",
            "style": 0,
        }
        values: dict[int, object] = {}
        text: list[str] = []
        collecting = False
        p = _Parser()

        def start(tag, attrs):
            nonlocal collecting
            tag = _local(tag)
            if tag == "c":
                state["cells"] += 1
                state["all_cells"] += 1
                if state["all_cells"] > MAX_CELLS:
                    raise XlsxError(
                        _("The XLSX file is refused: its sheet has more than %(n)d cells.")
                        % {"n": MAX_CELLS}
                    )
                if state["cells"] > MAX_COLUMNS:
                    raise XlsxError(
                        _("Row %(row)d has more than %(n)d cells: the file is refused.")
                        % {"row": state["row"], "n": MAX_COLUMNS}
                    )
                ref = _CELL_REF.match(attrs.get("r", ""))
                state["col"] = _column(ref.group(1)) if ref else state["col"] + 1
                wanted = self.wanted
                state["keep"] = wanted is None or state["col"] in wanted
                state["type"] = attrs.get("t", "n")
                try:
                    state["style"] = int(attrs.get("s", "0"))
                except ValueError:
                    state["style"] = 0
                text.clear()
            elif tag == "row":
                state["rows"] += 1
                try:
                    state["row"] = int(attrs["r"])
                except (KeyError, ValueError):
                    state["row"] += 1
                if state["rows"] > MAX_ROW_ELEMENTS or state["row"] > MAX_ROW_ELEMENTS:
                    raise XlsxError(
                        _("The XLSX file is refused: its sheet has more than %(n)d rows.")
                        % {"n": MAX_ROW_ELEMENTS}
                    )
                state["col"], state["cells"] = -1, 0
                values.clear()
            elif tag in {"v", "t"} and state["keep"]:
                collecting = True
            elif tag == "rPh":
                collecting = False

        def end(tag):
            nonlocal collecting
            tag = _local(tag)
            if tag in {"v", "t"}:
                collecting = False
            elif tag == "c":
                if state["keep"] and text:
                    values[state["col"]] = self._value("".join(text), state)
                state["keep"] = False
            elif tag == "row":
                if values:
                    ready.append((state["row"], dict(values)))
                values.clear()

        def chars(data):
            if collecting:
                text.append(data)

        p.parser.StartElementHandler, p.parser.EndElementHandler = start, end
        p.parser.CharacterDataHandler = chars
        with self._open(self.sheet, MAX_SHEET_BYTES, _("worksheet")) as stream:
            for _step in p.feed(stream, MAX_SHEET_BYTES, _("worksheet")):
                batch = ready[:]
                ready.clear()
                yield from batch

    def _value(self, raw: str, state: dict) -> object:
        kind = state["type"]
        if kind == "s":
            try:
                value = self.shared(int(raw))
            except ValueError:
                value = None
            if value is None:
                raise XlsxError(
                    _("Row %(row)d refers to a text the file does not hold: the file is damaged.")
                    % {"row": state["row"]}
                )
            return value
        if kind in {"inlineStr", "str", "e"}:
            return raw
        if kind == "b":
            return raw.strip() in {"1", "true"}
        if kind == "d":
            try:
                return dt.datetime.fromisoformat(raw.strip())
            except ValueError:
                return raw
        # A number - or text where a number belongs (a formula's cached text, a hand-
        # edited file): returned as text, for the row check to name.
        raw = raw.strip()
        if _INTEGER.fullmatch(raw):
            number: int | Decimal = int(raw)
        elif _NUMBER.fullmatch(raw):
            number = Decimal(raw)  # exactly the number the file stores, never a float
        else:
            return raw
        if state["style"] in self.date_styles and 0 <= number < 2_958_466:  # 9999-12-31
            # Excel's 1900 calendar has a 29 February that never was (serial 60).
            days = number + 1 if self.epoch.year == 1899 and 0 < number < 60 else number
            return self.epoch + dt.timedelta(seconds=round(days * 86400))
        return number
