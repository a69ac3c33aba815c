"""Service ordering (palvelutilaus): what its diagram cannot declare.

Its order projection and queue, the order actions besides tasks (take over, return to the
queue, cancel), the queue report, family-worker suggestions and administration, and demo data.
"""

from __future__ import annotations

from sote_flow.packages import ProcessPackage
from sote_flow.service_order import caseload, demo, projection, rules, suggestions
from sote_flow.service_order.replay import ORDER_REPLAY

PACKAGE = ProcessPackage(
    key=projection.PROCESS_KEY,
    handlers={"workers/suggest": suggestions.suggest_workers},
    project=projection.sync_service_order,
    case_state=projection.order_state,
    replay=ORDER_REPLAY,
    caseload=caseload.active_orders,
    seed_demo=demo.seed_demo,
    data_fields=projection.ACTION_FIELDS,
    complete_task=rules.check_task_dates,
    case_path=projection.order_path,
    start_warnings=rules.open_orders_of_client,
)
