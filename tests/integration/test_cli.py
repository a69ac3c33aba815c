"""The `sote-flow` console script: migrations, deploy, users, demo seed and chain verification."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from sote_flow.cli import main
from sote_flow.domain.clock import FrozenClock
from sote_flow.domain.roles import Role
from sote_flow.persistence.database import make_engine
from tests.support.factories import (
    DIAGRAMS,
    PROCESSES,
    deploy,
    make_actor,
    make_groups,
    make_platform,
    make_uow_factory,
    start,
)

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def env(database_url, monkeypatch):
    monkeypatch.setenv("SOTE_FLOW_DATABASE_URL", database_url)
    monkeypatch.delenv("SOTE_FLOW_SECRET_KEY", raising=False)
    return database_url


def test_users_create_and_deploy(env, capsys):
    assert main(["db", "upgrade"]) == 0
    assert (
        main(
            [
                "users",
                "create",
                "--username",
                "olli",
                "--password",
                "salasana-1",
                "--role",
                "process_owner",
                "--group",
                "hakijat",
                "--group",
                "kasittelijat",
            ]
        )
        == 0
    )
    assert main(["deploy", str(DIAGRAMS / "approval.bpmn")]) == 0
    assert "deployed: approval version 1" in capsys.readouterr().out
    assert main(["deploy", str(DIAGRAMS / "approval.bpmn")]) == 0
    assert "unchanged: approval version 1" in capsys.readouterr().out


def test_refused_deploy_exits_non_zero_with_located_errors(env, capsys, tmp_path):
    broken = tmp_path / "approval.bpmn"
    broken.write_bytes((DIAGRAMS / "approval.bpmn").read_bytes())
    for form in DIAGRAMS.glob("approval-*.json"):
        (tmp_path / form.name).write_bytes(form.read_bytes())
    assert main(["deploy", str(broken)]) == 1  # the lanes' groups do not exist yet
    err = capsys.readouterr().err
    assert "approval.bpmn [review]" in err and "kasittelijat" in err


def test_unknown_role_is_refused(env, capsys):
    assert (
        main(["users", "create", "--username", "x", "--password", "salasana-1", "--role", "wizard"])
        == 1
    )
    assert "unknown role 'wizard'" in capsys.readouterr().err


def test_demo_seed_creates_every_role_and_deploys_every_process(env, capsys):
    assert main(["demo", "--seed-only", "--processes", str(PROCESSES)]) == 0
    engine = make_engine(env)
    with engine.connect() as connection:
        roles = {row[0] for row in connection.execute(text("SELECT DISTINCT role FROM user_roles"))}
        keys = {row[0] for row in connection.execute(text("SELECT key FROM process_versions"))}
    engine.dispose()
    assert roles == {role.value for role in Role}
    assert keys == {path.stem for path in PROCESSES.glob("*.bpmn")}
    assert main(["demo", "--seed-only", "--processes", str(PROCESSES)]) == 0  # idempotent


def test_audit_verify_reports_intact_and_broken_chain(env, capsys):
    platform, uow, clock = make_platform(env), make_uow_factory(env), FrozenClock(NOW)
    make_groups(uow, "hakijat", "kasittelijat")
    deploy(platform, uow, clock, DIAGRAMS / "approval.bpmn")
    orderer = make_actor(uow, clock, "sanna", ["social_worker"], ["hakijat"])
    start(platform, uow, clock, orderer, "approval", {"client_number": "1234567", "amount": 1})
    assert main(["audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out
    engine = make_engine(env)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM history_entries WHERE id = 2"))
    engine.dispose()
    assert main(["audit", "verify"]) == 1
    assert "BROKEN at entry 3" in capsys.readouterr().err


def test_deploying_a_missing_file_says_so_without_a_traceback(env, capsys, tmp_path):
    assert main(["deploy", str(tmp_path / "puuttuu.bpmn")]) == 2
    err = capsys.readouterr().err
    assert "Tiedostoa ei löydy" in err and "Traceback" not in err


def test_the_demo_deploys_the_bundled_diagrams_wherever_it_is_started(
    env, capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # no processes/ here
    assert main(["demo", "--seed-only"]) == 0
    engine = make_engine(env)
    with engine.connect() as connection:
        keys = {row[0] for row in connection.execute(text("SELECT key FROM process_versions"))}
    engine.dispose()
    assert keys == {path.stem for path in PROCESSES.glob("*.bpmn")}


def test_the_demo_refuses_a_folder_without_diagrams(env, capsys, tmp_path):
    assert main(["demo", "--seed-only", "--processes", str(tmp_path)]) == 2
    assert "no diagrams" in capsys.readouterr().err


def test_users_and_groups_administration(env, capsys):
    uow = make_uow_factory(env)
    clock = FrozenClock(NOW)
    make_groups(uow, "hakijat", "kasittelijat")
    make_actor(uow, clock, "sanna", ["social_worker"], ["hakijat"])
    make_actor(uow, clock, "tuomas", ["producer_admin"], ["kasittelijat"])
    capsys.readouterr()
    assert main(["users", "list", "--search", "san"]) == 0
    listed = capsys.readouterr().out
    assert "sanna" in listed and "social_worker" in listed and "tuomas" not in listed
    assert main(["users", "disable", "sanna"]) == 0
    assert "disabled sanna: 0 sessions ended" in capsys.readouterr().out
    assert main(["users", "list"]) == 0
    assert "disabled" in capsys.readouterr().out.splitlines()[0]
    assert main(["users", "enable", "sanna"]) == 0
    assert main(["users", "set-roles", "sanna", "--role", "team_lead", "--group", "hakijat"]) == 0
    assert "roles team_lead; groups hakijat" in capsys.readouterr().out
    assert main(["users", "set-roles", "sanna", "--role", "wizard"]) == 1
    assert "roles: Tuntematon rooli: wizard" in capsys.readouterr().err
    assert main(["groups", "create", "perhetyo", "--fi", "Perhetyö", "--en", "Family work"]) == 0
    with pytest.raises(SystemExit):  # --fi is required
        main(["groups", "create", "Perhe"])
    capsys.readouterr()
    assert main(["groups", "create", "Perhe", "--fi", "P"]) == 1
    assert "name: Tunnuksessa" in capsys.readouterr().err
    assert main(["groups", "list"]) == 0
    groups = capsys.readouterr().out
    assert "perhetyo\tPerhetyö\t0 members" in groups and "hakijat\thakijat\t1 members" in groups
    assert main(["users", "disable", "nobody"]) == 1


def test_demo_mails_link_to_the_address_the_demo_runs_on(env, capsys, monkeypatch):
    monkeypatch.delenv("SOTE_FLOW_BASE_URL", raising=False)
    assert main(["demo", "--seed-only", "--port", "5123"]) == 0
    engine = make_engine(env)
    with engine.connect() as connection:
        bodies = [row[0] for row in connection.execute(text("SELECT body FROM outbox_mails"))]
    engine.dispose()
    assert bodies and all("http://127.0.0.1:5123/" in body for body in bodies)
    assert any("http://127.0.0.1:5123/orders/" in body for body in bodies)  # the order card
