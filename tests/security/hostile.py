"""The hostile-input corpus of issue 21, generated (never committed as binaries): each
function writes one file and returns its path. `scale` makes the bombs big enough for
the real limits (bench/hostile_files.py) or small enough for a test that lowers them."""

from __future__ import annotations

import zipfile
from pathlib import Path

HEADER = ["community", "package", "tier", "amount", "paid_at", "payer", "method", "external_ref"]
GOOD = ["SQA", "YL01", "paid", "100.00", "2026-03-05 10:30", "张三", "wechat"]

_CT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _col(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        name = chr(65 + rem) + name
    return name


def _inline(ref: str, text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _row(number: int, values: list[str], *, numeric: dict[int, str] | None = None) -> str:
    cells = []
    for i, v in enumerate(values):
        ref = f"{_col(i)}{number}"
        if numeric and i in numeric:
            cells.append(f'<c r="{ref}" t="n"><v>{numeric[i]}</v></c>')
        else:
            cells.append(_inline(ref, v))
    return f'<row r="{number}">{"".join(cells)}</row>'


def _xlsx(path: Path, sheet_parts, shared_parts=None, dimension: str = "") -> Path:
    """A minimal workbook; `sheet_parts` / `shared_parts` are iterables of str written
    to the member as a stream (a bomb is never held in memory)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(_SHEET_HEAD.encode())
            if dimension:
                out.write(f'<dimension ref="{dimension}"/>'.encode())
            out.write(b"<sheetData>")
            for part in sheet_parts:
                out.write(part.encode())
            out.write(b"</sheetData></worksheet>")
        if shared_parts is not None:
            with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
                out.write(
                    b'<?xml version="1.0" encoding="UTF-8"?>'
                    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                )
                for part in shared_parts:
                    out.write(part.encode())
                out.write(b"</sst>")
    return path


def shared_strings_bomb(path: Path, megabytes: int) -> Path:
    """A shared-strings table that unpacks to `megabytes` MB (one tiny text repeated)."""
    block = "<si><t>a</t></si>" * 4096  # 68 KB
    n = megabytes * 1024 * 1024 // len(block) + 1
    return _xlsx(path, [_row(1, HEADER)], shared_parts=(block for _ in range(n)))


def sheet_bomb(path: Path, megabytes: int) -> Path:
    """A worksheet that unpacks to `megabytes` MB of empty rows."""
    block = "<row/>" * 10_000
    n = megabytes * 1024 * 1024 // len(block) + 1
    return _xlsx(path, [_row(1, HEADER), *(block for _ in range(n))])


def wide_row(path: Path, cells: int = 20_000) -> Path:
    """One row with more cells than a sheet has columns (millions, in the issue's file)."""
    parts = [_row(1, HEADER), '<row r="2">']
    parts += ("<c><v>1</v></c>" for _ in range(cells))
    parts.append("</row>")
    return _xlsx(path, parts)


def huge_dimension(path: Path) -> Path:
    """A tiny file whose dimension claims the whole sheet, one row at the very bottom."""
    return _xlsx(
        path,
        [_row(1, HEADER), _row(1_048_576, [*GOOD, "BOTTOM"])],
        dimension="A1:XFD1048576",
    )


def text_in_numeric_cell(path: Path) -> Path:
    """formula.xlsx: the amount cell is a number cell whose value is text."""
    return _xlsx(
        path,
        [
            _row(1, HEADER),
            _row(2, [*GOOD, "F1"], numeric={3: "=SUM(A1)"}),
            _row(3, [*GOOD, "F2"], numeric={3: "abc"}),
        ],
    )


def doctype_entities(path: Path) -> Path:
    """Entity expansion (billion laughs) in the worksheet."""
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData>'
        "</worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def csv_bytes(rows: list[list[str]], header=HEADER) -> bytes:
    lines = [",".join(header)] + [",".join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode()


def csv_with_control(char: str = "\x00") -> bytes:
    return csv_bytes(
        [
            [*GOOD, "C1"],
            ["SQA", "YL01", "paid", "100.00", "2026-03-05", f"张{char}三", "wechat", "C2"],
        ]
    )


def csv_mixed_encodings() -> bytes:
    utf8 = ",".join(
        ["SQA", "YL01", "paid", "100.00", "2026-03-05", "张三", "wechat", "M1"]
    ).encode()
    gb = ",".join(["SQA", "YL01", "paid", "100.00", "2026-03-05", "王五", "wechat", "M2"]).encode(
        "gb18030"
    )
    return b"\r\n".join([",".join(HEADER).encode(), utf8, gb]) + b"\r\n"
