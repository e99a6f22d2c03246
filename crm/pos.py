"""The POS files as they come: read as a stream of numbered rows, values parsed the POS way.

A file is read row by row from storage (never whole into memory), so a 100,000-receipt file
costs the same memory as a ten-line one. A row's number is its line in a spreadsheet: the
header is line 1.
"""

import csv
import dataclasses
import datetime
import io
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation

from core.errors import LoupeError

# The purchases file: one line per line item; the lines of one receipt follow one another and
# repeat the receipt's number, date, customer and associate.
PURCHASE_COLUMNS = ("receipt", "date", "customer_pos_id", "email", "phone", "first_name",
                    "last_name", "category", "metal", "stones", "description", "amount",
                    "associate")
PURCHASE_REQUIRED = ("receipt", "date", "amount")
CUSTOMER_REQUIRED = ("first_name",)

_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class _Text(io.TextIOWrapper):
    """A stored file's text (UTF-8, a byte-order mark allowed), decoded in C in large chunks:
    codecs' reader ran a Python readline per line, a third of a second for each pass over a
    100,000-receipt file (and the import reads it twice). Closing it leaves the file open:
    the file is its owner's, who may read it again (a TextIOWrapper closes what it wraps when
    it is closed or dropped)."""

    def __init__(self, binary):
        super().__init__(binary, encoding="utf-8-sig", errors="strict", newline="")

    def close(self):
        pass


@dataclasses.dataclass
class Row:
    line: int
    values: dict[str, str]

    def get(self, name: str) -> str:
        return (self.values.get(name) or "").strip()


def read_rows(binary, *, required: Iterable[str]) -> tuple[list[str], Iterator[Row]]:
    """The header and a lazy iterator of rows of an uploaded or stored CSV file (UTF-8,
    a byte-order mark allowed). A header without the `required` columns is refused."""
    text = _Text(binary)
    reader = csv.reader(text)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise LoupeError("The file is empty.", field="file") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise LoupeError("This file is not a CSV the import can read.", field="file") from exc
    missing = [name for name in required if name not in header]
    if missing:
        raise LoupeError(f"The first line must name the columns, including "
                         f"{', '.join(missing)}.", field="file")

    def rows() -> Iterator[Row]:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            yield Row(line=number, values=dict(zip(header, cells, strict=False)))

    return header, rows()


def count_rows(binary) -> int:
    """How many rows (not counting the header or blank lines) a CSV file has, read through
    once: a line with more cells than the first line names refuses the whole file (its
    commas or quotes are off, so every cell after it would land in the wrong column)."""
    text = _Text(binary)
    reader = csv.reader(text)
    try:
        width = len(next(reader, []))
        count = 0
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > width:
                raise LoupeError(f"Line {number} has more cells than the first line names "
                                 f"columns: check its commas and quotes.", field="file")
            count += 1
    except (UnicodeDecodeError, csv.Error) as exc:
        raise LoupeError("This file is not a CSV the import can read.", field="file") from exc
    return count


def receipts(rows: Iterable[Row]) -> Iterator[list[Row]]:
    """The lines of each receipt together (consecutive rows with the same number)."""
    group: list[Row] = []
    for row in rows:
        if group and row.get("receipt") != group[0].get("receipt"):
            yield group
            group = []
        group.append(row)
    if group:
        yield group


def parse_date(raw: str) -> datetime.date:
    """2026-11-03 or 11/3/2026 (month first, as US point-of-sale systems write it)."""
    text = (raw or "").strip()
    if match := _US_DATE.match(text):
        month, day, year = (int(part) for part in match.groups())
    else:
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise LoupeError(f"“{text}” is not a date (write 2026-11-03 or 11/3/2026).",
                             field="date") from None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise LoupeError(f"“{text}” is not a date.", field="date") from None


def parse_amount(raw: str) -> Decimal:
    """ "$1,250.00" -> Decimal("1250.00"); refuses blanks, words and negative amounts."""
    text = (raw or "").strip().replace("$", "").replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise LoupeError(f"“{raw.strip()}” is not an amount.", field="amount") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise LoupeError(f"“{raw.strip()}” is not an amount paid.", field="amount")
    return amount.quantize(Decimal("0.01"))


_MONTH_DAY = re.compile(r"^(\d{1,2})[/-](\d{1,2})$")


def parse_yearly(raw: str, *, field: str) -> tuple[int, int, int | None]:
    """A birthday or anniversary as (month, day, year or None): 1985-06-15, 6/15/1985, or
    without the year 6/15 or 06-15."""
    text = (raw or "").strip()
    if match := _MONTH_DAY.match(text):
        return int(match.group(1)), int(match.group(2)), None
    try:
        date = parse_date(text)
    except LoupeError:
        raise LoupeError(f"“{text}” is not a date (write 1985-06-15, 6/15/1985 or 6/15).",
                         field=field) from None
    return date.month, date.day, date.year
