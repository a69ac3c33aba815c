"""Benchmark: one step on a service order returned to the queue 1,000 times vs. a fresh order.

A return restarts the order's workflow ("continue as new"), so its stored state holds one
round. Measured step: taking the order into processing (lock, load, engine, save, projection,
history, one commit). Target (issue 3): returned / fresh <= 1.2 on SQLite.
"""

from __future__ import annotations

import sys

from _common import databases, median_ms, timed
from sote_flow.domain.clock import system_clock
from sote_flow.persistence.models import ProcessInstance
from tests.support.factories import make_platform, make_uow_factory
from tests.support.orders import OrderDriver, make_order_people

RETURNS = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
SAMPLES = 40


def state_size(uow, instance_id: int) -> int:
    with uow() as unit:
        return len(unit.session.get(ProcessInstance, instance_id).state)


def main() -> None:
    with databases(include_postgres=False) as urls:
        label, url = urls[0]
        platform, uow = make_platform(url), make_uow_factory(url)
        people = make_order_people(platform, uow, system_clock)
        returned = OrderDriver(platform, uow, system_clock, people)
        returned.process_after_returns(RETURNS)
        fresh_times, returned_times, fresh_sizes, returned_sizes = [], [], [], []
        for _ in range(SAMPLES):
            fresh = OrderDriver(platform, uow, system_clock, people)
            fresh.order()
            fresh_times.append(timed(fresh.take))
            fresh_sizes.append(state_size(uow, fresh.instance_id))
            returned.return_to_queue()
            returned_times.append(timed(returned.take))
            returned_sizes.append(state_size(uow, returned.instance_id))
            returned.plan()
            returned.record_start()
        fresh_ms, returned_ms = median_ms(fresh_times), median_ms(returned_times)
        print(f"{label}: take an order into processing, median of {SAMPLES}")
        print(f"  fresh order:                    {fresh_ms:6.2f} ms")
        print(f"  order returned {RETURNS + SAMPLES:>5} times:     {returned_ms:6.2f} ms")
        print(f"  ratio returned / fresh:         {returned_ms / fresh_ms:6.2f}  (target <= 1.2)")
        print(
            f"  stored state after the step:    fresh {max(fresh_sizes)} B, "
            f"returned {max(returned_sizes)} B"
        )


if __name__ == "__main__":
    main()
