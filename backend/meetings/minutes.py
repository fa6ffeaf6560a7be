"""Minutes files (CSV or XLSX): one row per opinion, the meeting's columns repeated on each row.

Columns (header row first; Vietnamese or English names, any case, accents optional):

| column | also accepted | required | value |
|---|---|---|---|
| date | ngày, ngay, ngày họp | yes | YYYY-MM-DD or DD/MM/YYYY (or an Excel date cell) |
| place | địa điểm | yes | where the meeting was held |
| commune_code | mã xã | yes | 5-digit commune code, in the importer's scope |
| organizer | chủ trì, đơn vị tổ chức | yes | who organised it |
| attendance | số cử tri, số người dự | no | whole number ≥ 0 |
| delegates | đại biểu | no | names separated by ";" |
| speaker | người phát biểu, cử tri | no | who raised the opinion |
| opinion | ý kiến, nội dung | yes | the opinion as noted in the minutes |

Rows with the same date, place, commune and organizer are one meeting. Every row is checked
before anything is stored; one bad row rejects the whole file with every error and its row
number (the header is row 1).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import msgspec

from backend.errors import Invalid
from backend.meetings.drafts import MinutesMeeting, OpinionDraft
from backend.text import fold

MAX_ROWS = 5000
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date", "ngay", "ngay hop"),
    "place": ("place", "dia diem"),
    "commune_code": ("commune_code", "commune", "ma xa"),
    "organizer": ("organizer", "chu tri", "don vi to chuc"),
    "attendance": ("attendance", "so cu tri", "so nguoi du"),
    "delegates": ("delegates", "dai bieu"),
    "speaker": ("speaker", "nguoi phat bieu", "cu tri"),
    "opinion": ("opinion", "y kien", "noi dung"),
}
REQUIRED = ("date", "place", "commune_code", "organizer", "opinion")


class RowError(msgspec.Struct, kw_only=True):
    row: int
    column: str | None
    message: str


def read_table(filename: str, content: bytes) -> list[list[Any]]:
    """The file's rows as lists of cell values (CSV: strings; XLSX: typed cells)."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _xlsx_rows(content)
    if name.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise Invalid("the CSV file must be UTF-8 encoded") from exc
        dialect = csv.excel_tab if text.split("\n", 1)[0].count("\t") else csv.excel
        return [row for row in csv.reader(io.StringIO(text), dialect)]
    raise Invalid("upload a .csv or .xlsx file of minutes", field="file")


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        raise Invalid("the file is not a readable .xlsx workbook", field="file") from exc
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _header_map(header: list[Any]) -> dict[str, int]:
    names = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        label = fold(str(cell or "")).strip().replace("_", " ")
        column = names.get(label) or names.get(label.replace(" ", "_"))
        if column is not None and column not in found:
            found[column] = index
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise Invalid(
            "the header row lacks required columns: " + ", ".join(missing),
            errors=[{"row": 1, "column": c, "message": "missing column"} for c in missing],
        )
    return found


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r} (use YYYY-MM-DD or DD/MM/YYYY)")


def _count(value: Any) -> int:
    text = _text(value)
    if not text:
        return 0
    if not text.isdigit():
        raise ValueError(f"not a whole number: {text!r}")
    return int(text)


def parse_minutes(
    rows: list[list[Any]],
    check_commune: Callable[[str], object],
    today: date,
) -> list[MinutesMeeting]:
    """Every row checked; Invalid with all row errors if any, else the meetings in file order."""
    if not rows:
        raise Invalid("the file is empty")
    columns = _header_map(rows[0])
    body = [(n, row) for n, row in enumerate(rows[1:], start=2) if any(_text(c) for c in row)]
    if not body:
        raise Invalid("the file has a header but no opinion rows")
    if len(body) > MAX_ROWS:
        raise Invalid(f"at most {MAX_ROWS} rows per file")
    errors: list[RowError] = []
    meetings: dict[tuple[str, ...], MinutesMeeting] = {}
    seen: Counter[tuple[str, ...]] = Counter()
    for number, row in body:
        parsed = _parse_row(number, row, columns, check_commune, today, errors)
        if parsed is None:
            continue
        key, meeting, speaker, text = parsed
        if key not in meetings:
            meetings[key] = meeting
        elif meeting.attendance or meeting.delegates:
            meetings[key].attendance = max(meetings[key].attendance, meeting.attendance)
            for name in meeting.delegates:
                if name not in meetings[key].delegates:
                    meetings[key].delegates.append(name)
        # The opinion's key is its content (and how often that content came before): the same
        # file imported twice, or a corrected file with rows added, never doubles an opinion.
        seen[(*key, speaker, text)] += 1
        digest = _digest(speaker, text)
        meetings[key].opinions.append(
            OpinionDraft(
                key=f"row-{digest}-{seen[(*key, speaker, text)]}",
                text=text,
                speaker=speaker or None,
            )
        )
    if errors:
        raise Invalid(
            f"{len(errors)} error(s) in the file; nothing was imported",
            errors=[msgspec.to_builtins(e) for e in errors],
        )
    return list(meetings.values())


def _parse_row(
    number: int,
    row: list[Any],
    columns: dict[str, int],
    check_commune: Callable[[str], object],
    today: date,
    errors: list[RowError],
) -> tuple[tuple[str, ...], MinutesMeeting, str, str] | None:
    def cell(name: str) -> Any:
        index = columns.get(name)
        return row[index] if index is not None and index < len(row) else None

    before = len(errors)

    def fail(column: str, message: str) -> None:
        errors.append(RowError(row=number, column=column, message=message))

    values = {name: _text(cell(name)) for name in COLUMNS}
    for name in REQUIRED:
        if not values[name]:
            fail(name, "required")
    held_on: date | None = None
    if values["date"]:
        try:
            held_on = _date(cell("date"))
            if held_on > today:
                fail("date", "the meeting date is in the future")
        except ValueError as exc:
            fail("date", str(exc))
    attendance = 0
    try:
        attendance = _count(cell("attendance"))
    except ValueError as exc:
        fail("attendance", str(exc))
    for name, limit in (("place", 300), ("organizer", 300), ("speaker", 200), ("opinion", 5000)):
        if len(values[name]) > limit:
            fail(name, f"longer than {limit} characters")
    if values["commune_code"]:
        try:
            check_commune(values["commune_code"])
        except Exception as exc:  # Invalid (unknown) or Forbidden (out of scope)
            fail("commune_code", str(exc))
    if len(errors) > before or held_on is None:
        return None
    key = (held_on.isoformat(), values["place"], values["commune_code"], values["organizer"])
    meeting = MinutesMeeting(
        client_key="import-" + _digest(*key),
        held_on=held_on,
        place=values["place"],
        commune_code=values["commune_code"],
        organizer=values["organizer"],
        attendance=attendance,
        delegates=_split(values["delegates"]),
        opinions=[],
    )
    return key, meeting, values["speaker"], values["opinion"]


def _split(value: str) -> list[str]:
    return [name.strip() for name in value.split(";") if name.strip()]


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
