"""Labels of a contact's topics and channels, in the page's language."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

# The start form's topics (processes/first_contact-start.json), in its order.
TOPIC_LABELS: dict[str, Any] = {
    "arki": _l("Arjen sujuminen ja jaksaminen"),
    "kasvatus": _l("Lapsen kasvatus ja kehitys"),
    "nuori": _l("Nuoren tilanne"),
    "vamma": _l("Vammaisuus ja toimintakyky"),
    "muu": _l("Muu asia"),
}
CHANNEL_LABELS: dict[str, Any] = {
    "phone": _l("Puhelin"),
    "form": _l("Yhteydenottolomake"),
    "chat": _l("Chat"),
}


def label_helpers() -> dict[str, Any]:
    """Template helpers naming topics and channels."""
    return {
        "topic_labels": TOPIC_LABELS,
        "topic_label": lambda key: TOPIC_LABELS.get(key or "", key or ""),
        "channel_label": lambda key: CHANNEL_LABELS.get(key, key),
    }
