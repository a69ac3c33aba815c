"""Anchoring the history chain outside the database (issue #17).

The chain proves that no entry was changed in place, but a restore of an older backup, or a
cut-off newest tail with the chain head rewound, leaves a shorter chain that is still intact.
A checkpoint records the chain's length and newest hash, signed with HMAC-SHA256 under a key
that is not in the database, in a JSON Lines file the auditors keep. A later database must
still hold that entry at that position: otherwise it is *behind* the checkpoint (fewer
entries) or *diverges* from it (another entry there).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import DomainError
from sote_flow.persistence.backup import entry_hash_at, read_consistently
from sote_flow.persistence.history import GENESIS_HASH, ChainReport
from sote_flow.persistence.unit_of_work import UnitOfWork

FORMAT = "sote-flow-audit-checkpoint/1"
MIN_KEY_LENGTH = 16
KEY_SETTING = "SOTE_FLOW_AUDIT_CHECKPOINT_KEY"


class CheckpointRefused(DomainError):
    """No checkpoint can be written or trusted; the message says why (in Finnish)."""

    code = "checkpoint_refused"


@dataclass(frozen=True)
class Checkpoint:
    """The chain's length and newest hash at a moment, with the signature over them."""

    entries: int
    last_hash: str
    at: datetime
    signature: str = ""

    def payload(self) -> dict[str, Any]:
        """The signed fields."""
        return {
            "format": FORMAT,
            "entries": self.entries,
            "last_hash": self.last_hash,
            "at": self.at.isoformat(),
        }

    def to_line(self) -> str:
        """One JSON Lines record: the signed fields and the signature."""
        return json.dumps({**self.payload(), "signature": self.signature}, sort_keys=True)


@dataclass(frozen=True)
class CheckpointCheck:
    """The outcome of comparing the database with a checkpoint: ok, or the kind of problem."""

    checkpoint: Checkpoint
    entries: int
    problem: str | None = None  # "behind" or "diverges"
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.problem is None


def require_key(key: str) -> bytes:
    """Return the signing key, or refuse when it is not configured (or too short)."""
    if not key:
        raise CheckpointRefused(
            f"Kuittausavain puuttuu: aseta {KEY_SETTING} (avainta ei säilytetä tietokannassa)."
        )
    if len(key) < MIN_KEY_LENGTH:
        raise CheckpointRefused(
            f"{KEY_SETTING} on liian lyhyt (vähintään {MIN_KEY_LENGTH} merkkiä)."
        )
    return key.encode("utf-8")


def sign(checkpoint: Checkpoint, key: bytes) -> str:
    """Return the HMAC-SHA256 (hex) over the checkpoint's canonical signed fields."""
    canonical = json.dumps(checkpoint.payload(), sort_keys=True, separators=(",", ":"))
    return hmac.new(key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def take_checkpoint(uow: UnitOfWork, clock: Clock, key: bytes) -> Checkpoint:
    """Verify the chain and return a signed checkpoint of it; a broken chain is refused."""
    read_consistently(uow.session)
    report = uow.history.verify()
    if not report.ok:
        raise CheckpointRefused(
            f"Historiaketju on rikki kohdassa {report.first_bad_entry_id} ({report.problem}); "
            "rikkinäistä ketjua ei kuitata."
        )
    last_hash = entry_hash_at(uow.session, report.entries) or GENESIS_HASH
    unsigned = Checkpoint(report.entries, last_hash, clock())
    return Checkpoint(unsigned.entries, unsigned.last_hash, unsigned.at, sign(unsigned, key))


def append_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Append the checkpoint as one line to the JSON Lines file at `path` (created if needed)."""
    with path.open("a", encoding="utf-8") as file:
        file.write(checkpoint.to_line() + "\n")
        file.flush()
        os.fsync(file.fileno())


def write_checkpoint(
    unit_of_work: Callable[[], UnitOfWork], clock: Clock, key: str, path: Path
) -> Checkpoint:
    """Take a checkpoint and append it to `path` (the scheduler's daily job and the CLI)."""
    signing_key = require_key(key)
    with unit_of_work() as uow:
        checkpoint = take_checkpoint(uow, clock, signing_key)
    append_checkpoint(path, checkpoint)
    return checkpoint


def read_checkpoints(path: Path, key: str) -> Sequence[Checkpoint]:
    """Read every checkpoint in the file; refuse the file if any line's signature fails."""
    signing_key = require_key(key)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CheckpointRefused(
            f"Kuittaustiedostoa ei voi lukea: {path} ({exc.strerror})"
        ) from None
    checkpoints = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        checkpoint = _parse(line, f"{path}:{number}")
        if not hmac.compare_digest(sign(checkpoint, signing_key), checkpoint.signature):
            raise CheckpointRefused(
                f"Kuittauksen allekirjoitus ei täsmää ({path}:{number}): kuittaus on muutettu "
                "tai allekirjoitettu toisella avaimella."
            )
        checkpoints.append(checkpoint)
    if not checkpoints:
        raise CheckpointRefused(f"Kuittaustiedostossa ei ole kuittauksia: {path}")
    return checkpoints


def compare_with_checkpoint(
    uow: UnitOfWork, report: ChainReport, checkpoint: Checkpoint
) -> CheckpointCheck:
    """Compare an intact chain (`report`) with a checkpoint: behind, diverging, or ok."""
    if report.entries < checkpoint.entries:
        return CheckpointCheck(
            checkpoint,
            report.entries,
            "behind",
            f"Tietokanta on JÄLJESSÄ kuittauksesta: ketjussa on {report.entries} merkintää, "
            f"kuittauksessa ({checkpoint.at.isoformat()}) {checkpoint.entries}. Uusimmat "
            "merkinnät puuttuvat (vanhempi varmuuskopio palautettu tai häntä katkaistu).",
        )
    found = entry_hash_at(uow.session, checkpoint.entries) or GENESIS_HASH
    if found != checkpoint.last_hash:
        return CheckpointCheck(
            checkpoint,
            report.entries,
            "diverges",
            f"Tietokanta POIKKEAA kuittauksesta ({checkpoint.at.isoformat()}): merkinnän "
            f"{checkpoint.entries} tiiviste on {found}, kuittauksessa {checkpoint.last_hash}.",
        )
    return CheckpointCheck(checkpoint, report.entries)


def newest(checkpoints: Sequence[Checkpoint]) -> Checkpoint:
    """Return the checkpoint with the most entries (the last such one in the file)."""
    return max(reversed(checkpoints), key=lambda checkpoint: checkpoint.entries)


def _parse(line: str, where: str) -> Checkpoint:
    try:
        record = json.loads(line)
        if record.get("format") != FORMAT:
            raise ValueError(f"tuntematon muoto {record.get('format')!r}")
        entries, last_hash = record["entries"], record["last_hash"]
        if not isinstance(entries, int) or entries < 0 or not isinstance(last_hash, str):
            raise ValueError("entries tai last_hash virheellinen")
        at = datetime.fromisoformat(record["at"])
        return Checkpoint(entries, last_hash, at, str(record["signature"]))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CheckpointRefused(f"Kuittaus ei ole luettavissa ({where}): {exc}") from None
