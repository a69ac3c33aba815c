"""workers/suggest ranks family workers by skills, area and caseload, and says why."""

from __future__ import annotations

from sote_flow.handlers.context import WorkerProfile
from sote_flow.service_order.suggestions import rank_workers
from sote_flow.services.staff_directory import with_staff_choices


def _worker(username, skills, areas, orders):
    return WorkerProfile(username, username.title(), frozenset(skills), frozenset(areas), orders)


WORKERS = [
    _worker("aaro", ["arjen_hallinta"], ["Kotka"], 0),
    _worker("bea", ["arjen_hallinta", "sosiaaliohjaus"], ["Hamina"], 1),
    _worker("cecilia", ["arjen_hallinta", "sosiaaliohjaus"], ["Kotka"], 4),
    _worker("daniel", ["arjen_hallinta", "sosiaaliohjaus"], ["Kotka"], 2),
    _worker("eemil", [], ["Kotka"], 0),
]


def test_most_skills_first_then_area_then_fewest_active_orders():
    ranked = rank_workers(WORKERS, ["arjen_hallinta", "sosiaaliohjaus"], "Kotka")
    assert [s["username"] for s in ranked] == ["daniel", "cecilia", "bea"]
    assert ranked[0]["reason"] == (
        "Osaaminen: arjen hallinta, sosiaaliohjaus; alue: Kotka; 2 aktiivista tilausta"
    )
    assert ranked[2]["in_area"] is False and "ei toimi alueella Kotka" in ranked[2]["reason"]


def test_fewer_than_three_workers_gives_fewer_suggestions():
    assert [s["username"] for s in rank_workers(WORKERS[:1], ["muu"], "Pyhtää")] == ["aaro"]
    assert rank_workers([], ["muu"], "Kotka") == []


class _Directory:
    def family_workers(self):
        return WORKERS


def test_family_worker_field_becomes_a_choice_with_suggested_first():
    form = {"type": "object", "properties": {"w": {"type": "string", "format": "family-worker"}}}
    resolved = with_staff_choices(form, _Directory(), ["daniel", "bea"])
    options = resolved["properties"]["w"]["oneOf"]
    assert [o["const"] for o in options][:2] == ["daniel", "bea"]
    assert options[0]["title"] == "Daniel (daniel) – ehdotettu"
    assert {o["const"] for o in options} == {w.username for w in WORKERS}
    assert "format" not in resolved["properties"]["w"]
    assert form["properties"]["w"]["format"] == "family-worker"  # the deployed form is unchanged
