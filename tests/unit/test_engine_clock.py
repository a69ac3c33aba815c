"""The engine reads time only from the injected clock; outside a run the test suite forbids it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions import timer

from sote_flow.domain.clock import FrozenClock
from sote_flow.engine.engine_clock import EngineClockMissing, engine_clock, engine_now
from sote_flow.engine.functions import weekdays_from_now

# The datetime SpiffWorkflow's timer module reads "now" from: the engine clock's, not the system's.
ENGINE_DATETIME = timer.datetime


def test_inside_a_run_the_engine_reads_the_injected_clock():
    clock = FrozenClock(datetime(2031, 4, 10, 9, 30, tzinfo=UTC))
    with engine_clock(clock):
        assert engine_now() == clock()
        assert ENGINE_DATETIME.now(UTC) == clock()
        # Maundy Thursday 2031 + 1 weekday skips Good Friday, the weekend and Easter Monday.
        assert weekdays_from_now(1).startswith("2031-04-15")


def test_outside_a_run_reading_the_time_fails_in_tests():
    with pytest.raises(EngineClockMissing):
        engine_now()
    with pytest.raises(EngineClockMissing):
        ENGINE_DATETIME.now(UTC)
