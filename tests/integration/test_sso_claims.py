"""Single sign-on: claim mapping, first and later sign-ins, name collisions, disabled users."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from sote_flow.domain.errors import AuthenticationFailed
from sote_flow.domain.roles import Role
from sote_flow.persistence.models import HistoryEntry
from sote_flow.services.accounts import authenticate, resume_session
from sote_flow.services.sso import AccountDisabled, ClaimMap, load_claim_map, sign_in_with_claims
from tests.support.factories import PASSWORD, make_actor

ISSUER = "https://tunnistus.hyvinvointialue.example"
CLAIM_MAP = ClaimMap.from_json(
    {
        "claim": "groups",
        "map": {
            "sote-tuottajat-lapsiperheet": {
                "roles": ["producer_admin"],
                "groups": ["lapsiperheiden_avopalvelut"],
            },
            "sote-sosiaalityo": {"roles": ["social_worker"], "groups": ["sosiaalityontekijat"]},
            "sote-tarkastajat": {"roles": ["auditor"]},
        },
    }
)


def _claims(sub: str = "a1b2", username: str = "anna.virtanen", *groups: str) -> dict:
    return {
        "sub": sub,
        "preferred_username": username,
        "name": "Anna Virtanen",
        "email": "anna.virtanen@hyvinvointialue.example",
        "groups": list(groups),
    }


def _sign_in(uow, clock, claims: dict):
    with uow() as unit:
        return sign_in_with_claims(unit, clock, ISSUER, claims, CLAIM_MAP, "192.0.2.10")


def _history(uow, action: str) -> list[dict]:
    with uow() as unit:
        query = select(HistoryEntry.data).where(HistoryEntry.action == action)
        return list(unit.session.scalars(query.order_by(HistoryEntry.id)))


# -- the claim map ------------------------------------------------------------------------------
def test_claim_values_map_to_the_union_of_their_roles_and_groups():
    access = CLAIM_MAP.access_for({"groups": ["sote-sosiaalityo", "sote-tarkastajat", "muu"]})
    assert access.roles == {Role.SOCIAL_WORKER, Role.AUDITOR}
    assert access.groups == {"sosiaalityontekijat"}
    assert CLAIM_MAP.access_for({"groups": "sote-tarkastajat"}).roles == {Role.AUDITOR}
    assert CLAIM_MAP.access_for({"groups": None}).roles == frozenset()
    assert CLAIM_MAP.access_for({}).groups == frozenset()


def test_an_unknown_role_in_the_claim_map_is_refused_with_the_file_and_value_named(tmp_path):
    path = tmp_path / "claims.json"
    path.write_text(json.dumps({"claim": "groups", "map": {"x": {"roles": ["superuser"]}}}))
    with pytest.raises(ValueError, match=r"map\['x'\]\.roles: unknown role 'superuser'") as info:
        load_claim_map(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        json.dumps({"map": {}}),
        json.dumps({"claim": "groups", "map": {"x": {"roles": "producer_admin"}}}),
        json.dumps({"claim": "groups", "map": {"x": {"rooli": []}}}),
    ],
)
def test_a_malformed_claim_map_is_refused(tmp_path, content):
    path = tmp_path / "claims.json"
    path.write_text(content)
    with pytest.raises(ValueError, match="SOTE_FLOW_OIDC_CLAIM_MAP"):
        load_claim_map(path)


# -- signing in ---------------------------------------------------------------------------------
def test_the_first_sign_in_creates_the_user_with_the_mapped_access(uow, clock):
    actor, token = _sign_in(
        uow, clock, _claims("a1b2", "anna.virtanen", "sote-tuottajat-lapsiperheet")
    )

    assert actor.username == "anna.virtanen"
    assert actor.display_name == "Anna Virtanen"
    assert actor.roles == {Role.PRODUCER_ADMIN}
    assert actor.groups == {"lapsiperheiden_avopalvelut"}  # the group was created
    with uow() as unit:
        user = unit.users.by_username("anna.virtanen")
        assert (user.identity_issuer, user.identity_subject) == (ISSUER, "a1b2")
        assert user.password_hash == "!"
        assert user.email == "anna.virtanen@hyvinvointialue.example"
        assert user.last_login_at == clock()
    with uow() as unit:  # the session is a real server-side one
        assert resume_session(unit, clock, actor.user_id, token, timedelta(minutes=30)) == actor
    assert _history(uow, "sso_user_created")[0]["subject"] == "a1b2"
    changes = _history(uow, "sso_access_changed")
    assert [(c["what"], c["before"], c["after"]) for c in changes] == [
        ("roles", [], ["producer_admin"]),
        ("groups", [], ["lapsiperheiden_avopalvelut"]),
    ]


def test_a_group_removed_at_the_provider_takes_the_access_away_at_the_next_sign_in(uow, clock):
    _sign_in(uow, clock, _claims("a1b2", "anna", "sote-tuottajat-lapsiperheet", "sote-sosiaalityo"))
    clock.advance(timedelta(hours=1))

    actor, _token = _sign_in(uow, clock, _claims("a1b2", "anna", "sote-sosiaalityo"))

    assert actor.username == "anna"
    assert actor.roles == {Role.SOCIAL_WORKER}
    assert actor.groups == {"sosiaalityontekijat"}
    last_two = _history(uow, "sso_access_changed")[-2:]
    assert [(c["what"], c["before"], c["after"]) for c in last_two] == [
        ("roles", ["producer_admin", "social_worker"], ["social_worker"]),
        ("groups", ["lapsiperheiden_avopalvelut", "sosiaalityontekijat"], ["sosiaalityontekijat"]),
    ]
    assert len(_history(uow, "sso_login")) == 2
    with uow() as unit:
        assert unit.users.by_username("anna").last_login_at == clock()


def test_a_sign_in_with_unchanged_access_writes_no_access_change(uow, clock):
    _sign_in(uow, clock, _claims("a1b2", "anna", "sote-sosiaalityo"))
    _sign_in(uow, clock, _claims("a1b2", "anna", "sote-sosiaalityo"))
    assert len(_history(uow, "sso_access_changed")) == 2  # the first sign-in's roles and groups


def test_a_username_taken_by_a_local_account_is_never_taken_over(uow, clock):
    local = make_actor(uow, clock, "anna", ["administrator"], [])

    actor, _token = _sign_in(uow, clock, _claims("x-9", "anna", "sote-tarkastajat"))
    again, _token = _sign_in(uow, clock, _claims("x-9", "anna", "sote-tarkastajat"))

    assert actor.username == again.username == "anna-2"
    assert actor.user_id != local.user_id and actor.roles == {Role.AUDITOR}
    with uow() as unit:
        kept = unit.users.by_username("anna")
        assert kept.identity_subject is None
        assert [r.role for r in kept.roles] == ["administrator"]
        assert authenticate(unit, clock, "anna", PASSWORD, "192.0.2.10").user_id == local.user_id
        # The single sign-on account has no password that could ever verify.
        with pytest.raises(AuthenticationFailed):
            authenticate(unit, clock, "anna-2", "!", "192.0.2.10")


def test_a_missing_username_claim_falls_back_to_the_subject(uow, clock):
    actor, _token = _sign_in(uow, clock, {"sub": "5f1e-77", "groups": []})
    assert actor.username == "5f1e-77"
    assert actor.roles == frozenset()


def test_a_disabled_user_is_refused_and_the_refusal_is_in_the_history(uow, clock):
    actor, _token = _sign_in(uow, clock, _claims("a1b2", "anna", "sote-sosiaalityo"))
    with uow() as unit:
        user = unit.users.get(actor.user_id)
        user.active, user.disabled_at = False, clock()
        unit.commit()

    with pytest.raises(AccountDisabled, match="poistettu käytöstä"):
        _sign_in(uow, clock, _claims("a1b2", "anna", "sote-sosiaalityo"))
    assert _history(uow, "sso_login_refused")[0]["reason"] == "disabled"


def test_claims_without_a_subject_are_refused(uow, clock):
    with pytest.raises(AuthenticationFailed):
        _sign_in(uow, clock, {"preferred_username": "anna"})
