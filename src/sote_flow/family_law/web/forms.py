"""Reading the matter form (public and phone) from a request, and its field labels."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l

from sote_flow.domain.errors import InvalidInput
from sote_flow.family_law.contacts import MatterInput
from sote_flow.family_law.municipalities import LAPLAND_MUNICIPALITIES

TEXT_FIELDS = (
    "child_birth_year",
    "parents_willing",
    "meeting_preference",
    "municipality",
    "email_1",
    "phone_1",
    "email_2",
    "phone_2",
)
MATTER_LABELS = {
    "huolto": _l("Lapsen huolto"),
    "asuminen": _l("Lapsen asuminen"),
    "tapaamisoikeus": _l("Tapaamisoikeus"),
    "elatus": _l("Elatus"),
}
WILLING_LABELS = {
    "molemmat": _l("Kyllä, molemmat vanhemmat haluavat sopia"),
    "toinen": _l("Vain toinen vanhempi haluaa sopia"),
    "ei_tiedossa": _l("En tiedä"),
}
PREFERENCE_LABELS = {
    "eta": _l("Etätapaaminen videon välityksellä"),
    "lahi": _l("Lähitapaaminen toimipisteessä"),
}
FIELD_LABELS = {
    "matters": _l("Mitä asia koskee"),
    "child_birth_year": _l("Lapsen syntymävuosi"),
    "parents_willing": _l("Halukkuus sopia"),
    "meeting_preference": _l("Tapaamistoive"),
    "municipality": _l("Kotikunta"),
    "email_1": _l("Sähköposti"),
    "phone_1": _l("Puhelinnumero"),
    "email_2": _l("Toisen vanhemman sähköposti"),
    "phone_2": _l("Toisen vanhemman puhelinnumero"),
}


def matter_values() -> dict[str, Any]:
    """The submitted matter form as shown back: text fields cut to size, matters as a list."""
    values: dict[str, Any] = {name: request.form.get(name, "")[:300] for name in TEXT_FIELDS}
    # Unknown matters are passed on for the service to refuse, not dropped in silence.
    values["matters"] = [m[:40] for m in request.form.getlist("matters")[:10]]
    return values


def matter_input(values: dict[str, Any]) -> MatterInput:
    """The service's input from the form's values."""
    return MatterInput(
        matters=list(values["matters"]),
        child_birth_year=values["child_birth_year"],
        parents_willing=values["parents_willing"],
        meeting_preference=values["meeting_preference"],
        municipality=values["municipality"],
        email_1=values["email_1"],
        phone_1=values["phone_1"],
        email_2=values["email_2"],
        phone_2=values["phone_2"],
    )


def field_errors(error: InvalidInput) -> dict[str, str]:
    """The first message per field."""
    errors: dict[str, str] = {}
    for item in error.errors:
        errors.setdefault(item.field, item.message)
    return errors


def form_helpers() -> dict[str, Any]:
    """What the matter form's templates need: the choices and the field labels."""
    return {
        "matter_labels": MATTER_LABELS,
        "willing_labels": WILLING_LABELS,
        "preference_labels": PREFERENCE_LABELS,
        "municipalities": LAPLAND_MUNICIPALITIES,
        "field_labels": FIELD_LABELS,
    }
