"""Administrators keep the calendar entry types: add, rename, retire and bring back.

A retired type stays on the entries that have it (and in the statistics) but is not offered
for new entries. The types the calendar itself writes (absences, booked first visits) cannot be
retired.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sote_flow.domain.calendar import ABSENCE_TYPE, FIRST_VISIT_TYPE, REMOTE_VISIT_TYPE
from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import FieldError, InvalidInput
from sote_flow.domain.roles import Role
from sote_flow.domain.text import t
from sote_flow.persistence.calendar_models import CalendarEntryType
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_role, require_writer

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
MAX_NAME = 200
CLIENT_WORK = ("yes", "indirect", "no")
CLIENT_WORK_LABELS = {"yes": "Asiakastyötä", "indirect": "Välillistä asiakastyötä", "no": "Ei"}
# Types the calendar writes by itself; retiring one would break absences or bookings.
SYSTEM_TYPES = frozenset({ABSENCE_TYPE, FIRST_VISIT_TYPE, REMOTE_VISIT_TYPE})
NAME_FIELDS = (
    ("name_fi", t("suomeksi")),
    ("name_sv", t("ruotsiksi")),
    ("name_en", t("englanniksi")),
)


@dataclass(frozen=True)
class EntryTypeRow:
    """One entry type as the admin page shows it."""

    key: str
    name_fi: str
    name_sv: str
    name_en: str
    client_work: str
    retired: bool
    system: bool


def list_entry_types(actor: Actor, uow: UnitOfWork) -> Sequence[EntryTypeRow]:
    """Return every entry type in order, retired ones included (administrators and auditors)."""
    require_role(actor, Role.ADMINISTRATOR, Role.AUDITOR)
    return [
        EntryTypeRow(
            t.key, t.name_fi, t.name_sv, t.name_en, t.client_work, t.retired, t.key in SYSTEM_TYPES
        )
        for t in uow.calendar.entry_types(include_retired=True)
    ]


def save_entry_type(
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    key: str,
    name_fi: str,
    name_sv: str,
    name_en: str,
    client_work: str,
    retired: bool,
    *,
    adding: bool = False,
) -> bool:
    """Add an entry type or change one (names, client work, retired); True when added.

    With `adding`, an existing key is refused rather than changed (the page's add form)."""
    require_writer(actor)
    require_role(actor, Role.ADMINISTRATOR)
    key = key.strip()
    names = {"name_fi": name_fi.strip(), "name_sv": name_sv.strip(), "name_en": name_en.strip()}
    _validate(key, names, client_work, retired)
    entry_type = uow.calendar.entry_type(key)
    if adding and entry_type is not None:
        raise InvalidInput(
            [FieldError("key", t("Tunnus on jo käytössä; muuta tyyppiä sen omalla rivillä."))]
        )
    before = None
    if entry_type is None:
        entry_type = CalendarEntryType(key=key, client_work=client_work, retired=retired, **names)
        uow.calendar.add_entry_type(entry_type)
    else:
        before = {
            "name_fi": entry_type.name_fi,
            "name_sv": entry_type.name_sv,
            "name_en": entry_type.name_en,
            "client_work": entry_type.client_work,
            "retired": entry_type.retired,
        }
        entry_type.name_fi = names["name_fi"]
        entry_type.name_sv = names["name_sv"]
        entry_type.name_en = names["name_en"]
        entry_type.client_work = client_work
        entry_type.retired = retired
    uow.history.append(
        at=clock(),
        actor=actor.username,
        action="calendar_type_saved",
        data={
            "key": key,
            **names,
            "client_work": client_work,
            "retired": retired,
            "added": before is None,
            "before": before,
        },
    )
    uow.commit()
    return before is None


def _validate(key: str, names: dict[str, str], client_work: str, retired: bool) -> None:
    errors = []
    if not KEY_PATTERN.match(key):
        errors.append(
            FieldError(
                "key",
                t(
                    "Tunnus on 2–40 merkkiä: pieniä kirjaimia a–z, numeroita ja alaviivoja, "
                    "ja se alkaa kirjaimella."
                ),
            )
        )
    for field, language in NAME_FIELDS:
        if not names[field]:
            errors.append(FieldError(field, t("Kirjoita nimi {language}.", language=language)))
        elif len(names[field]) > MAX_NAME:
            errors.append(
                FieldError(
                    field, t("Nimi on liian pitkä (enintään {limit} merkkiä).", limit=MAX_NAME)
                )
            )
    if client_work not in CLIENT_WORK:
        errors.append(FieldError("client_work", t("Valitse, onko tyyppi asiakastyötä.")))
    if retired and key in SYSTEM_TYPES:
        errors.append(
            FieldError(
                "retired", t("Kalenteri käyttää tätä tyyppiä itse; sitä ei voi poistaa käytöstä.")
            )
        )
    if errors:
        raise InvalidInput(errors)
