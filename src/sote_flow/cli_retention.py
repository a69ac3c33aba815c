"""`sote-flow retention archive|verify-archive`: the county's retention of closed cases and the
access log (issue #17). The command line acts as the system actor."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sote_flow.config import Settings
from sote_flow.domain.clock import Clock, system_clock
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services import retention
from sote_flow.services.system import SYSTEM_ACTOR

UnitOfWorkFactory = Callable[[], UnitOfWork]
Subcommands = Any  # argparse's private _SubParsersAction

# Read at each run, so tests pin the time the way services take it (never today's date).
clock: Clock = system_clock


def add_retention_commands(
    commands: Subcommands, unit_of_work: UnitOfWorkFactory, settings: Callable[[], Settings]
) -> None:
    """Add the `retention` command and its subcommands to `commands`."""
    group = commands.add_parser(
        "retention", help="archive and purge closed cases and old access-log entries"
    ).add_subparsers(title="retention commands")
    archive = group.add_parser(
        "archive",
        help="write the closed cases past SOTE_FLOW_RETENTION_CASE_DAYS (and access-log "
        "entries past SOTE_FLOW_RETENTION_ACCESS_LOG_DAYS) to a JSON Lines archive, then purge",
    )
    archive.add_argument("--out", type=Path, required=True, help="directory for the archive")
    archive.add_argument("--dry-run", action="store_true", help="count only; change nothing")
    archive.set_defaults(run=lambda args: _archive(unit_of_work, settings, args))
    verify = group.add_parser(
        "verify-archive",
        help="check an archive: its digest, each entry's hash, the database's tombstones",
    )
    verify.add_argument("file", type=Path)
    verify.set_defaults(run=lambda args: _verify(unit_of_work, args))


def _archive(
    unit_of_work: UnitOfWorkFactory, settings: Callable[[], Settings], args: argparse.Namespace
) -> int:
    configured = settings()
    if configured.retention_case_days <= 0:
        print(
            "Retention is not configured: set SOTE_FLOW_RETENTION_CASE_DAYS (the county's "
            "archive rule, in days). Nothing was archived or purged.",
            file=sys.stderr,
        )
        return 2
    if not args.out.is_dir():
        print(f"error: no such directory: {args.out}", file=sys.stderr)
        return 2
    rules = retention.RetentionRules(
        configured.retention_case_days, configured.retention_access_log_days
    )
    with unit_of_work() as uow:
        run = retention.archive_and_purge(
            SYSTEM_ACTOR, uow, clock, rules, args.out, dry_run=args.dry_run
        )
    counts = (
        f"{run.instances} closed instances ({run.history_entries} history entries), "
        f"{run.access_log_entries} access-log entries"
    )
    if run.dry_run:
        print(f"dry run: would archive and purge {counts}; nothing changed")
    elif run.path is None:
        print("nothing is past its retention time; nothing archived")
    else:
        print(f"archived and purged {counts}")
        print(f"archive: {run.path} (sha256 {run.sha256})")
    return 0


def _verify(unit_of_work: UnitOfWorkFactory, args: argparse.Namespace) -> int:
    with unit_of_work() as uow:
        check = retention.verify_archive(SYSTEM_ACTOR, uow, args.file)
    if not check.ok:
        for problem in check.problems:
            print(f"{args.file}: {problem}", file=sys.stderr)
        return 1
    print(
        f"archive verified: {check.instances} instances, {check.history_entries} history "
        f"entries match their tombstones, {check.access_log_entries} access-log entries"
    )
    return 0
