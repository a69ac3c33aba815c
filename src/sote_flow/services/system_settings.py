"""Settings the administrator changes at run time, kept in the database (one row each)."""

from __future__ import annotations

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import PermissionDenied
from sote_flow.domain.roles import Role
from sote_flow.domain.text import t
from sote_flow.persistence.account_models import SystemSetting
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor, require_writer

LOCAL_LOGIN = "local_login"


def local_login_enabled(uow: UnitOfWork) -> bool:
    """True while local (password) sign-in is allowed: the default, and the demo's only way."""
    row = uow.session.get(SystemSetting, LOCAL_LOGIN)
    return row is None or row.value != "off"


def set_local_login(actor: Actor, uow: UnitOfWork, clock: Clock, enabled: bool) -> None:
    """Allow or refuse local sign-in (administrators only); the change is in the history."""
    require_writer(actor)
    if Role.ADMINISTRATOR not in actor.roles:
        raise PermissionDenied(t("Vain pääkäyttäjä voi muuttaa kirjautumistapoja."))
    before = local_login_enabled(uow)
    row = uow.session.get(SystemSetting, LOCAL_LOGIN)
    value = "on" if enabled else "off"
    if row is None:
        row = SystemSetting(key=LOCAL_LOGIN, value=value, updated_at=clock(), updated_by="")
        uow.session.add(row)
    row.value, row.updated_at, row.updated_by = value, clock(), actor.username
    uow.history.append(
        at=clock(),
        actor=actor.username,
        action="system_setting_changed",
        instance_id=None,
        data={"setting": LOCAL_LOGIN, "before": before, "after": enabled},
    )
    uow.commit()
