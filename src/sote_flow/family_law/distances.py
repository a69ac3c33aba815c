"""Travel distances the administrator keeps: road km and minutes from a municipality to an office.

The family-law report uses them to tell how much travel the remote meetings saved; a pair with
no row is shown there as missing, so the administrator knows what to add here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from sote_flow.domain.roles import Role
from sote_flow.domain.text import t
from sote_flow.family_law.models import TravelDistance
from sote_flow.family_law.municipalities import LAPLAND_MUNICIPALITIES
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_role, require_writer

MAX_KM = 2000
MAX_MINUTES = 2000


@dataclass(frozen=True)
class DistanceRow:
    """One municipality–office pair with its road distance and driving time."""

    id: int
    municipality: str
    office: str
    km: int
    minutes: int


def travel_distances(actor: Actor, uow: UnitOfWork) -> list[DistanceRow]:
    """Return every distance row by municipality and office (administrators and auditors)."""
    require_role(actor, Role.ADMINISTRATOR, Role.AUDITOR)
    rows = uow.session.scalars(select(TravelDistance)).all()
    order = {name: n for n, name in enumerate(LAPLAND_MUNICIPALITIES)}
    # The list's own order (as the forms offer them); a name off the list goes last.
    rows = sorted(rows, key=lambda r: (order.get(r.municipality, 99), order.get(r.office, 99)))
    return [DistanceRow(r.id, r.municipality, r.office, r.km, r.minutes) for r in rows]


def save_distance(
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    municipality: str,
    office: str,
    km: int | str,
    minutes: int | str,
) -> bool:
    """Add or change the distance of a municipality–office pair; True when added."""
    require_writer(actor)
    require_role(actor, Role.ADMINISTRATOR)
    municipality, office = municipality.strip(), office.strip()
    km_value, minutes_value = _validate(municipality, office, km, minutes)
    row = uow.session.scalars(
        select(TravelDistance).where(
            TravelDistance.municipality == municipality, TravelDistance.office == office
        )
    ).one_or_none()
    before = None if row is None else {"km": row.km, "minutes": row.minutes}
    if row is None:
        uow.session.add(
            TravelDistance(
                municipality=municipality, office=office, km=km_value, minutes=minutes_value
            )
        )
    else:
        row.km, row.minutes = km_value, minutes_value
    uow.history.append(
        at=clock(),
        actor=actor.username,
        action="travel_distance_saved",
        data={
            "municipality": municipality,
            "office": office,
            "km": km_value,
            "minutes": minutes_value,
            "added": before is None,
            "before": before,
        },
    )
    _commit(uow)
    return before is None


def delete_distance(actor: Actor, uow: UnitOfWork, clock: Clock, distance_id: int) -> None:
    """Remove a distance row; the report then counts its pair's remote meetings as missing."""
    require_writer(actor)
    require_role(actor, Role.ADMINISTRATOR)
    row = uow.session.get(TravelDistance, distance_id)
    if row is None:
        raise NotFound(t("Etäisyyttä ei löydy; se on ehkä jo poistettu."))
    uow.history.append(
        at=clock(),
        actor=actor.username,
        action="travel_distance_deleted",
        data={
            "municipality": row.municipality,
            "office": row.office,
            "km": row.km,
            "minutes": row.minutes,
        },
    )
    uow.session.delete(row)
    uow.commit()


def _validate(municipality: str, office: str, km: int | str, minutes: int | str) -> tuple[int, int]:
    errors = []
    if municipality not in LAPLAND_MUNICIPALITIES:
        errors.append(FieldError("municipality", t("Valitse kunta Lapin kunnista.")))
    if office not in LAPLAND_MUNICIPALITIES:
        errors.append(FieldError("office", t("Valitse toimipisteen kunta Lapin kunnista.")))
    km_value = _whole_number(km, MAX_KM)
    if km_value is None:
        errors.append(
            FieldError("km", t("Kilometrit: kirjoita kokonaisluku 0–{limit}.", limit=MAX_KM))
        )
    minutes_value = _whole_number(minutes, MAX_MINUTES)
    if minutes_value is None:
        errors.append(
            FieldError(
                "minutes",
                t("Ajoaika: kirjoita minuutit kokonaislukuna 0–{limit}.", limit=MAX_MINUTES),
            )
        )
    if errors or km_value is None or minutes_value is None:
        raise InvalidInput(errors)
    return km_value, minutes_value


def _whole_number(value: int | str, top: int) -> int | None:
    # Form text or a number; bool is an int in Python but never a distance.
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > len(str(top)):
            return None
        value = int(text)
    return value if 0 <= value <= top else None


def _commit(uow: UnitOfWork) -> None:
    # Two administrators adding the same pair at once: the unique pair lets one through.
    try:
        uow.commit()
    except IntegrityError:
        raise Conflict(
            t("Sama kunta ja toimipiste tallennettiin juuri toisaalla; lataa sivu uudelleen.")
        ) from None
