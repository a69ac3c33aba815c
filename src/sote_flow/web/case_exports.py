"""The case report as CSV (for Finnish Excel) and as an XLSX workbook."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook

from sote_flow.domain.case_statistics import Durations
from sote_flow.services.case_queue import QueueColumn
from sote_flow.services.case_report import CaseReport
from sote_flow.web.spreadsheet import finnish_csv, safe_cell

Cell = str | int | float | None


def report_tables(view: CaseReport) -> list[tuple[str, list[list[Cell]]]]:
    """Return the report as named tables of rows (the header row first)."""
    header: list[Cell] = ["Ryhmittely", "Avattuja asioita"]
    for milestone in view.declaration.rules.milestones:
        header += [f"{milestone.label}: määrä", f"{milestone.label}: mediaani (arkipäivää)",
                   f"{milestone.label}: 90. persentiili"]  # fmt: skip
    dimension = next((c for c in view.columns if c.name == view.query.dimension), None)
    waits: list[list[Cell]] = [header]
    for row in [view.total, *view.rows]:
        title = (
            "Kaikki" if row is view.total else dimension.title_of(row.value) if dimension else ""
        )
        waits.append([title, row.opened, *_durations(row.milestones)])
    queue: list[list[Cell]] = [["Päivä", "Avoimia asioita"]]
    queue += [[day.isoformat(), length] for day, length in view.queue_per_day]
    clocks: list[list[Cell]] = [
        ["Määräaika", "Lainkohta", "Pituus", "Ajoissa", "Myöhässä", "Kesken", "Ajoissa (%)"]
    ]
    late: list[list[Cell]] = [["Määräaika", "Asianumero", "Viimeinen päivä", "Päättyi"]]
    for item in view.compliance:
        clock = item.clock
        clocks.append([clock.label, clock.basis, clock.limit_text, item.met, item.late_count,
                       item.running, item.share_met])  # fmt: skip
        late += [
            [clock.label, case.case_number or str(case.instance_id), case.due_on.isoformat(),
             case.stopped_on.isoformat() if case.stopped_on else "kesken"]
            for case in item.late
        ]  # fmt: skip
    return [("Odotusajat", waits), ("Jonon pituus", queue), ("Määräajat", clocks),
            ("Myöhästyneet", late)]  # fmt: skip


def report_csv(view: CaseReport) -> bytes:
    """Return the report as CSV that Finnish Excel opens as is: BOM, semicolons, decimal commas."""
    lines: list[Sequence[Cell]] = []
    for index, (name, rows) in enumerate(report_tables(view)):
        lines += [[], [name]] if index else [[name]]
        lines += [[_one_decimal(cell) for cell in row] for row in rows]
    return finnish_csv(lines)


def report_xlsx(view: CaseReport) -> bytes:
    """Return the report as an XLSX workbook, one sheet per table."""
    workbook = Workbook()
    for index, (name, rows) in enumerate(report_tables(view)):
        sheet = workbook.create_sheet(name, index)
        for row in rows:
            sheet.append([safe_cell(cell) for cell in row])
    del workbook["Sheet"]  # the empty sheet every new workbook starts with
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _title(dimension: QueueColumn | None, value: str) -> str:
    return dimension.title_of(value) if dimension is not None else value


def _durations(waits: Iterable[Durations]) -> Sequence[Cell]:
    return [value for d in waits for value in (d.count, d.median, d.p90)]


def _one_decimal(cell: Cell) -> Cell:
    # The case report's figures are medians and percentiles of days: one decimal is enough.
    return f"{cell:.1f}".replace(".", ",") if isinstance(cell, float) else cell
