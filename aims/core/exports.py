"""One spreadsheet-safe writer for every file that leaves the app (CSV, XLSX).

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, a tab or carriage return) as a formula, so an organization name or a username such as
``-1+1`` or ``=HYPERLINK(...)`` would run on the auditor's machine (CSV / formula injection).
:func:`safe_cell` gives such text a leading apostrophe, as OWASP recommends, and leaves real numbers
as numbers; :class:`SafeCSVWriter` and :func:`append_safe_row` apply it to every cell, and XLSX cells
are always written as text, never as formulas.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from decimal import Decimal

# ASCII triggers and their full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20), which some
# spreadsheet programs normalise to the ASCII ones.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

# Control characters an XLSX file cannot hold (openpyxl refuses them with IllegalCharacterError).
_XLSX_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def safe_cell(value):
    """The value as a cell a spreadsheet shows and never runs.

    Numbers (``int``, ``float``, ``Decimal``, but not ``bool``) stay numbers; ``None`` becomes an
    empty cell; dates stay dates; anything else becomes text, with a leading apostrophe when it
    starts like a formula.

    >>> safe_cell("=1+1"), safe_cell("-1+1"), safe_cell(-0.5), safe_cell("Acme")
    ("'=1+1", "'-1+1", -0.5, 'Acme')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal | dt.date | dt.datetime | dt.time):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def spreadsheet_safe(value) -> str:
    """A cell as text that a spreadsheet will not run as a formula (see :func:`safe_cell`)."""
    cell = safe_cell(value)
    return cell if isinstance(cell, str) else str(cell)


class SafeCSVWriter:
    """``csv.writer`` whose every cell goes through :func:`safe_cell`.

    ``writerow`` returns what the file's ``write`` returned, so it also works with an echo
    buffer for a streamed response.
    """

    def __init__(self, file, **kwargs):
        self._writer = csv.writer(file, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def safe_csv_writer(file, **kwargs) -> SafeCSVWriter:
    return SafeCSVWriter(file, **kwargs)


def xlsx_cell_value(value):
    """:func:`safe_cell` for XLSX: text without the control characters an XLSX cannot hold."""
    cell = safe_cell(value)
    if isinstance(cell, str):
        cell = _XLSX_ILLEGAL.sub("\ufffd", cell)
    return cell


def append_safe_row(sheet, row) -> int:
    """Append ``row`` to an openpyxl sheet, every text cell stored as text (never a formula).

    Returns the new row's number.
    """
    values = [xlsx_cell_value(value) for value in row]
    sheet.append(values)
    number = sheet.max_row
    if not values:
        return number
    for cell in sheet[number]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
    return number
