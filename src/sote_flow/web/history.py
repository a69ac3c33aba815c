"""Auditors' view of one instance: the path on its diagram, the timeline and data at any step."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _

from sote_flow.domain.errors import FieldError, InvalidInput
from sote_flow.services import history_view
from sote_flow.web.args import MAX_PAGE, optional_id
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, platform, unit_of_work

history_blueprint = protected_blueprint("history", __name__, url_prefix="/instances")


def bounded_number(name: str, value: str | None, largest: int) -> int | None:
    """Return a query argument that must be a whole number 1..largest; None when absent.

    Anything else is refused (422) with a Finnish message, never quietly read as page 1.
    """
    text = (value or "").strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= len(str(largest)):
        number = int(text)
        if 0 < number <= largest:
            return number
    message = _("Arvon on oltava kokonaisluku väliltä 1–%(largest)s.", largest=largest)
    raise InvalidInput([FieldError(name, message)], _("Virheellinen sivunumero tai sivun koko."))


def page_arg(value: str | None) -> int | None:
    """Return the `page` query argument (1..MAX_PAGE), None when absent; 422 otherwise."""
    return bounded_number("page", value, MAX_PAGE)


def page_size_arg(value: str | None) -> int:
    """Return the `page_size` query argument, the default when absent; 422 when out of bounds."""
    size = bounded_number("page_size", value, history_view.MAX_HISTORY_PAGE_SIZE)
    return size or history_view.HISTORY_PAGE_SIZE


@history_blueprint.get("/<int:instance_id>/history")
def show(instance_id: int) -> str:
    """Show an instance's history on its diagram (the read is logged); ?entry= picks a step,
    ?page= a page of the timeline (by default the one holding that step)."""
    entry_id = optional_id(request.args.get("entry", ""))
    page = page_arg(request.args.get("page"))
    with unit_of_work() as uow:
        view = history_view.instance_history(
            platform(), actor(), uow, clock(), instance_id, entry_id, page
        )
    return render_template("history.html", view=view)
