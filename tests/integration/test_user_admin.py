"""User and group administration: disabling ends access at once and frees the user's work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from sote_flow.domain.errors import (
    AuthenticationFailed,
    Conflict,
    DeployRefused,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from sote_flow.engine.bundle import bundle_from_diagram
from sote_flow.persistence.models import HistoryEntry
from sote_flow.services import tasks, user_admin
from sote_flow.services.accounts import (
    actor_for_token,
    authenticate,
    issue_token,
    resume_session,
    sign_in,
)
from sote_flow.services.deployment import deploy_bundle
from sote_flow.services.system import SYSTEM_ACTOR
from tests.support.factories import DIAGRAMS, PASSWORD, deploy, make_actor, make_groups, start

APPROVAL = DIAGRAMS / "approval.bpmn"
REQUEST = {"client_number": "1234567", "amount": 3, "reason": "Arjen tuki"}
IDLE = timedelta(hours=8)
GOOD = "kuusi-korppia-lensi-7"


@pytest.fixture
def people(platform, uow, clock):
    make_groups(uow, "hakijat", "kasittelijat")
    deploy(platform, uow, clock, APPROVAL)
    return {
        "admin": make_actor(uow, clock, "paavo", ["administrator"]),
        "orderer": make_actor(uow, clock, "sanna", ["social_worker"], ["hakijat"]),
        "handler": make_actor(uow, clock, "tuomas", ["producer_admin"], ["kasittelijat"]),
        "auditor": make_actor(uow, clock, "tarja", ["auditor"]),
    }


def _history(uow, action):
    with uow() as unit:
        query = select(HistoryEntry).where(HistoryEntry.action == action)
        return list(unit.session.scalars(query.order_by(HistoryEntry.id)))


def test_disable_ends_access_at_once_and_returns_claimed_tasks(platform, uow, clock, people):
    admin, handler = people["admin"], people["handler"]
    instance = start(platform, uow, clock, people["orderer"], "approval", REQUEST)
    with uow() as unit:
        task = tasks.group_tasks(handler, unit, 1, 10).tasks[0]
    with uow() as unit:
        tasks.claim_task(handler, unit, clock, task.id)
    with uow() as unit:
        _, session_secret = sign_in(unit, clock, "tuomas", PASSWORD, "10.0.0.1")
    with uow() as unit:
        token = issue_token(unit, clock, handler, 8)

    with uow() as unit:
        done = user_admin.disable_user(admin, unit, clock, "tuomas")

    assert (done.sessions_ended, done.tokens_revoked, done.tasks_returned) == (1, 1, 1)
    assert [case.instance_id for case in done.open_cases] == [instance.id]
    assert done.open_cases[0].tasks == ("Käsittele hakemus",) and done.open_cases[0].has_group
    assert not done.user.active and done.user.disabled_at == clock()
    with uow() as unit:
        assert resume_session(unit, clock, handler.user_id, session_secret, IDLE) is None
    with uow() as unit, pytest.raises(AuthenticationFailed):
        actor_for_token(unit, clock, token)
    with uow() as unit, pytest.raises(AuthenticationFailed):
        authenticate(unit, clock, "tuomas", PASSWORD, "10.0.0.1")
    colleague = make_actor(uow, clock, "tiina", ["producer_admin"], ["kasittelijat"])
    with uow() as unit:
        queue = tasks.group_tasks(colleague, unit, 1, 10)
        assert [t.id for t in queue.tasks] == [task.id] and queue.tasks[0].assignee_id is None
    (returned,) = _history(uow, "task_returned_to_queue")
    assert (returned.actor, returned.instance_id, returned.task_id) == (
        "paavo",
        instance.id,
        task.id,
    )
    (disabled,) = _history(uow, "user_disabled")
    assert disabled.data["before"] == {"active": True} and disabled.data["after"] == {
        "active": False
    }

    with uow() as unit:
        enabled = user_admin.enable_user(admin, unit, clock, "tuomas")
    assert enabled.active and enabled.disabled_at is None
    with uow() as unit:
        assert authenticate(unit, clock, "tuomas", PASSWORD, "10.0.0.1").username == "tuomas"


def test_administrator_cannot_disable_themselves_and_others_cannot_at_all(uow, clock, people):
    with uow() as unit, pytest.raises(Conflict):
        user_admin.disable_user(people["admin"], unit, clock, "paavo")
    for who in ("auditor", "orderer"):
        with uow() as unit, pytest.raises(PermissionDenied):
            user_admin.disable_user(people[who], unit, clock, "sanna")
    with uow() as unit, pytest.raises(PermissionDenied):
        user_admin.list_users(people["orderer"], unit)
    with uow() as unit:  # the auditor reads
        assert user_admin.list_users(people["auditor"], unit, "tuo").total == 1
    with uow() as unit, pytest.raises(NotFound):
        user_admin.disable_user(people["admin"], unit, clock, "nobody")


def test_create_user_checks_fields_and_password_policy(uow, clock, people):
    admin = people["admin"]
    with uow() as unit, pytest.raises(InvalidInput) as refused:
        user_admin.create_local_user(
            admin, unit, clock, username="Sanna!", display_name="", email="x",
            roles=["wizard"], groups=["ei_ole"], password="password1234",
        )  # fmt: skip
    fields = {e.field: e.message for e in refused.value.errors}
    assert set(fields) == {"username", "display_name", "email", "roles", "groups", "password"}
    assert fields["password"].startswith("Salasana on liian yleinen")
    assert "Ryhmät" in fields["groups"]
    with uow() as unit, pytest.raises(InvalidInput) as short:
        user_admin.create_local_user(
            admin, unit, clock, username="ville", display_name="Ville", email=None,
            roles=[], groups=[], password="lyhyt-1",
        )  # fmt: skip
    assert "vähintään 12 merkkiä" in short.value.errors[0].message
    with uow() as unit:
        row = user_admin.create_local_user(
            admin, unit, clock, username="ville", display_name="Ville V", email="v@esim.fi",
            roles=["social_worker"], groups=["hakijat"], password=GOOD,
        )  # fmt: skip
    assert row.local and row.roles == ("social_worker",) and row.groups == ("hakijat",)
    with uow() as unit:
        assert authenticate(unit, clock, "ville", GOOD, "10.0.0.1").groups == {"hakijat"}
    (created,) = _history(uow, "user_created")
    assert GOOD not in str(created.data) and created.actor == "paavo"


def test_roles_and_groups_change_with_history(uow, clock, people):
    admin = people["admin"]
    with uow() as unit:
        row = user_admin.set_roles_and_groups(
            admin, unit, clock, "sanna", ["team_lead", "social_worker"], ["kasittelijat"]
        )
    assert row.roles == ("social_worker", "team_lead") and row.groups == ("kasittelijat",)
    (changed,) = _history(uow, "user_access_changed")
    assert changed.data["before"] == {"roles": ["social_worker"], "groups": ["hakijat"]}
    assert changed.data["after"]["groups"] == ["kasittelijat"]
    with uow() as unit, pytest.raises(InvalidInput) as own:
        user_admin.set_roles_and_groups(admin, unit, clock, "paavo", ["auditor"], [])
    assert own.value.errors[0].field == "roles"


def test_reset_password_follows_policy_and_ends_sessions(uow, clock, people):
    admin = people["admin"]
    with uow() as unit:
        _, secret = sign_in(unit, clock, "sanna", PASSWORD, "10.0.0.1")
    with uow() as unit, pytest.raises(InvalidInput):
        user_admin.reset_password(admin, unit, clock, "sanna", "qwertyuiop12")
    with uow() as unit:
        user_admin.reset_password(admin, unit, clock, "sanna", GOOD)
    with uow() as unit:
        assert resume_session(unit, clock, people["orderer"].user_id, secret, IDLE) is None
    with uow() as unit:
        assert authenticate(unit, clock, "sanna", GOOD, "10.0.0.1").username == "sanna"
    (reset,) = _history(uow, "user_password_reset")
    assert GOOD not in str(reset.data) and reset.data["sessions_ended"] == 1
    with uow() as unit:
        unit.users.by_username("tarja").identity_issuer = "https://idp.example"
        unit.commit()
    with uow() as unit, pytest.raises(InvalidInput):
        user_admin.reset_password(admin, unit, clock, "tarja", GOOD)


def test_groups_create_rename_members_and_where_used(uow, clock, people):
    admin = people["admin"]
    with uow() as unit, pytest.raises(InvalidInput) as bad:
        user_admin.create_group(admin, unit, clock, "Perhe työ", "")
    assert {e.field for e in bad.value.errors} == {"name", "fi"}
    with uow() as unit, pytest.raises(InvalidInput):
        user_admin.create_group(admin, unit, clock, "hakijat", "Hakijat")
    with uow() as unit:
        user_admin.create_group(admin, unit, clock, "perhetyo", "Perhetyö", "Familjearbete")
    with uow() as unit:
        user_admin.rename_group(admin, unit, clock, "perhetyo", "Perhetyö Lappi", None, "Family")
    with uow() as unit:
        user_admin.set_members(admin, unit, clock, "perhetyo", ["sanna", "tuomas"])
    with uow() as unit, pytest.raises(InvalidInput):
        user_admin.set_members(admin, unit, clock, "perhetyo", ["nobody"])
    with uow() as unit:
        groups = {g.name: g for g in user_admin.list_groups(people["auditor"], unit)}
    group = groups["perhetyo"]
    assert (group.display_name, group.display_name_sv, group.display_name_en) == (
        "Perhetyö Lappi", None, "Family",
    )  # fmt: skip
    assert group.members == ("sanna", "tuomas") and group.member_count == 2
    assert [(u.process_key, u.version) for u in groups["kasittelijat"].used_in] == [("approval", 1)]
    assert groups["perhetyo"].used_in == ()
    (renamed,) = _history(uow, "group_renamed")
    assert (
        renamed.data["before"]["fi"] == "Perhetyö"
        and renamed.data["after"]["fi"] == "Perhetyö Lappi"
    )
    with uow() as unit, pytest.raises(PermissionDenied):
        user_admin.create_group(people["auditor"], unit, clock, "toinen", "Toinen")


def test_deploy_warns_of_an_empty_group_and_refuses_an_unknown_one(platform, uow, clock):
    make_groups(uow, "hakijat")
    with uow() as unit, pytest.raises(DeployRefused) as refused:
        deploy_bundle(platform, SYSTEM_ACTOR, unit, clock, bundle_from_diagram(APPROVAL))
    assert "sivulla Ryhmät" in str(refused.value)
    make_groups(uow, "kasittelijat")
    make_actor(uow, clock, "sanna", ["social_worker"], ["hakijat"])
    with uow() as unit:
        result = deploy_bundle(platform, SYSTEM_ACTOR, unit, clock, bundle_from_diagram(APPROVAL))
    messages = [w.message for w in result.warnings]
    assert any("”kasittelijat” ei ole yhtään jäsentä" in m for m in messages), messages
    assert not any("”hakijat”" in m for m in messages)
