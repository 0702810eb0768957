"""A minimal .xlsx writer for benchmarks and fixtures: one sheet, shared strings and numbers, as Excel saves them.

openpyxl writes every text cell inline (``t="inlineStr"``), which Excel never does; a reader benchmarked on such a
file measures XML it will not meet. This writes what Excel writes: each distinct text once in the shared-string
table, cells pointing at it, numbers as numbers.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

from core.domain.sources.excel import column_letter

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)


def _number(text: str) -> str | None:
    """The cell as Excel stores a typed number, or None for text (leading zeros and signs stay text)."""
    if not text or text != text.strip() or text[0] in "+0" and text not in ("0",) and not text.startswith("0."):
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return text if value == value and abs(value) != float("inf") and "e" not in text.lower() else None


def xlsx_bytes(rows: Iterable[Sequence[str]], sheet: str = "Registry", *, typed_numbers: bool = True) -> bytes:
    """A one-sheet workbook of ``rows`` (text cells; numbers stored as numbers when ``typed_numbers``)."""
    strings: dict[str, int] = {}
    body = io.StringIO()
    for r, row in enumerate(rows, start=1):
        body.write(f'<row r="{r}">')
        for c, text in enumerate(row):
            if text == "":
                continue
            ref = f"{column_letter(c)}{r}"
            number = _number(text) if typed_numbers and r > 1 else None
            if number is not None:
                body.write(f'<c r="{ref}"><v>{number}</v></c>')
            else:
                index = strings.setdefault(text, len(strings))
                body.write(f'<c r="{ref}" t="s"><v>{index}</v></c>')
        body.write("</row>")
    shared = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings)
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{main}" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        archive.writestr("xl/sharedStrings.xml", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{main}" count="{len(strings)}" '
            f'uniqueCount="{len(strings)}">{shared}</sst>'))
        archive.writestr("xl/worksheets/sheet1.xml", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{main}">'
            f'<sheetData>{body.getvalue()}</sheetData></worksheet>'))
    return output.getvalue()
