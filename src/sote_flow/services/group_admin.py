"""Groups for the administrator: list with members and uses, create, rename, set members."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import FieldError, InvalidInput, NotFound
from sote_flow.domain.text import t
from sote_flow.engine.group_references import group_references
from sote_flow.persistence.models import Group
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor
from sote_flow.services.admin_access import (
    GROUP_KEY,
    optional_text,
    require_user_admin,
    require_user_reader,
    required_text,
)

NO_GROUP = t("Ryhmää ei ole.")


@dataclass(frozen=True)
class GroupUse:
    """A deployed process version that names the group (in a lane or a `group` property)."""

    process_key: str
    version: int
    name: str
    elements: tuple[str, ...]


@dataclass(frozen=True)
class GroupRow:
    """A group with its names in Finnish, Swedish and English, its members and its uses."""

    name: str
    display_name: str
    display_name_sv: str | None
    display_name_en: str | None
    members: tuple[str, ...]
    used_in: tuple[GroupUse, ...]

    @property
    def member_count(self) -> int:
        """How many users belong to the group."""
        return len(self.members)


def list_groups(actor: Actor, uow: UnitOfWork) -> list[GroupRow]:
    """Return every group, by name, with members and where deployed versions name it."""
    require_user_reader(actor)
    uses = group_uses(uow)
    return [
        GroupRow(
            name=group.name,
            display_name=group.display_name,
            display_name_sv=group.display_name_sv,
            display_name_en=group.display_name_en,
            members=tuple(user.username for user in members),
            used_in=tuple(uses.get(group.name, ())),
        )
        for group, members in uow.user_admin.groups_with_members()
    ]


def group_uses(uow: UnitOfWork) -> dict[str, list[GroupUse]]:
    """Return, by group name, the deployed versions whose diagram names the group."""
    uses: dict[str, list[GroupUse]] = {}
    for version in uow.user_admin.versions_with_files():
        named: dict[str, list[str]] = {}
        for element, name in group_references(version.files.get(version.main_file, "")):
            named.setdefault(name, []).append(element or "")
        for name, elements in named.items():
            use = GroupUse(version.key, version.version, version.name, tuple(elements))
            uses.setdefault(name, []).append(use)
    return uses


def create_group(
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    name: str,
    fi: str,
    sv: str | None = None,
    en: str | None = None,
) -> Group:
    """Create a group: its key (used in diagrams' lanes) and its names in three languages."""
    require_user_admin(actor)
    name = name.strip()
    errors: list[FieldError] = []
    if not GROUP_KEY.fullmatch(name):
        errors.append(
            FieldError(
                "name",
                t(
                    "Tunnuksessa on 2–80 merkkiä: pieniä kirjaimia a–z, numeroita ja alaviivoja, "
                    "ensimmäisenä kirjain (esim. perhetyo_lappi)."
                ),
            )
        )
    elif uow.users.group(name) is not None:
        errors.append(FieldError("name", t("Ryhmä {name} on jo olemassa.", name=name)))
    names = _names(errors, fi, sv, en)
    if errors:
        raise InvalidInput(errors)
    group = Group(name=name, display_name=names[0], display_name_sv=names[1],
                  display_name_en=names[2])  # fmt: skip
    uow.users.add_group(group)
    _log(uow, clock, actor, "group_created", {"group": name, "after": _described(group)})
    uow.commit()
    return group


def rename_group(
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    name: str,
    fi: str,
    sv: str | None = None,
    en: str | None = None,
) -> Group:
    """Change a group's names; its key stays, since diagrams' lanes refer to it."""
    require_user_admin(actor)
    group = _group(uow, name)
    errors: list[FieldError] = []
    names = _names(errors, fi, sv, en)
    if errors:
        raise InvalidInput(errors)
    before = _described(group)
    group.display_name, group.display_name_sv, group.display_name_en = names
    data = {"group": group.name, "before": before, "after": _described(group)}
    _log(uow, clock, actor, "group_renamed", data)
    uow.commit()
    return group


def set_members(
    actor: Actor, uow: UnitOfWork, clock: Clock, name: str, usernames: Iterable[str]
) -> Group:
    """Make exactly these users the group's members."""
    require_user_admin(actor)
    group = _group(uow, name)
    wanted = sorted({u.strip() for u in usernames if u.strip()})
    users = uow.user_admin.by_usernames(wanted)
    unknown = sorted(set(wanted) - {user.username for user in users})
    if unknown:
        message = t("Tuntemattomat käyttäjät: {names}.", names=", ".join(unknown))
        raise InvalidInput([FieldError("members", message)])
    before = [user.username for user in uow.user_admin.members(group.id)]
    for user in uow.user_admin.members(group.id):
        if user.username not in wanted:
            user.groups = [g for g in user.groups if g.id != group.id]
    for user in users:
        if all(g.id != group.id for g in user.groups):
            user.groups = [*user.groups, group]
    data = {"group": group.name, "before": before, "after": wanted}
    _log(uow, clock, actor, "group_members_changed", data)
    uow.commit()
    return group


def _group(uow: UnitOfWork, name: str) -> Group:
    group = uow.users.group(name)
    if group is None:
        raise NotFound(NO_GROUP)
    return group


def _names(
    errors: list[FieldError], fi: str, sv: str | None, en: str | None
) -> tuple[str, str | None, str | None]:
    return (
        required_text(errors, "fi", fi, 200, t("ryhmän nimi suomeksi")),
        optional_text(errors, "sv", sv, 200),
        optional_text(errors, "en", en, 200),
    )


def _described(group: Group) -> dict[str, str | None]:
    return {"fi": group.display_name, "sv": group.display_name_sv, "en": group.display_name_en}


def _log(uow: UnitOfWork, clock: Clock, actor: Actor, action: str, data: dict[str, Any]) -> None:
    uow.history.append(at=clock(), actor=actor.username, action=action, data=data)
