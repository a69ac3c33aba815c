"""The case lifecycle (vireillepano → selvitys → päätös → palvelu) and productised client work:
what its diagram cannot declare.

The case's facts for work records and reports, performed work as events (from the calendars
too), the product catalogue with prices valid from–to, and the reports per purchasing
municipality.
"""

from __future__ import annotations

from sote_flow.client_case.completion import complete_task
from sote_flow.client_case.demo import seed_demo
from sote_flow.client_case.facts import PROCESS_KEY, record_case
from sote_flow.packages import ProcessPackage

PACKAGE = ProcessPackage(
    key=PROCESS_KEY,
    project=record_case,
    complete_task=complete_task,
    seed_demo=seed_demo,
)
