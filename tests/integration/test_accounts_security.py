"""Password changes and API token revocation: what they end, what they keep, what they log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from sote_flow.cli import main
from sote_flow.domain.errors import (
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    TooManyAttempts,
)
from sote_flow.persistence.models import HistoryEntry
from sote_flow.services.accounts import (
    actor_for_token,
    authenticate,
    change_password,
    issue_token,
    list_api_tokens,
    resume_session,
    revoke_api_token,
    revoke_bearer_token,
    set_password,
    sign_in,
)
from tests.support.factories import PASSWORD, make_actor

NEW = "uusi-salasana-42"
IDLE = timedelta(hours=8)


def _actions(uow) -> list[str]:
    with uow() as unit:
        return list(unit.session.scalars(select(HistoryEntry.action).order_by(HistoryEntry.id)))


def _change(uow, clock, actor, current=PASSWORD, new=NEW, again=NEW, keep=None):
    with uow() as unit:
        return change_password(
            actor, unit, clock, current=current, new=new, again=again,
            keep_session=keep, address="10.0.0.1",
        )  # fmt: skip


def test_password_change_ends_other_sessions_and_revokes_tokens(uow, clock):
    sanna = make_actor(uow, clock, "sanna", ["social_worker"])
    with uow() as unit:
        _, this_session = sign_in(unit, clock, "sanna", PASSWORD, "10.0.0.1")
    with uow() as unit:
        _, other_session = sign_in(unit, clock, "sanna", PASSWORD, "10.0.0.2")
    with uow() as unit:
        token = issue_token(unit, clock, sanna, 8)

    changed = _change(uow, clock, sanna, keep=this_session)

    assert (changed.sessions_ended, changed.tokens_revoked) == (1, 1)
    with uow() as unit:
        assert resume_session(unit, clock, sanna.user_id, this_session, IDLE) == sanna
    with uow() as unit:
        assert resume_session(unit, clock, sanna.user_id, other_session, IDLE) is None
    with uow() as unit, pytest.raises(AuthenticationFailed):
        actor_for_token(unit, clock, token)
    with uow() as unit, pytest.raises(AuthenticationFailed):
        authenticate(unit, clock, "sanna", PASSWORD, "10.0.0.1")
    with uow() as unit:
        assert authenticate(unit, clock, "sanna", NEW, "10.0.0.1") == sanna
    assert _actions(uow) == ["api_token_revoked", "password_changed"]


def test_password_change_names_each_bad_field(uow, clock):
    sanna = make_actor(uow, clock, "sanna", ["social_worker"])
    cases = [
        ({"current": ""}, {"current_password": "Anna nykyinen salasana."}),
        ({"new": "lyhyt", "again": "lyhyt"}, {"new_password": "vähintään 12 merkkiä"}),
        ({"again": NEW + "x"}, {"new_password_again": "eivät ole samat"}),
        ({"new": PASSWORD, "again": PASSWORD}, {"new_password": "sama kuin nykyinen"}),
        ({"current": "väärä-salasana"}, {"current_password": "Nykyinen salasana on väärä."}),
    ]
    for given, expected in cases:
        with pytest.raises(InvalidInput) as refused:
            _change(uow, clock, sanna, **given)
        errors = {e.field: e.message for e in refused.value.errors}
        assert errors.keys() == expected.keys(), given
        for field, text in expected.items():
            assert text in errors[field], (given, errors)
    with uow() as unit:  # nothing changed
        assert authenticate(unit, clock, "sanna", PASSWORD, "10.0.0.1") == sanna


def test_guessing_the_current_password_is_throttled_like_signing_in(uow, clock):
    sanna = make_actor(uow, clock, "sanna", ["social_worker"])
    for _ in range(5):
        with pytest.raises(InvalidInput):
            _change(uow, clock, sanna, current="arvaus-123")
    with pytest.raises(InvalidInput) as refused:
        _change(uow, clock, sanna)  # even the right password, for now
    assert "Liian monta" in refused.value.errors[0].message
    with uow() as unit, pytest.raises(TooManyAttempts):
        authenticate(unit, clock, "sanna", PASSWORD, "10.0.0.9")
    assert _actions(uow) == ["login_locked"]


def test_an_auditor_keeps_their_own_credentials(uow, clock):
    # Read-only is about client data: one's own password and tokens are one's own to manage.
    tarja = make_actor(uow, clock, "tarja", ["auditor"])
    with uow() as unit:
        issue_token(unit, clock, tarja, 8)
    with uow() as unit:
        token_id = list_api_tokens(tarja, unit, clock)[0].id
    with uow() as unit:
        revoke_api_token(tarja, unit, clock, token_id)
    with uow() as unit:
        assert list_api_tokens(tarja, unit, clock) == []
    _change(uow, clock, tarja)


def test_tokens_are_listed_and_revoked_one_by_one_by_their_owner(uow, clock):
    sanna = make_actor(uow, clock, "sanna", ["social_worker"])
    tuomas = make_actor(uow, clock, "tuomas", ["producer_admin"])
    with uow() as unit:
        first = issue_token(unit, clock, sanna, 8)
    clock.advance(timedelta(minutes=5))
    with uow() as unit:
        second = issue_token(unit, clock, sanna, 8)
    with uow() as unit:
        listed = [t.id for t in list_api_tokens(sanna, unit, clock)]
    assert len(listed) == 2 and listed[0] > listed[1]  # newest first
    with uow() as unit, pytest.raises(NotFound):
        revoke_api_token(tuomas, unit, clock, listed[0])  # not his
    with uow() as unit:
        revoke_api_token(sanna, unit, clock, listed[0])
    with uow() as unit, pytest.raises(NotFound):
        revoke_api_token(sanna, unit, clock, listed[0])  # already revoked
    with uow() as unit, pytest.raises(AuthenticationFailed):
        actor_for_token(unit, clock, second)
    with uow() as unit:
        assert actor_for_token(unit, clock, first) == sanna
        assert [t.id for t in list_api_tokens(sanna, unit, clock)] == [listed[1]]
    with uow() as unit:
        revoke_bearer_token(sanna, unit, clock, first)
    with uow() as unit, pytest.raises(AuthenticationFailed) as refused:
        actor_for_token(unit, clock, first)
    assert "peruttu" in refused.value.message
    assert _actions(uow) == ["api_token_revoked", "api_token_revoked"]


def test_set_password_ends_every_session(uow, clock):
    sanna = make_actor(uow, clock, "sanna", ["social_worker"])
    with uow() as unit:
        _, session_token = sign_in(unit, clock, "sanna", PASSWORD, "10.0.0.1")
    with uow() as unit:
        issue_token(unit, clock, sanna, 8)
    with uow() as unit:
        changed = set_password(unit, clock, "sanna", NEW)
    assert (changed.sessions_ended, changed.tokens_revoked) == (1, 1)
    with uow() as unit:
        assert resume_session(unit, clock, sanna.user_id, session_token, IDLE) is None
    with uow() as unit, pytest.raises(ValueError, match="vähintään"):
        set_password(unit, clock, "sanna", "lyhyt")
    with uow() as unit, pytest.raises(NotFound):
        set_password(unit, clock, "nobody", NEW)
    assert _actions(uow) == ["api_token_revoked", "password_set"]


def test_cli_set_password(database_url, monkeypatch, capsys, uow, clock):
    monkeypatch.setenv("SOTE_FLOW_DATABASE_URL", database_url)
    monkeypatch.delenv("SOTE_FLOW_SECRET_KEY", raising=False)
    make_actor(uow, clock, "sanna", ["social_worker"])
    assert main(["users", "set-password", "--username", "sanna", "--password", NEW]) == 0
    assert "password set for sanna" in capsys.readouterr().out
    with uow() as unit:
        assert authenticate(unit, clock, "sanna", NEW, "10.0.0.1").username == "sanna"
    assert main(["users", "set-password", "--username", "sanna", "--password", "x"]) == 1
    assert "vähintään" in capsys.readouterr().err


def test_a_hash_with_older_parameters_is_renewed_at_the_next_sign_in(uow, clock):
    from argon2 import PasswordHasher

    make_actor(uow, clock, "vanha", ["social_worker"])
    older = PasswordHasher(time_cost=1, memory_cost=16, parallelism=2)  # not today's parameters
    with uow() as unit:
        user = unit.users.by_username("vanha")
        user.password_hash = older.hash(PASSWORD)
        unit.commit()
    with uow() as unit:
        authenticate(unit, clock, "vanha", PASSWORD, "127.0.0.1")
        unit.commit()
    with uow() as unit:
        renewed = unit.users.by_username("vanha").password_hash
    assert "p=2" not in renewed and "m=16," not in renewed
    with uow() as unit:  # and it still signs in
        assert authenticate(unit, clock, "vanha", PASSWORD, "127.0.0.1").username == "vanha"
