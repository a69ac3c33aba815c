"""Benchmark: reading a service order returned to the queue 1,000 times vs. a fresh order.

Both orders are in the same state (taken, planned, started); the returned one has gone round
RETURNS + 1 times, so it has some 16,000 history entries and 4,000 case state changes. Measured,
median of SAMPLES reads each: the instance read through the service (view_instance), the API's
instance read and the API's first history page through the Flask test client. Target (issue 17):
returned / fresh <= 1.2, on SQLite and on PostgreSQL. Usage: instance_read.py [RETURNS]
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from _common import databases, median_ms, timed
from sote_flow.domain.clock import system_clock
from sote_flow.services import accounts
from sote_flow.services.instances import view_instance
from sote_flow.web import create_app
from tests.support.factories import TEST_SECRET, make_platform, make_uow_factory
from tests.support.orders import OrderDriver, make_order_people

RETURNS = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
SAMPLES = 40
PAGE = 10  # both orders fill a page of this size, so the pages are alike


def _medians(fresh: Callable[[], object], returned: Callable[[], object]) -> tuple[float, float]:
    fresh()  # warm caches (parsed diagram, forms) before timing
    returned()
    fresh_times, returned_times = [], []
    for _ in range(SAMPLES):
        fresh_times.append(timed(fresh))
        returned_times.append(timed(returned))
    return median_ms(fresh_times), median_ms(returned_times)


def measure(label: str, url: str) -> None:
    platform, uow = make_platform(url), make_uow_factory(url)
    people = make_order_people(platform, uow, system_clock)
    returned = OrderDriver(platform, uow, system_clock, people)
    returned.process_after_returns(RETURNS)
    fresh = OrderDriver(platform, uow, system_clock, people)
    fresh.order()
    fresh.process()
    with uow() as unit:
        entries = unit.history.count_for_instance(returned.instance_id)
        token = accounts.issue_token(unit, system_clock, people.admin, 1)
    client = create_app({"database_url": url, "secret_key": TEST_SECRET}).test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def service(instance_id: int) -> Callable[[], object]:
        def read() -> object:
            with uow() as unit:
                return view_instance(platform, people.admin, unit, system_clock, instance_id)

        return read

    def api(path: str) -> Callable[[], object]:
        def read() -> object:
            response = client.get(path, headers=headers)
            assert response.status_code == 200, response.get_data(as_text=True)
            return response

        return read

    base = "/api/v1/process-instances"

    def newest_full_page(instance_id: int) -> int:
        response = client.get(f"{base}/{instance_id}/history", headers=headers)
        return max(1, int(response.headers["X-Total-Count"]) // PAGE)

    reads = {
        "instance read, service": service,
        "instance read, API": lambda i: api(f"{base}/{i}"),
        "first history page, API": lambda i: api(f"{base}/{i}/history?page_size={PAGE}"),
        "newest full history page": lambda i: api(
            f"{base}/{i}/history?page_size={PAGE}&page={newest_full_page(i)}"
        ),
    }
    print(
        f"{label}: order returned {RETURNS} times ({entries} history entries) vs. fresh, "
        f"median of {SAMPLES} alternating reads; history pages of {PAGE} entries"
    )
    for name, make in reads.items():
        fresh_ms, returned_ms = _medians(make(fresh.instance_id), make(returned.instance_id))
        print(
            f"  {name:<26} fresh {fresh_ms:7.2f} ms   returned {returned_ms:7.2f} ms   "
            f"ratio {returned_ms / fresh_ms:5.2f}  (target <= 1.2)"
        )


def main() -> None:
    with databases() as urls:
        for label, url in urls:
            measure(label, url)


if __name__ == "__main__":
    main()
