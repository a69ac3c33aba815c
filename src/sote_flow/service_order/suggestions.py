"""Operator `workers/suggest`: up to three family workers for an order, with the reasons."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sote_flow.handlers.context import HandlerContext, WorkerProfile

MAX_SUGGESTIONS = 3
NEED_TITLES: Mapping[str, str] = {
    "arjen_hallinta": "arjen hallinta",
    "vuorovaikutustaidot": "vuorovaikutustaidot",
    "lapsen_perushoito_ja_kasvatus": "lapsen perushoito ja kasvatus",
    "sosiaaliohjaus": "sosiaaliohjaus",
    "muu": "muu",
}


def suggest_workers(ctx: HandlerContext) -> list[dict[str, Any]]:
    """Rank active family workers by matching skills, area and fewest active orders."""
    if ctx.directory is None:
        raise RuntimeError("workers/suggest needs the staff directory")
    needs = _as_list(ctx.params.get("needs", ctx.task_data.get("needs")))
    municipality = str(ctx.params.get("municipality", ctx.task_data.get("municipality")) or "")
    return rank_workers(ctx.directory.family_workers(), needs, municipality)


def rank_workers(
    workers: Sequence[WorkerProfile], needs: Sequence[str], municipality: str
) -> list[dict[str, Any]]:
    """Return the best workers first: most skills matched, in the area, fewest active orders."""

    def key(worker: WorkerProfile) -> tuple[int, int, int, str]:
        matched = len(worker.skills & set(needs))
        return (-matched, 0 if municipality in worker.municipalities else 1,
                worker.caseload, worker.username)  # fmt: skip

    ranked = sorted(workers, key=key)[:MAX_SUGGESTIONS]
    return [_suggestion(worker, needs, municipality) for worker in ranked]


def _suggestion(worker: WorkerProfile, needs: Sequence[str], municipality: str) -> dict[str, Any]:
    matched = [need for need in needs if need in worker.skills]
    in_area = municipality in worker.municipalities
    skills = ", ".join(NEED_TITLES.get(n, n) for n in matched) or "ei tilauksen tarpeita"
    area = f"alue: {municipality}" if in_area else f"ei toimi alueella {municipality}"
    return {
        "username": worker.username,
        "name": worker.name,
        "matched_skills": matched,
        "in_area": in_area,
        "active_orders": worker.caseload,
        "reason": f"Osaaminen: {skills}; {area}; {worker.caseload} aktiivista tilausta",
    }


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, Iterable) else []
