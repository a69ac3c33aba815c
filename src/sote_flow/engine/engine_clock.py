"""Let SpiffWorkflow's timers read the application's clock instead of the system time.

SpiffWorkflow computes and checks timer due times with `datetime.now(timezone.utc)` inside its
timer module and offers no hook. The module's `datetime` is replaced once by a subclass whose
`now()` asks the clock of the run in progress (a context variable, so threads don't mix clocks).

Every engine call that can read the time must run inside `engine_clock(...)`. Outside one, the
system time is used, which is right in production but hides a forgotten `engine_clock` in tests
(their injected clock is silently ignored); tests call `require_engine_clock()` so that such a
call fails loudly instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, tzinfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer

from sote_flow.domain.clock import Clock, system_clock


class EngineClockMissing(RuntimeError):
    """The engine read the time outside `engine_clock` while the clock is required."""


_strict = False


def _time_outside_a_run() -> datetime:
    if _strict:
        raise EngineClockMissing(
            "the workflow engine read the time outside engine_clock(...): "
            "the injected clock would have been ignored"
        )
    return system_clock()


_current: ContextVar[Clock] = ContextVar("sote_flow_engine_clock", default=_time_outside_a_run)


class _ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _ClockedDatetime:
        value = _current.get()()
        value = value.astimezone(tz) if tz is not None else value.replace(tzinfo=None)
        return cls.fromisoformat(value.isoformat())


timer.datetime = _ClockedDatetime


def require_engine_clock(required: bool = True) -> None:
    """Make any engine read of the time outside `engine_clock` raise (for test suites)."""
    global _strict
    _strict = required


def engine_now() -> datetime:
    """The current time of the run in progress (the system time outside a run)."""
    return _current.get()()


@contextmanager
def engine_clock(clock: Clock) -> Iterator[None]:
    """Run the enclosed engine steps with `clock` as the timers' notion of now."""
    token = _current.set(clock)
    try:
        yield
    finally:
        _current.reset(token)
