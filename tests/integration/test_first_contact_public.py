"""The public channels of first contact (form, chat) and the staff side of a contact."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sote_flow.domain.errors import InvalidInput, NotFound, PermissionDenied, TooManyAttempts
from sote_flow.first_contact import public, staff
from sote_flow.first_contact.contacts import ContactInput, token_hash
from sote_flow.first_contact.erasure import erase_closed_contacts
from sote_flow.first_contact.models import ChatMessage, ContactDetails
from sote_flow.persistence.models import AccessLogEntry, HistoryEntry, ProcessInstance
from sote_flow.persistence.public_submissions import PublicSubmission
from tests.support.factories import PROCESSES, deploy, make_actor, make_groups

HETU = "131052-308T"
ADDRESS = "203.0.113.7"
FORM = ContactInput(
    topic="kasvatus",
    description="Lapsen uhmaikä uuvuttaa, kaipaisimme neuvoja.",
    callback_phone="040 123 4567",
    preferred_time="arkisin aamupäivisin",
)


@pytest.fixture
def people(platform, uow, clock):
    make_groups(uow, "asiakasneuvonta", "erityistyontekijat", "perhetyontekijat",
                "lastenvalvojat", "lapsiperheiden_avopalvelut")  # fmt: skip
    deploy(platform, uow, clock, PROCESSES / "first_contact.bpmn")
    return {
        "advisor": make_actor(uow, clock, "aada", ["client_advisor"], ["asiakasneuvonta"]),
        "worker": make_actor(uow, clock, "pekka", ["family_worker"], ["perhetyontekijat"]),
        "auditor": make_actor(uow, clock, "tarja", ["auditor"]),
    }


def _count(uow, model) -> int:
    with uow() as unit:
        return int(unit.session.scalar(select(func.count()).select_from(model)) or 0)


def _counts(uow) -> tuple[int, int, int]:
    return _count(uow, ProcessInstance), _count(uow, ContactDetails), _count(uow, PublicSubmission)


def _submit(platform, uow, clock, data=FORM, address=ADDRESS):
    with uow() as unit:
        return public.submit_contact_form(platform, unit, clock, address, data)


def _open_chat(platform, uow, clock, message="Voiko chatissa kysyä lapsen unesta?"):
    with uow() as unit:
        return public.open_chat(platform, unit, clock, ADDRESS, "arki", message)


def test_form_starts_a_case_by_form_and_keeps_the_details_beside_it(platform, uow, clock, people):
    started = _submit(platform, uow, clock)
    with uow() as unit:
        details = unit.session.get(ContactDetails, started.instance_id)
        case = unit.cases.get(started.instance_id)
        instance = unit.instances.get(started.instance_id)
        (submission,) = unit.session.scalars(select(PublicSubmission)).all()
        (begun,) = [e for e in unit.history.for_instance(started.instance_id)
                    if e.action == "instance_started"]  # fmt: skip
    assert (details.channel, details.callback_phone) == ("form", "040 123 4567")
    assert (details.email, details.preferred_time) == (None, "arkisin aamupäivisin")
    assert details.chat_token_hash is None and started.chat_token is None
    assert started.reference == case.case_number and case.case_number.startswith("YH")
    assert (instance.started_by, case.columns["channel"]) == ("verkkosivu", "form")
    assert (submission.address, submission.at) == (ADDRESS, clock.now)
    # How to reach the client never enters the history.
    assert "040 123 4567" not in json.dumps(begun.data, ensure_ascii=False)


def test_the_limit_per_address_refuses_more_and_stores_nothing(platform, uow, clock, people):
    for _ in range(platform.settings.public_form_limit):
        _submit(platform, uow, clock)
    before = _counts(uow)
    with pytest.raises(TooManyAttempts) as refused:
        _submit(platform, uow, clock)
    assert "10 minuutin" in refused.value.message
    with pytest.raises(TooManyAttempts):  # the chat counts against the same limit
        _open_chat(platform, uow, clock)
    assert _counts(uow) == before
    _submit(platform, uow, clock, address="198.51.100.1")  # another address is not limited
    clock.now += timedelta(minutes=10, seconds=1)
    _submit(platform, uow, clock)  # the window has passed, and the address's old rows went
    with uow() as unit:
        rows = unit.session.scalars(
            select(PublicSubmission).where(PublicSubmission.address == ADDRESS)
        ).all()
    assert [row.at for row in rows] == [clock.now]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"description": "x" * 2001}, "description"),
        ({"description": f"Asiakas {HETU} tarvitsee apua."}, "description"),
        ({"description": "   "}, "description"),
        ({"topic": "kaikki"}, "topic"),
        ({"callback_phone": "", "email": ""}, "callback_phone"),
        ({"preferred_time": "x" * 201}, "preferred_time"),
        ({"email": "ei-osoite"}, "email"),
    ],
)
def test_refused_input_names_the_field_and_stores_nothing(
    platform, uow, clock, people, changes, field
):
    data = ContactInput(**{**FORM.__dict__, **changes})
    with pytest.raises(InvalidInput) as refused:
        _submit(platform, uow, clock, data)
    assert [e.field for e in refused.value.errors] == [field]
    assert _counts(uow) == (0, 0, 0)


def test_a_hetu_is_refused_with_a_message_for_the_client(platform, uow, clock, people):
    data = ContactInput(**{**FORM.__dict__, "description": f"Tunnukseni on {HETU}"})
    with pytest.raises(InvalidInput) as refused:
        _submit(platform, uow, clock, data)
    (error,) = refused.value.errors
    assert error.message.startswith("Älä kirjoita henkilötunnusta")


def test_chat_opens_and_the_client_writes_with_the_link(platform, uow, clock, people):
    started = _open_chat(platform, uow, clock)
    assert started.chat_token
    with uow() as unit:
        details = unit.session.get(ContactDetails, started.instance_id)
    assert details.channel == "chat" and details.chat_token_hash == token_hash(started.chat_token)
    clock.now += timedelta(minutes=1)
    with uow() as unit:
        public.post_client_message(unit, clock, started.chat_token, "  Lapsi herää öisin.  ")
    with uow() as unit:
        thread = public.chat_thread(unit, started.chat_token)
    assert thread.reference == started.reference and not thread.closed
    assert [(m.author, m.body) for m in thread.messages] == [
        ("Sinä", "Voiko chatissa kysyä lapsen unesta?"),
        ("Sinä", "Lapsi herää öisin."),
    ]
    with uow() as unit:
        assert public.chat_thread_since(unit, started.chat_token, thread.last_id) is None
        assert public.chat_thread_since(unit, started.chat_token, thread.last_id - 1) is not None
        received = [e for e in unit.history.for_instance(started.instance_id)
                    if e.action == "chat_message_received"]  # fmt: skip
    assert len(received) == 1 and "herää" not in json.dumps(received[0].data)


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Kirjoita viesti."), ("x" * 2001, "liian pitkä"), (HETU, "henkilötunnusta")],
)
def test_client_messages_are_checked(platform, uow, clock, people, body, message):
    started = _open_chat(platform, uow, clock)
    with uow() as unit, pytest.raises(InvalidInput) as refused:
        public.post_client_message(unit, clock, started.chat_token, body)
    (error,) = refused.value.errors
    assert error.field == "body" and message in error.message
    assert _count(uow, ChatMessage) == 1


def test_chat_start_refuses_a_hetu_and_unknown_links_find_nothing(platform, uow, clock, people):
    with pytest.raises(InvalidInput) as refused:
        _open_chat(platform, uow, clock, f"Olen {HETU}")
    assert [e.field for e in refused.value.errors] == ["description"]
    assert _counts(uow) == (0, 0, 0) and _count(uow, ChatMessage) == 0
    with uow() as unit, pytest.raises(NotFound):
        public.chat_thread(unit, "ei-tällaista")


def test_an_advisor_reads_and_answers_and_the_client_sees_the_name(platform, uow, clock, people):
    advisor = people["advisor"]
    started = _open_chat(platform, uow, clock)
    with uow() as unit:
        (listed,) = staff.open_contacts(advisor, unit)
    assert (listed.reference, listed.channel, listed.unanswered) == (started.reference, "chat", 1)
    assert listed.task_titles == ["Arvioi yhteydenotto"]
    with uow() as unit:
        view = staff.contact_view(platform, advisor, unit, clock, started.instance_id)
    assert (view.topic, view.description) == ("arki", "Voiko chatissa kysyä lapsen unesta?")
    assert [t.title for t in view.open_tasks] == ["Arvioi yhteydenotto"] and view.open
    assert [(m.author, m.from_client) for m in view.messages] == [("Asiakas", True)]
    with uow() as unit:
        (logged,) = unit.session.scalars(select(AccessLogEntry)).all()
    assert (logged.username, logged.object_type, logged.instance_id) == (
        "aada", "first_contact", started.instance_id)  # fmt: skip

    clock.now += timedelta(minutes=2)
    with uow() as unit:
        staff.post_staff_message(advisor, unit, clock, started.instance_id, "Hei, kyllä voi!")
    with uow() as unit:
        thread = public.chat_thread(unit, started.chat_token)
        (answered,) = unit.session.scalars(
            select(HistoryEntry).where(HistoryEntry.action == "chat_answered")
        ).all()
        assert staff.open_contacts(advisor, unit)[0].unanswered == 0
    assert [(m.author, m.body) for m in thread.messages][-1] == ("aada", "Hei, kyllä voi!")
    assert (answered.actor, answered.instance_id) == ("aada", started.instance_id)
    assert "kyllä" not in json.dumps(answered.data)
    with uow() as unit:
        public.post_client_message(unit, clock, started.chat_token, "Kiitos!")
    with uow() as unit:
        assert staff.open_contacts(advisor, unit)[0].unanswered == 1
        newer = staff.contact_messages_since(
            advisor, unit, clock, started.instance_id, thread.last_id
        )
    assert [m.body for m in newer or []][-1] == "Kiitos!"
    with uow() as unit:
        everything = thread.last_id + 1
        assert staff.contact_messages_since(
            advisor, unit, clock, started.instance_id, everything
        ) is None  # fmt: skip


def test_only_those_who_may_read_the_case_see_the_contact(platform, uow, clock, people):
    started = _open_chat(platform, uow, clock)
    worker, auditor = people["worker"], people["auditor"]
    with uow() as unit:
        assert staff.open_contacts(worker, unit) == []
        with pytest.raises(PermissionDenied):
            staff.contact_view(platform, worker, unit, clock, started.instance_id)
    with uow() as unit:  # the auditor reads (logged, for oversight) but never writes
        view = staff.contact_view(platform, auditor, unit, clock, started.instance_id)
    assert view.reference == started.reference
    with uow() as unit, pytest.raises(PermissionDenied):
        staff.post_staff_message(auditor, unit, clock, started.instance_id, "Hei")
    with uow() as unit:
        purposes = unit.session.scalars(select(AccessLogEntry.purpose)).all()
    assert purposes == ["valvonta"]
    assert _count(uow, ChatMessage) == 1


def test_a_closed_contact_takes_no_messages_and_an_erased_one_is_gone(
    platform, uow, clock, people
):
    started = _open_chat(platform, uow, clock)
    form = _submit(platform, uow, clock)
    with uow() as unit:
        for instance_id in (started.instance_id, form.instance_id):
            unit.instances.get(instance_id).status = "completed"
        unit.session.commit()
    with uow() as unit, pytest.raises(NotFound):
        public.post_client_message(unit, clock, started.chat_token, "Onko siellä ketään?")
    with uow() as unit:
        assert public.chat_thread(unit, started.chat_token).closed
        assert staff.open_contacts(people["advisor"], unit) == []
    erase_closed_contacts(platform, uow, clock)
    with uow() as unit, pytest.raises(NotFound):
        public.chat_thread(unit, started.chat_token)
    with uow() as unit, pytest.raises(NotFound):
        public.post_client_message(unit, clock, started.chat_token, "Haloo?")
    with uow() as unit:
        view = staff.contact_view(platform, people["auditor"], unit, clock, form.instance_id)
    assert view.erased and not view.open and view.callback_phone is None
