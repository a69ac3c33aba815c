"""The 21 municipalities of Lapland's wellbeing services county (Lapin hyvinvointialue).

Finnish names in the order of reference/municipalities.csv; family-law matters come from these
municipalities and the child welfare officers' offices are in them.
"""

from __future__ import annotations

LAPLAND_MUNICIPALITIES: tuple[str, ...] = (
    "Enontekiö",
    "Inari",
    "Kemi",
    "Kemijärvi",
    "Keminmaa",
    "Kittilä",
    "Kolari",
    "Muonio",
    "Pelkosenniemi",
    "Pello",
    "Posio",
    "Ranua",
    "Rovaniemi",
    "Salla",
    "Savukoski",
    "Simo",
    "Sodankylä",
    "Tervola",
    "Tornio",
    "Utsjoki",
    "Ylitornio",
)
