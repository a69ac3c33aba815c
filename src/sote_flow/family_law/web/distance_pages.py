"""Travel distances (administrators): the road distance from each municipality to each office."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from sote_flow.domain.errors import InvalidInput
from sote_flow.domain.roles import Role
from sote_flow.family_law.distances import (
    MAX_KM,
    MAX_MINUTES,
    delete_distance,
    save_distance,
    travel_distances,
)
from sote_flow.family_law.municipalities import LAPLAND_MUNICIPALITIES
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, unit_of_work

travel_distances_blueprint = protected_blueprint(
    "travel_distances", __name__, template_folder="templates"
)
FIELDS = ("municipality", "office", "km", "minutes", "editing")


@travel_distances_blueprint.get("/admin/travel-distances")
def index() -> str:
    """List the distances with a form to change or remove each, and one to add a pair."""
    return _page(None, {}, 200)[0]


@travel_distances_blueprint.post("/admin/travel-distances")
def save() -> BaseResponse | tuple[str, int]:
    """Add the distance of a municipality–office pair, or change it (the pair is the key)."""
    form = {name: request.form.get(name, "") for name in FIELDS}
    try:
        with unit_of_work() as uow:
            added = save_distance(
                actor(), uow, clock(), form["municipality"], form["office"],
                form["km"], form["minutes"],
            )  # fmt: skip
    except InvalidInput as error:
        return _page(error, form, 422)
    flash(_("Etäisyys lisätty.") if added else _("Etäisyys tallennettu."), "success")
    return redirect(url_for("travel_distances.index"))


@travel_distances_blueprint.post("/admin/travel-distances/<int:distance_id>/delete")
def delete(distance_id: int) -> BaseResponse:
    """Remove one distance row."""
    with unit_of_work() as uow:
        delete_distance(actor(), uow, clock(), distance_id)
    flash(_("Etäisyys poistettu."), "success")
    return redirect(url_for("travel_distances.index"))


def _page(error: InvalidInput | None, submitted: dict[str, Any], status: int) -> tuple[str, int]:
    with unit_of_work() as uow:
        rows = travel_distances(actor(), uow)
    errors = {e.field: e.message for e in error.errors} if error else {}
    html = render_template(
        "family_law/distances.html",
        rows=rows,
        errors=errors,
        submitted=submitted,
        municipalities=LAPLAND_MUNICIPALITIES,
        max_km=MAX_KM,
        max_minutes=MAX_MINUTES,
        may_edit=not actor().read_only and actor().has_role(Role.ADMINISTRATOR),
    )
    return html, status
