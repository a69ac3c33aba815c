"""Cells written to CSV and XLSX exports: nothing a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

# A cell starting with one of these is read by Excel and LibreOffice as a formula (or DDE).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Return text that would start a formula prefixed with ' (numbers and the rest unchanged)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """Return the row with every cell made safe."""
    return [safe_cell(value) for value in values]


def safe_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """Return the record with every value made safe."""
    return {key: safe_cell(value) for key, value in record.items()}


def finnish_csv_cell(cell: Any) -> str:
    """A cell as Finnish Excel reads it: a decimal comma, nothing for no value, no formulas."""
    if cell is None:
        return ""
    if isinstance(cell, float | Decimal):
        return str(cell).replace(".", ",")
    return str(safe_cell(cell))


def finnish_csv(rows: Iterable[Sequence[Any]]) -> bytes:
    """Return rows as CSV that Finnish Excel opens as is: BOM, semicolons, decimal commas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([finnish_csv_cell(cell) for cell in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
