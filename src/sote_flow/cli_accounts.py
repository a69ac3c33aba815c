"""`sote-flow users list|disable|enable|set-roles` and `sote-flow groups list|create`.

The command line acts as the system actor, an administrator; every change is in the history.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from sote_flow.domain.clock import system_clock
from sote_flow.domain.errors import InvalidInput
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services import user_admin
from sote_flow.services.system import SYSTEM_ACTOR

UnitOfWorkFactory = Callable[[], UnitOfWork]
Subcommands = Any  # argparse's private _SubParsersAction


def add_account_commands(
    users: Subcommands, commands: Subcommands, unit_of_work: UnitOfWorkFactory
) -> None:
    """Add the administration subcommands to `users` and a `groups` command to `commands`."""
    listing = users.add_parser("list", help="list users (roles, groups, state, last sign-in)")
    listing.add_argument("--search", default="", help="part of a username or name")
    listing.set_defaults(run=_command(_users_list, unit_of_work))
    for name, run, text in (
        ("disable", _users_disable, "disable a user: sessions end, tokens are revoked, "
                                    "claimed tasks go back to their groups"),
        ("enable", _users_enable, "let a disabled user sign in again"),
    ):  # fmt: skip
        command = users.add_parser(name, help=text)
        command.add_argument("username")
        command.set_defaults(run=_command(run, unit_of_work))
    access = users.add_parser("set-roles", help="give a user exactly these roles and groups")
    access.add_argument("username")
    access.add_argument("--role", action="append", default=[], dest="roles")
    access.add_argument("--group", action="append", default=[], dest="groups")
    access.set_defaults(run=_command(_users_set_roles, unit_of_work))

    groups = commands.add_parser("groups", help="groups (lanes name them)").add_subparsers(
        title="groups commands"
    )
    groups.add_parser("list", help="list groups with members and uses").set_defaults(
        run=_command(_groups_list, unit_of_work)
    )
    create = groups.add_parser("create", help="create a group")
    create.add_argument("key", help="[a-z][a-z0-9_]{1,79}, the name lanes use")
    create.add_argument("--fi", required=True, help="name in Finnish")
    create.add_argument("--sv", help="name in Swedish")
    create.add_argument("--en", help="name in English")
    create.set_defaults(run=_command(_groups_create, unit_of_work))


def _users_list(unit_of_work: UnitOfWorkFactory, args: argparse.Namespace) -> int:
    page_number = 1
    while True:
        with unit_of_work() as uow:
            page = user_admin.list_users(SYSTEM_ACTOR, uow, args.search, page_number)
        for user in page.users:
            state = "active" if user.active else "disabled"
            kind = "local" if user.local else "sso"
            last = user.last_login_at.isoformat() if user.last_login_at else "-"
            print(
                f"{user.username}\t{user.display_name}\t{','.join(user.roles) or '-'}\t"
                f"{','.join(user.groups) or '-'}\t{kind}\t{state}\t{last}"
            )
        if page.page * page.page_size >= page.total:
            return 0
        page_number += 1


def _users_disable(unit_of_work: UnitOfWorkFactory, args: argparse.Namespace) -> int:
    with unit_of_work() as uow:
        done = user_admin.disable_user(SYSTEM_ACTOR, uow, system_clock, args.username)
    print(
        f"disabled {args.username}: {done.sessions_ended} sessions ended, "
        f"{done.tokens_revoked} API tokens revoked, {done.tasks_returned} tasks returned"
    )
    for case in done.open_cases:
        print(f"open case #{case.instance_id} ({case.process_key}): {', '.join(case.tasks)}")
    return 0


def _users_enable(unit_of_work: UnitOfWorkFactory, args: argparse.Namespace) -> int:
    with unit_of_work() as uow:
        user_admin.enable_user(SYSTEM_ACTOR, uow, system_clock, args.username)
    print(f"enabled {args.username}")
    return 0


def _users_set_roles(unit_of_work: UnitOfWorkFactory, args: argparse.Namespace) -> int:
    with unit_of_work() as uow:
        row = user_admin.set_roles_and_groups(
            SYSTEM_ACTOR, uow, system_clock, args.username, args.roles, args.groups
        )
    print(
        f"{row.username}: roles {','.join(row.roles) or '-'}; groups {','.join(row.groups) or '-'}"
    )
    return 0


def _groups_list(unit_of_work: UnitOfWorkFactory, args: argparse.Namespace) -> int:
    with unit_of_work() as uow:
        groups = user_admin.list_groups(SYSTEM_ACTOR, uow)
    for group in groups:
        uses = ",".join(f"{use.process_key}:v{use.version}" for use in group.used_in) or "-"
        print(f"{group.name}\t{group.display_name}\t{group.member_count} members\t{uses}")
    return 0


def _groups_create(unit_of_work: UnitOfWorkFactory, args: argparse.Namespace) -> int:
    with unit_of_work() as uow:
        user_admin.create_group(
            SYSTEM_ACTOR, uow, system_clock, args.key, args.fi, args.sv, args.en
        )
    print(f"created group {args.key}")
    return 0


def _command(
    run: Callable[[UnitOfWorkFactory, argparse.Namespace], int], unit_of_work: UnitOfWorkFactory
) -> Callable[[argparse.Namespace], int]:
    # The command line prints a ValueError as it is: name each refused field in it.
    def command(args: argparse.Namespace) -> int:
        try:
            return run(unit_of_work, args)
        except InvalidInput as error:
            raise ValueError("; ".join(f"{e.field}: {e.message}" for e in error.errors)) from None

    return command
