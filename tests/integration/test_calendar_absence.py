"""Absences: covered appointments become the team lead's tasks; reassigning tells the client."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from sote_flow.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from sote_flow.persistence.models import HistoryEntry, OutboxMail
from sote_flow.services.calendar_absence import (
    cancel_displaced,
    mark_absence,
    reassign_appointment,
    reassignment_tasks,
)
from tests.support.calendars import at, book_first, make_team, offer_weekly, write_entry
from tests.support.factories import make_actor

TUESDAY = date(2026, 11, 24)
WEDNESDAY = date(2026, 11, 25)


@pytest.fixture
def team(uow, clock):
    return make_team(uow, clock)


@pytest.fixture
def booked(platform, uow, clock, team):
    """Anna has two booked first visits on Tuesday 9.00 and 9.45 and a meeting on Thursday."""
    offer_weekly(uow, clock, team.anna, "family_work", 1, TUESDAY, TUESDAY)
    first = book_first(
        platform, uow, clock, team.advisor, "family_work", "111111", "a@example.test"
    )
    second = book_first(platform, uow, clock, team.advisor, "family_work", "222222")
    return first, second


def absent(platform, uow, clock, actor, username="anna", reason="sick"):
    with uow() as unit:
        return mark_absence(
            platform, actor, unit, clock, username, at(TUESDAY, 8), at(WEDNESDAY, 16), reason
        )


def test_an_absence_flags_the_appointments_inside_it_for_the_lead(
    platform, uow, clock, team, booked
):
    write_entry(platform, uow, clock, team.anna, "documentation", at(TUESDAY, 13), at(TUESDAY, 14))
    outside = write_entry(
        platform, uow, clock, team.anna, "office_visit", at(date(2026, 11, 26), 9),
        at(date(2026, 11, 26), 10), client_number="333333",
    )  # fmt: skip
    absence_id, flagged = absent(platform, uow, clock, team.anna)
    assert flagged == 2  # both first visits; not the documentation, not Thursday's visit
    with uow() as unit:
        tasks = reassignment_tasks(team.lead, unit, clock)
        assert [t.appointment.id for t in tasks] == list(booked)
        assert {t.absence_reason for t in tasks} == {"Sairaus"}
        assert all(t.appointment.displaced for t in tasks)
        entry = unit.calendar.entry(outside)
        assert entry is not None and entry.displaced_by_id is None
        absence = unit.calendar.entry(absence_id)
        assert absence is not None and absence.type_key == "absence"
        lead_mail = unit.session.scalars(
            select(OutboxMail).where(OutboxMail.to_address == "leena@example.test")
        ).one()
    assert "2 tapaamista odottaa" in lead_mail.body
    assert "111111" not in lead_mail.body  # no client data by mail
    with uow() as unit, pytest.raises(PermissionDenied):
        reassignment_tasks(team.anna, unit, clock)


def test_suggestions_are_free_colleagues_same_service_first_then_fewest_appointments(
    platform, uow, clock, team, booked
):
    # Ville offers family work too but is busy at 9.00; Kaisa offers it and is free; Timo
    # offers nothing. Kaisa has one appointment that week, Timo none.
    kaisa = make_actor(uow, clock, "kaisa", ["family_worker"], ["perhetyo"])
    timo = make_actor(uow, clock, "timo", ["family_worker"], ["perhetyo"])
    offer_weekly(uow, clock, kaisa, "family_work", 3, date(2026, 11, 26), date(2026, 11, 26))
    offer_weekly(uow, clock, team.ville, "family_work", 4, date(2026, 11, 27), date(2026, 11, 27))
    write_entry(platform, uow, clock, team.ville, "home_visit", at(TUESDAY, 8, 30), at(TUESDAY, 10))
    write_entry(
        platform, uow, clock, kaisa, "home_visit", at(WEDNESDAY, 13), at(WEDNESDAY, 14),
        client_number="444444",
    )  # fmt: skip
    absent(platform, uow, clock, team.anna)
    with uow() as unit:
        first = reassignment_tasks(team.lead, unit, clock)[0]
    assert [s.username for s in first.suggestions] == ["kaisa", "timo"]  # not the lead
    kaisa_reasons = first.suggestions[0].reasons
    assert kaisa_reasons[0].startswith("tarjoaa palvelua Perhetyö")
    assert "vapaa 24.11. klo 9.00" in kaisa_reasons
    assert "1 asiakastapaamista samalla viikolla" in kaisa_reasons
    assert "ville" not in [s.username for s in first.suggestions]
    assert timo.username == "timo"


def test_reassigning_moves_the_appointment_and_tells_the_client(platform, uow, clock, team, booked):
    absent(platform, uow, clock, team.anna)
    with uow() as unit:
        reassign_appointment(platform, team.lead, unit, clock, booked[0], "ville")
    with uow() as unit:
        entry = unit.calendar.entry(booked[0])
        assert entry is not None
        assert (entry.worker.username, entry.displaced_by_id, entry.slot_id) == (
            "ville",
            None,
            None,
        )
        assert [t.appointment.id for t in reassignment_tasks(team.lead, unit, clock)] == [booked[1]]
        mail = unit.session.scalars(
            select(OutboxMail)
            .where(OutboxMail.to_address == "a@example.test")
            .order_by(OutboxMail.id.desc())
        ).first()
        actions = unit.session.scalars(select(HistoryEntry.action)).all()
    assert mail is not None and mail.subject == "Tapaamisenne työntekijä on vaihtunut"
    assert "Työntekijä: ville" in mail.body
    assert {"absence_marked", "appointment_displaced", "appointment_reassigned"} <= set(actions)


def test_reassigning_refuses_a_busy_colleague_and_someone_outside_the_team(
    platform, uow, clock, team, booked
):
    absent(platform, uow, clock, team.anna)
    write_entry(platform, uow, clock, team.ville, "home_visit", at(TUESDAY, 8, 30), at(TUESDAY, 10))
    with uow() as unit, pytest.raises(Conflict):
        reassign_appointment(platform, team.lead, unit, clock, booked[0], "ville")
    with uow() as unit, pytest.raises(InvalidInput):
        reassign_appointment(platform, team.lead, unit, clock, booked[0], "olavi")
    with uow() as unit, pytest.raises(PermissionDenied):
        reassign_appointment(platform, team.ville, unit, clock, booked[0], "ville")


def test_cancelling_a_displaced_appointment_tells_the_client(platform, uow, clock, team, booked):
    absent(platform, uow, clock, team.anna)
    with uow() as unit:
        cancel_displaced(platform, team.lead, unit, clock, booked[0])
    with uow() as unit:
        entry = unit.calendar.entry(booked[0])
        assert entry is not None and entry.cancelled_at is not None
        subjects = unit.session.scalars(
            select(OutboxMail.subject).where(OutboxMail.to_address == "a@example.test")
        ).all()
    assert subjects[-1] == "Tapaamisaikanne on peruttu"
    with uow() as unit, pytest.raises(NotFound):
        cancel_displaced(platform, team.lead, unit, clock, booked[0])


def test_an_absence_needs_a_reason_and_an_end_after_its_start(platform, uow, clock, team):
    with uow() as unit, pytest.raises(InvalidInput) as refused:
        mark_absence(platform, team.anna, unit, clock, "anna", at(TUESDAY, 9), at(TUESDAY, 8), "x")
    assert {e.field for e in refused.value.errors} == {"reason", "ends_at"}
    with uow() as unit, pytest.raises(PermissionDenied):
        mark_absence(
            platform, team.ville, unit, clock, "anna", at(TUESDAY, 8), at(TUESDAY, 9), "sick"
        )
