"""Recording a family-law matter from either channel: the case starts, the parents' contact
details stay here.

The start form's data (channel, matters, the child's birth year only, willingness to agree,
meeting preference, municipality) enters the workflow; how to reach the parents does not: the
history keeps every value for good, and these are erased when the matter closes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from sote_flow.domain.clock import Clock
from sote_flow.domain.contact_details import email_problem, phone_problem
from sote_flow.domain.errors import FieldError, InvalidInput, NotFound
from sote_flow.domain.privacy import find_personal_identity_codes
from sote_flow.domain.text import t
from sote_flow.domain.weekdays import FINNISH_TIME
from sote_flow.family_law.models import Party
from sote_flow.family_law.municipalities import LAPLAND_MUNICIPALITIES
from sote_flow.packages import ClientContact
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_writer
from sote_flow.services.instances import begin_instance
from sote_flow.services.platform import Platform
from sote_flow.services.system import PUBLIC_WEB_ACTOR

PROCESS_KEY = "family_law"
CHANNELS = ("digital", "phone")
MATTERS = ("huolto", "asuminen", "tapaamisoikeus", "elatus")
WILLINGNESS = ("molemmat", "toinen", "ei_tiedossa")
PREFERENCES = ("eta", "lahi")
PARENTS = (1, 2)
CHILD_AGE_LIMIT = 18
HETU_MESSAGE = t("Älä kirjoita henkilötunnusta. Lapsesta kysytään vain syntymävuosi.")
CLOSED_STATUSES = ("completed", "cancelled")
CLOSED_MESSAGE = t("Asia on päättynyt; yhteystietoja ei enää pidetä.")
EMAIL_NEEDED = t(
    "Kerro sähköpostiosoitteesi: kutsu tapaamiseen ja sopimus toimitetaan sähköpostilla."
)
BIRTH_YEAR_SHAPE = t("Anna lapsen syntymävuosi neljänä numerona, esim. 2018.")

PUBLIC_ACTOR = PUBLIC_WEB_ACTOR


@dataclass(frozen=True)
class MatterInput:
    """What a parent tells of the matter, and how each parent can be reached."""

    matters: Sequence[str]
    child_birth_year: str
    parents_willing: str
    meeting_preference: str
    municipality: str
    email_1: str = ""
    phone_1: str = ""
    email_2: str = ""
    phone_2: str = ""


@dataclass(frozen=True)
class StartedMatter:
    """A matter just recorded: its instance and reference number."""

    instance_id: int
    reference: str


@dataclass(frozen=True)
class PartyView:
    """One parent's contact details as the officer sees them."""

    parent: int
    email: str
    phone: str
    erased: bool


def begin_matter(
    platform: Platform, actor: Actor, uow: UnitOfWork, clock: Clock, channel: str, data: MatterInput
) -> StartedMatter:
    """Start the case and keep the parents' contact details beside it; the caller commits."""
    errors = matter_errors(clock, channel, data)
    if errors:
        raise InvalidInput(errors)
    start_data = {
        "channel": channel,
        "matters": [m for m in MATTERS if m in data.matters],
        "child_birth_year": int(data.child_birth_year),
        "parents_willing": data.parents_willing,
        "meeting_preference": data.meeting_preference,
        "municipality": data.municipality,
    }
    instance = begin_instance(platform, actor, uow, clock, PROCESS_KEY, start_data)
    for parent, email, phone in ((1, data.email_1, data.phone_1), (2, data.email_2, data.phone_2)):
        uow.session.add(
            Party(
                instance_id=instance.id,
                parent=parent,
                email=email.strip() or None,
                phone=phone.strip() or None,
                created_at=clock(),
            )
        )
    case = uow.cases.get(instance.id)
    reference = case.case_number if case is not None and case.case_number else f"#{instance.id}"
    return StartedMatter(instance.id, reference)


def record_phone_matter(
    platform: Platform, actor: Actor, uow: UnitOfWork, clock: Clock, data: MatterInput
) -> StartedMatter:
    """An officer or advisor records a matter that came by phone."""
    started = begin_matter(platform, actor, uow, clock, "phone", data)
    uow.commit()
    return started


def parties(uow: UnitOfWork, instance_id: int) -> list[Party]:
    """Return the parents' rows of a matter, parent 1 first."""
    query = select(Party).where(Party.instance_id == instance_id).order_by(Party.parent)
    return list(uow.session.scalars(query).all())


def party_views(uow: UnitOfWork, instance_id: int) -> list[PartyView]:
    """Return the parents' contact details as shown to staff."""
    return [
        PartyView(p.parent, p.email or "", p.phone or "", p.erased_at is not None)
        for p in parties(uow, instance_id)
    ]


def update_party(
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    instance_id: int,
    parent: int,
    email: str,
    phone: str,
) -> None:
    """Correct how one parent is reached (not once the matter has closed)."""
    require_writer(actor)
    if parent not in PARENTS:
        raise NotFound(t("Vanhempaa ei löydy."))
    instance = uow.instances.lock(instance_id)
    if instance is None or instance.process_key != PROCESS_KEY:
        raise NotFound(t("Perheasiaa ei löydy."))
    if instance.status in CLOSED_STATUSES:
        raise InvalidInput(
            [FieldError("email", t("Asia on päättynyt; yhteystietoja ei enää pidetä."))]
        )
    errors = reach_errors(email, phone, f"_{parent}")
    if errors:
        raise InvalidInput(errors)
    row = next((p for p in parties(uow, instance_id) if p.parent == parent), None)
    if row is None:
        row = Party(instance_id=instance_id, parent=parent, created_at=clock())
        uow.session.add(row)
    row.email, row.phone = email.strip() or None, phone.strip() or None
    # The history tells that the details changed, never what they are.
    uow.history.append(
        at=clock(),
        actor=actor.username,
        action="party_contact_updated",
        instance_id=instance_id,
        data={
            "parent": parent,
            "has_email": row.email is not None,
            "has_phone": row.phone is not None,
        },
    )
    uow.commit()


def client_contact(uow: UnitOfWork, instance_id: int) -> ClientContact | None:
    """Return where parent 1 (who made the contact) asked to be reached (None once erased)."""
    row = next((p for p in parties(uow, instance_id) if p.parent == 1), None)
    if row is None or row.erased_at is not None:
        return None
    return ClientContact(email=row.email, phone=row.phone)


def matter_errors(clock: Clock, channel: str, data: MatterInput) -> list[FieldError]:
    """Return what is wrong with a matter's start, by field, in the parent's terms."""
    errors = []
    if channel not in CHANNELS:
        errors.append(FieldError("channel", t("Tuntematon yhteydenottotapa.")))
    if not data.matters or any(m not in MATTERS for m in data.matters):
        errors.append(FieldError("matters", t("Valitse, mitä asia koskee (yksi tai useampi).")))
    errors.extend(_birth_year_errors(clock, data.child_birth_year))
    if data.parents_willing not in WILLINGNESS:
        errors.append(
            FieldError("parents_willing", t("Kerro, ovatko vanhemmat valmiita sopimaan."))
        )
    if data.meeting_preference not in PREFERENCES:
        errors.append(FieldError("meeting_preference", t("Valitse etä- tai lähitapaaminen.")))
    if data.municipality not in LAPLAND_MUNICIPALITIES:
        errors.append(FieldError("municipality", t("Valitse kotikunta luettelosta.")))
    errors.extend(reach_errors(data.email_1, data.phone_1, "_1", required=channel == "digital"))
    errors.extend(reach_errors(data.email_2, data.phone_2, "_2"))
    return errors


def reach_errors(email: str, phone: str, suffix: str, required: bool = False) -> list[FieldError]:
    """Return what is wrong with one parent's e-mail and phone (fields named with `suffix`)."""
    errors = []
    email, phone = email.strip(), phone.strip()
    if find_personal_identity_codes(email) or find_personal_identity_codes(phone):
        errors.append(FieldError(f"email{suffix}", HETU_MESSAGE))
    if problem := email_problem(email):
        errors.append(FieldError(f"email{suffix}", problem))
    if problem := phone_problem(phone):
        errors.append(FieldError(f"phone{suffix}", problem))
    if required and not email:
        errors.append(FieldError(f"email{suffix}", EMAIL_NEEDED))
    return errors


def _birth_year_errors(clock: Clock, value: str) -> list[FieldError]:
    this_year = clock().astimezone(FINNISH_TIME).year
    text = value.strip()
    if find_personal_identity_codes(text):
        return [FieldError("child_birth_year", HETU_MESSAGE)]
    if not text.isdigit() or len(text) != 4:
        return [
            FieldError(
                "child_birth_year", t("Anna lapsen syntymävuosi neljänä numerona, esim. 2018.")
            )
        ]
    if not this_year - CHILD_AGE_LIMIT < int(text) <= this_year:
        return [
            FieldError(
                "child_birth_year",
                t(
                    "Syntymävuoden on oltava {first}–{last}: palvelu koskee alaikäisiä lapsia.",
                    first=this_year - CHILD_AGE_LIMIT + 1,
                    last=this_year,
                ),
            )
        ]
    return []
