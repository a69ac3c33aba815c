"""Domain errors, defined once. `web/errors.py` maps each kind to HTTP; messages are Finnish
`Text` (`domain/text.py`) that the web shows in the user's language."""

from __future__ import annotations

from dataclasses import dataclass, field

from sote_flow.domain.text import t


class DomainError(Exception):
    """Base class: a use case refused the request; nothing was changed."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    code = "not_found"


class PermissionDenied(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    """Someone else changed the thing first (task taken, already completed)."""

    code = "conflict"


class Gone(DomainError):
    """The thing existed but is no longer available (an expired link)."""

    code = "gone"


class Unavailable(DomainError):
    """A service the action needs (e.g. a video-meeting provider) did not answer: try later."""

    code = "unavailable"


class NeedsConfirmation(DomainError):
    """The request is valid but has consequences the user should confirm first (nothing done)."""

    code = "needs_confirmation"

    def __init__(self, warnings: list[str]) -> None:
        super().__init__(warnings[0] if warnings else "")
        self.warnings = warnings


class AuthenticationFailed(DomainError):
    code = "unauthorized"


class TooManyAttempts(DomainError):
    """Sign-ins are throttled: too many failed for the account or the address lately."""

    code = "too_many_attempts"


@dataclass(frozen=True)
class FieldError:
    """One invalid field: its name (dotted path for nested values) and a message for the user."""

    field: str
    message: str


class InvalidInput(DomainError):
    """Submitted data was refused; `errors` names each field and what is wrong with it."""

    code = "invalid_input"

    def __init__(
        self, errors: list[FieldError], message: str = t("Tarkista lomakkeen tiedot.")
    ) -> None:
        super().__init__(message)
        self.errors = errors


@dataclass(frozen=True)
class DeployProblem:
    """One reason a diagram bundle was refused, located by file and BPMN element."""

    file: str
    element_id: str | None
    message: str


class DeployRefused(DomainError):
    """A process bundle did not pass validation; nothing was deployed."""

    code = "deploy_refused"

    def __init__(self, problems: list[DeployProblem]) -> None:
        super().__init__("; ".join(_describe(p) for p in problems))
        self.problems = problems


def _describe(problem: DeployProblem) -> str:
    where = f"{problem.file}" + (f" [{problem.element_id}]" if problem.element_id else "")
    return f"{where}: {problem.message}"


@dataclass
class EngineFailure(DomainError):
    """An engine step failed (expression, script or handler); the instance is marked in error."""

    message: str
    task_name: str | None = None
    details: dict[str, str] = field(default_factory=dict)
    code = "engine_failure"

    def __post_init__(self) -> None:
        Exception.__init__(self, self.message)
