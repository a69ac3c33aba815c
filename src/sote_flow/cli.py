"""The `sote-flow` command: database, deployment, users, audit, serving and the demo."""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from sote_flow.cli_accounts import add_account_commands
from sote_flow.cli_retention import add_retention_commands
from sote_flow.config import DEFAULT_INSTANCE_DIR, Settings, demo_secret_key, load_settings
from sote_flow.domain.clock import system_clock
from sote_flow.domain.errors import DeployRefused, DomainError
from sote_flow.engine.bundle import ProcessBundle, bundle_from_diagram, safe_file_name
from sote_flow.persistence.database import make_engine, make_session_factory
from sote_flow.persistence.migrate import upgrade_database
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.accounts import create_user, set_password
from sote_flow.services.deployment import deploy_bundle
from sote_flow.services.platform import Platform
from sote_flow.services.system import SYSTEM_ACTOR

# The diagrams the checkout ships (src/sote_flow/cli.py -> ../../processes): the demo deploys
# them wherever it is started from.
BUNDLED_PROCESSES = Path(__file__).resolve().parents[2] / "processes"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except (DomainError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sote-flow", description=__doc__)
    commands = parser.add_subparsers(title="commands")

    db = commands.add_parser("db", help="database schema").add_subparsers(title="db commands")
    db.add_parser("upgrade", help="apply migrations").set_defaults(run=_db_upgrade)

    deploy = commands.add_parser("deploy", help="deploy diagrams (each with its form files)")
    deploy.add_argument(
        "paths",
        nargs="+",
        type=Path,
        help=".bpmn files (their forms beside them are included), "
        "or one .bpmn followed by its .json/.dmn files with --bundle",
    )
    deploy.add_argument(
        "--bundle",
        action="store_true",
        help="treat all PATHS as one bundle (one .bpmn plus its files)",
    )
    deploy.set_defaults(run=_deploy)

    users = commands.add_parser("users", help="user accounts").add_subparsers(
        title="users commands"
    )
    create = users.add_parser("create", help="create a user")
    create.add_argument("--username", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--display-name")
    create.add_argument("--email")
    create.add_argument("--role", action="append", default=[], dest="roles")
    create.add_argument(
        "--group",
        action="append",
        default=[],
        dest="groups",
        help="group membership; groups are created as needed",
    )
    create.set_defaults(run=_users_create)
    reset = users.add_parser(
        "set-password", help="set a password; ends the user's sessions and revokes API tokens"
    )
    reset.add_argument("--username", required=True)
    reset.add_argument("--password", help="asked for (twice, not echoed) when not given")
    reset.set_defaults(run=_users_set_password)
    add_account_commands(users, commands, lambda: _unit_of_work_factory(_settings())())

    audit = commands.add_parser("audit", help="audit trail").add_subparsers(title="audit commands")
    verify = audit.add_parser("verify", help="verify the history hash chain")
    verify.add_argument(
        "--checkpoint",
        type=Path,
        help="also check the database against the newest signed checkpoint in FILE",
    )
    verify.set_defaults(run=_audit_verify)
    checkpoint = audit.add_parser(
        "checkpoint", help="write a signed checkpoint of the chain head (JSON Lines)"
    )
    checkpoint.add_argument(
        "--out",
        type=Path,
        help="file to append to (default SOTE_FLOW_AUDIT_CHECKPOINT_FILE; else standard output)",
    )
    checkpoint.set_defaults(run=_audit_checkpoint)
    add_retention_commands(commands, lambda: _unit_of_work_factory(_settings())(), _settings)

    backup = commands.add_parser("backup", help="write a consistent backup of the database")
    backup.add_argument("file", type=Path)
    backup.set_defaults(run=_backup)
    restore = commands.add_parser("restore", help="replace the database with a backup")
    restore.add_argument("file", type=Path)
    restore.add_argument("--yes", action="store_true", help="confirm: current data is replaced")
    restore.set_defaults(run=_restore)

    scheduler = commands.add_parser("scheduler", help="run the timer scheduler (any number)")
    scheduler.add_argument(
        "--safety-poll",
        type=float,
        default=30.0,
        help="seconds between safety polls (timers normally wake it exactly)",
    )
    scheduler.set_defaults(run=_scheduler)

    serve = commands.add_parser("serve", help="serve the web application (gunicorn, N workers)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.add_argument("--workers", type=int, help="default SOTE_FLOW_WORKERS, else 2 x cores + 1")
    serve.add_argument("--threads", type=int, default=4, help="threads per worker process")
    serve.set_defaults(run=_serve)

    demo = commands.add_parser("demo", help="seed demo data (SQLite by default) and serve")
    demo.add_argument("--seed-only", action="store_true")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=5000)
    demo.add_argument(
        "--processes",
        type=Path,
        default=None,
        help="the diagrams to deploy (default: the checkout's processes/, wherever started)",
    )
    demo.set_defaults(run=_demo)
    return parser


def _settings() -> Settings:
    # Only the web server signs cookies; other commands run without a secret key.
    return load_settings(require_secret=False)


def _unit_of_work_factory(settings: Settings) -> Callable[[], UnitOfWork]:
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    return lambda: UnitOfWork(sessions)


def _db_upgrade(args: argparse.Namespace) -> int:
    settings = _settings()
    _ensure_sqlite_dir(settings.database_url)
    upgrade_database(make_engine(settings.database_url))
    print("database is up to date")
    return 0


def _deploy(args: argparse.Namespace) -> int:
    settings = _settings()
    platform = Platform(settings)
    unit_of_work = _unit_of_work_factory(settings)
    missing = [str(path) for path in args.paths if not path.is_file()]
    if missing:
        print(f"Tiedostoa ei löydy: {', '.join(missing)}", file=sys.stderr)
        return 2
    bundles = (
        [_bundle_of(args.paths)] if args.bundle else [bundle_from_diagram(p) for p in args.paths]
    )
    status = 0
    for bundle in bundles:
        try:
            with unit_of_work() as uow:
                result = deploy_bundle(platform, SYSTEM_ACTOR, uow, system_clock, bundle)
        except DeployRefused as exc:
            status = 1
            for problem in exc.problems:
                element = f" [{problem.element_id}]" if problem.element_id else ""
                print(f"{problem.file}{element}: {problem.message}", file=sys.stderr)
            continue
        state = "deployed" if result.created else "unchanged"
        print(f"{state}: {result.version.key} version {result.version.version}")
    return status


def _bundle_of(paths: Sequence[Path]) -> ProcessBundle:
    return ProcessBundle({safe_file_name(p.name): p.read_bytes() for p in paths})


def _users_create(args: argparse.Namespace) -> int:
    settings = _settings()
    with _unit_of_work_factory(settings)() as uow:
        user = create_user(
            uow,
            system_clock,
            username=args.username,
            password=args.password,
            display_name=args.display_name,
            roles=args.roles,
            groups=args.groups,
            email=args.email,
        )
    print(f"created user {user.username}")
    return 0


def _users_set_password(args: argparse.Namespace) -> int:
    password = args.password
    if password is None:
        password = getpass.getpass("New password: ")
        if getpass.getpass("New password again: ") != password:
            raise ValueError("the passwords differ")
    settings = _settings()
    with _unit_of_work_factory(settings)() as uow:
        changed = set_password(uow, system_clock, args.username, password)
    print(
        f"password set for {args.username}: {changed.sessions_ended} sessions ended, "
        f"{changed.tokens_revoked} API tokens revoked"
    )
    return 0


def _audit_verify(args: argparse.Namespace) -> int:
    from sote_flow.persistence.backup import read_consistently
    from sote_flow.services import audit_checkpoint

    settings = _settings()
    anchor = None
    if args.checkpoint is not None:
        checkpoints = audit_checkpoint.read_checkpoints(
            args.checkpoint, settings.audit_checkpoint_key
        )
        anchor = audit_checkpoint.newest(checkpoints)
    with _unit_of_work_factory(settings)() as uow:
        read_consistently(uow.session)
        report = uow.history.verify()
        check = (
            audit_checkpoint.compare_with_checkpoint(uow, report, anchor)
            if report.ok and anchor is not None
            else None
        )
    if not report.ok:
        print(
            f"history chain BROKEN at entry {report.first_bad_entry_id}: {report.problem} "
            f"({report.entries} entries verified before it)",
            file=sys.stderr,
        )
        return 1
    if check is not None and not check.ok:
        print(check.message, file=sys.stderr)
        return 1
    print(f"history chain intact: {report.entries} entries")
    if check is not None:
        print(
            f"Ketju vastaa kuittausta {check.checkpoint.at.isoformat()} "
            f"({check.checkpoint.entries} merkintää)."
        )
    return 0


def _audit_checkpoint(args: argparse.Namespace) -> int:
    from sote_flow.services import audit_checkpoint

    settings = _settings()
    out = args.out or (
        Path(settings.audit_checkpoint_file) if settings.audit_checkpoint_file else None
    )
    if out is None:
        key = audit_checkpoint.require_key(settings.audit_checkpoint_key)
        with _unit_of_work_factory(settings)() as uow:
            print(audit_checkpoint.take_checkpoint(uow, system_clock, key).to_line())
        return 0
    written = audit_checkpoint.write_checkpoint(
        _unit_of_work_factory(settings), system_clock, settings.audit_checkpoint_key, out
    )
    print(
        f"Kuittaus kirjoitettu tiedostoon {out}: {written.entries} merkintää, "
        f"viimeisin tiiviste {written.last_hash}"
    )
    return 0


def _backup(args: argparse.Namespace) -> int:
    from sote_flow.persistence.backup import backup_database

    settings = _settings()
    backup_database(settings.database_url, args.file)
    print(f"Varmuuskopio kirjoitettu: {args.file}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from sote_flow.persistence.backup import restore_database

    if not args.yes:
        print(
            "Palautus korvaa tietokannan nykyiset tiedot varmuuskopion tiedoilla. "
            "Pysäytä ensin palvelin ja ajastin, ja vahvista ajamalla uudelleen valitsimella --yes.",
            file=sys.stderr,
        )
        return 2
    settings = _settings()
    restore_database(settings.database_url, args.file)
    print(
        f"Palautettu varmuuskopiosta {args.file}. Tarkista historiaketju kuittausta vasten: "
        "sote-flow audit verify --checkpoint TIEDOSTO"
    )
    return 0


def _scheduler(args: argparse.Namespace) -> int:
    from sote_flow.scheduler.runner import TimerScheduler

    settings = _settings()
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    scheduler = TimerScheduler(
        Platform(settings),
        lambda: UnitOfWork(sessions),
        engine,
        safety_poll_seconds=args.safety_poll,
    )
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    scheduler.start()
    print("sote-flow scheduler running", flush=True)
    stopping.wait()
    scheduler.stop()
    return 0


def _serve(args: argparse.Namespace) -> int:
    # The timer scheduler is not started here: it runs as `sote-flow scheduler`, apart.
    from sote_flow.web.server import default_workers, serve_production

    load_settings()  # fails early, and clearly, without a secret, before any worker starts
    workers = args.workers if args.workers is not None else default_workers()
    print(f"sote-flow listening on http://{args.host}:{args.port}", flush=True)
    serve_production(args.host, args.port, workers, args.threads)
    return 0


def _demo_url(args: argparse.Namespace) -> str:
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    return f"http://{host}:{args.port}"


def _demo(args: argparse.Namespace) -> int:
    from sote_flow.services.demo import DEMO_PASSWORD, seed_demo

    processes = args.processes or BUNDLED_PROCESSES
    if not any(processes.glob("*.bpmn")):
        print(f"error: no diagrams (*.bpmn) in {processes}", file=sys.stderr)
        return 2
    _db_upgrade(args)
    # Mails link to where the demo really answers (the sample orders' mails included), unless
    # an address is configured.
    address = {} if "SOTE_FLOW_BASE_URL" in os.environ else {"base_url": _demo_url(args)}
    settings = load_settings(override=address, require_secret=False)
    for line in seed_demo(
        Platform(settings), _unit_of_work_factory(settings), system_clock, processes
    ):
        print(line)
    print(f"demo users: see README.md (password for all: {DEMO_PASSWORD})")
    if args.seed_only:
        return 0
    # The demo keeps its own secret key in the instance folder unless one is configured, and
    # writes mail to instance/mail/ unless a mail server is configured.
    override = {} if settings.secret_key else {"secret_key": demo_secret_key(DEFAULT_INSTANCE_DIR)}
    override.update(address)
    if not settings.mail_directory and "SOTE_FLOW_SMTP_HOST" not in os.environ:
        override["mail_directory"] = str(DEFAULT_INSTANCE_DIR / "mail")
    from sote_flow.web.server import serve_single

    serve_single(args.host, args.port, override)
    return 0


def _ensure_sqlite_dir(url: str) -> None:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


if __name__ == "__main__":
    sys.exit(main())
