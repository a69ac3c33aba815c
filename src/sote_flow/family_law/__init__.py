"""Family-law remote service (perheoikeudelliset palvelut): what its diagram cannot declare.

The parents' contact details (kept beside the case, erased when it closes), meetings written
into the officer's calendar with their own video links, invitations and reminders, the
agreement rendered as a PDF and delivered through download links, the report's facts, the
public contact form and the officers' pages.
"""

from __future__ import annotations

from sote_flow.family_law.completion import complete_task
from sote_flow.family_law.contacts import PROCESS_KEY, client_contact
from sote_flow.family_law.demo import seed_demo
from sote_flow.family_law.projection import record_matter
from sote_flow.family_law.reminders import meeting_changed
from sote_flow.family_law.upkeep import run_upkeep
from sote_flow.packages import ProcessPackage

PACKAGE = ProcessPackage(
    key=PROCESS_KEY,
    project=record_matter,
    client_contact=client_contact,
    housekeeping=run_upkeep,
    seed_demo=seed_demo,
    complete_task=complete_task,
    calendar_change=meeting_changed,
)
