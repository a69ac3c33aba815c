"""Performed work in the web app: my work with the calendar's appointments to confirm, and a
client case's page with its facts and the work recorded on it."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from sote_flow.client_case import work
from sote_flow.client_case.events import CLIENT_WORK, EMPLOYEE_WORK
from sote_flow.domain.errors import InvalidInput
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.web.blueprints import protected_blueprint
from sote_flow.web.deps import actor, clock, unit_of_work

client_work_blueprint = protected_blueprint("client_work", __name__, template_folder="templates")
NO_STORE = {"Cache-Control": "no-store"}
WORK_FIELDS = ("event_type", "day", "minutes", "participants", "client_met")
Page = tuple[str, int, dict[str, str]]

# The kinds of work in the page's language (events.py keeps their keys and Finnish names).
TYPE_LABELS = {
    "asiakastapaaminen": _l("Asiakastapaaminen"),
    "vaativa_tapaaminen": _l("Vaativa asiakastapaaminen"),
    "puhelu": _l("Puhelu"),
    "suunnitelma_laadittu": _l("Asiakassuunnitelma laadittu"),
    "suunnitelma_tarkistettu": _l("Asiakassuunnitelma tarkistettu"),
    "lausunto": _l("Lausunto"),
    "kotikaynti": _l("Kotikäynti"),
    "konsultaatio": _l("Konsultaatio"),
    "neuvottelu": _l("Neuvottelu"),
    "tyonohjaus": _l("Työnohjaus"),
    "koulutus": _l("Koulutus"),
    "kehittamistyo": _l("Kehittämistyö"),
    "hallinto": _l("Hallinto ja kokoukset"),
}
UNIT_LABELS = {"kaynti": _l("käynti"), "tunti": _l("tunti"), "paiva": _l("päivä")}
# The start form's choices (processes/client_case-start.json).
MATTER_LABELS = {
    "lapsiperheet": _l("Lapsiperheiden palvelut"),
    "lastensuojelu": _l("Lastensuojelu"),
    "tyoikaiset": _l("Työikäisten palvelut"),
    "iakkaat": _l("Iäkkäiden palvelut"),
    "vammaispalvelut": _l("Vammaispalvelut"),
    "paihde": _l("Päihde- ja riippuvuustyö"),
}
UNIT_NAMES = {
    "lapsiperheiden_sosiaalityo": _l("Lapsiperheiden sosiaalityö"),
    "aikuissosiaalityo": _l("Aikuissosiaalityö"),
    "vammaispalvelut": _l("Vammaispalvelut"),
    "iakkaiden_palvelut": _l("Iäkkäiden palvelut"),
}
FIELD_LABELS = {
    "event_type": _l("Työn laji"),
    "day": _l("Päivä"),
    "minutes": _l("Kesto minuutteina"),
    "participants": _l("Osallistujat"),
    "client_met": _l("Tavattiinko asiakas"),
}


@client_work_blueprint.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "type_labels": TYPE_LABELS,
        "field_labels": FIELD_LABELS,
        "finnish_day": finnish_day,
    }


@client_work_blueprint.get("/work")
def my_work() -> Page:
    """Show my work of the last 30 days, the appointments to confirm, and a form for other work."""
    return _my_work({}, {}, 200)


@client_work_blueprint.post("/work/employee")
def record_employee() -> Response | Page:
    """Record my own work without a client (training, supervision, …)."""
    form = _work_form()
    try:
        with unit_of_work() as uow:
            work.record_employee_work(actor(), uow, clock(), _work_input(form))
    except InvalidInput as error:
        return _my_work(form, _errors(error), 422)
    flash(_("Työ kirjattu."), "success")
    return redirect(url_for("client_work.my_work"))


@client_work_blueprint.post("/work/suggestions/<int:entry_id>/confirm")
def confirm(entry_id: int) -> Response | Page:
    """Record one of my past appointments as client work (of the kind chosen)."""
    event_type = request.form.get("event_type", "")[:40] or None
    try:
        with unit_of_work() as uow:
            work.confirm_suggestion(actor(), uow, clock(), entry_id, event_type)
    except InvalidInput as error:
        errors = {f"{e.field}-{entry_id}": e.message for e in error.errors}
        labels = {f"{e.field}-{entry_id}": FIELD_LABELS.get(e.field, e.field) for e in error.errors}
        typed = {"entry_id": entry_id, "event_type": event_type}
        return _my_work(typed, errors, 422, labels)
    flash(_("Käynti kirjattu tehdyksi työksi."), "success")
    return redirect(url_for("client_work.my_work"))


@client_work_blueprint.post("/work/suggestions/<int:entry_id>/dismiss")
def dismiss(entry_id: int) -> Response:
    """Mark one of my past appointments as no work to record."""
    with unit_of_work() as uow:
        work.dismiss_suggestion(actor(), uow, clock(), entry_id)
    flash(_("Ehdotus ohitettu."), "success")
    return redirect(url_for("client_work.my_work"))


@client_work_blueprint.get("/client-cases/<int:instance_id>")
def case(instance_id: int) -> Page:
    """Show a client case: its facts, open tasks and the work recorded on it."""
    return _case(instance_id, {}, {}, 200)


@client_work_blueprint.post("/client-cases/<int:instance_id>/work")
def record_case(instance_id: int) -> Response | Page:
    """Record client work done on the case."""
    form = _work_form()
    try:
        with unit_of_work() as uow:
            work.record_case_work(actor(), uow, clock(), instance_id, _work_input(form))
    except InvalidInput as error:
        return _case(instance_id, form, _errors(error), 422)
    flash(_("Työ kirjattu asiakkuudelle."), "success")
    return redirect(url_for("client_work.case", instance_id=instance_id))


def finnish_day(day: date) -> str:
    """Write a day the Finnish way, e.g. 24.11.2026."""
    return f"{day.day}.{day.month}.{day.year}"


def _my_work(
    typed: dict[str, Any], errors: dict[str, str], status: int, labels: Any = FIELD_LABELS
) -> Page:
    with unit_of_work() as uow:
        page = work.my_work_page(actor(), uow, clock())
    html = render_template(
        "client_case/my_work.html",
        page=page,
        typed=typed,
        errors=errors,
        summary_labels=labels,
        employee_types=EMPLOYEE_WORK,
        client_types=CLIENT_WORK,
    )
    return html, status, NO_STORE


def _case(instance_id: int, typed: dict[str, Any], errors: dict[str, str], status: int) -> Page:
    with unit_of_work() as uow:
        view = work.case_view(actor(), uow, clock(), instance_id)
    html = render_template(
        "client_case/case.html",
        view=view,
        typed=typed,
        errors=errors,
        client_types=CLIENT_WORK,
        today=clock()().astimezone(FINNISH_TIME).date(),
        matter_labels=MATTER_LABELS,
        unit_names=UNIT_NAMES,
    )
    return html, status, NO_STORE


def _work_form() -> dict[str, str]:
    # Cut to a little over each field's limit: the service names what is too long.
    return {name: request.form.get(name, "")[:300] for name in WORK_FIELDS}


def _work_input(form: dict[str, str]) -> work.WorkInput:
    return work.WorkInput(
        form["event_type"], form["day"], form["minutes"], form["participants"], form["client_met"]
    )


def _errors(error: InvalidInput) -> dict[str, str]:
    return {e.field: e.message for e in error.errors}
