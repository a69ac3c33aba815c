"""First contact to first appointment (ensikontakti → ajanvaraus): what its diagram cannot declare.

The client's contact details and chat thread (kept beside the case, erased when it closes),
the public contact form and chat pages, the phone-contact page for advisors, and demo data.
"""

from __future__ import annotations

from sote_flow.first_contact.contacts import PROCESS_KEY, client_contact
from sote_flow.first_contact.demo import seed_demo
from sote_flow.first_contact.erasure import erase_closed_contacts
from sote_flow.first_contact.visits import record_visit
from sote_flow.packages import ProcessPackage

PACKAGE = ProcessPackage(
    key=PROCESS_KEY,
    project=record_visit,
    client_contact=client_contact,
    housekeeping=erase_closed_contacts,
    seed_demo=seed_demo,
)
