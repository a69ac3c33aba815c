"""A throw-away PostgreSQL server for the test session, from Debian's postgresql package."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

SERVER_USER = "postgres"  # the OS user the server runs as when the tests run as root
BINARIES = Path("/usr/lib/postgresql")


def find_binaries() -> Path:
    """Return the bin directory of the newest PostgreSQL under /usr/lib/postgresql."""
    versions = [p for p in BINARIES.glob("*/bin") if p.parent.name.isdigit()]
    if not versions:
        raise RuntimeError(
            f"PostgreSQL server binaries not found under {BINARIES}/*/bin; the tests start their "
            "own server and need Debian's package: apt-get install -y postgresql"
        )
    return max(versions, key=lambda p: int(p.parent.name))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """initdb + pg_ctl in a temporary directory, listening on 127.0.0.1 only."""

    def __init__(self) -> None:
        self.bin = find_binaries()
        self.as_root = os.geteuid() == 0  # the server refuses to run as root
        self.port = 0
        self.root: Path | None = None

    @property
    def data(self) -> Path:
        """The cluster's data directory."""
        assert self.root is not None, "server not started"
        return self.root / "data"

    @property
    def log(self) -> Path:
        """The server's log file (pg_ctl -l)."""
        assert self.root is not None, "server not started"
        return self.root / "server.log"

    def start(self) -> PostgresServer:
        """Create the cluster and start the server; returns when it accepts connections."""
        if self.as_root:
            try:
                pwd.getpwnam(SERVER_USER)
            except KeyError:
                raise RuntimeError(
                    f"OS user {SERVER_USER!r} missing: apt-get install -y postgresql"
                ) from None
        self.root = Path(tempfile.mkdtemp(prefix="sote-pg-"))
        self.port = _free_port()
        try:
            if self.as_root:
                shutil.chown(self.root, SERVER_USER)
            self._run(
                "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions",
            )  # fmt: skip
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=200"
            )
            self._run(
                "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
                "-w", "-t", "60", "start",
            )  # fmt: skip
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server immediately and delete its files (safe to call twice)."""
        if self.root is None:
            return
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def dsn(self, dbname: str) -> str:
        """libpq connection string for a database on this server."""
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}"

    def url(self, dbname: str) -> str:
        """SQLAlchemy URL for a database on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str, template: str | None = None) -> None:
        """Create a database (optionally as a copy of `template`)."""
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as connection:
            connection.execute(statement)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self.as_root:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        # cwd: the postgres user may not be allowed into the checkout (e.g. under /root).
        result = subprocess.run(
            command, cwd=self.root, capture_output=True, text=True, check=False, timeout=120
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{program} failed (exit {result.returncode}):\n"
                f"{result.stdout}{result.stderr}{self._server_log()}"
            )

    def _wait_until_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(self.dsn("postgres"), connect_timeout=2):
                    return
            except psycopg.OperationalError as error:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"PostgreSQL did not accept connections within {timeout:.0f} s: "
                        f"{error}{self._server_log()}"
                    ) from None
                time.sleep(0.1)

    def _server_log(self) -> str:
        if self.root is None or not self.log.exists():
            return ""
        return f"\n--- server log ---\n{self.log.read_text(errors='replace')}"
