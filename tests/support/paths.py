"""Paths to test diagrams and the project's processes."""

from pathlib import Path

DIAGRAMS = Path(__file__).parent / "diagrams"
PROCESSES = Path(__file__).resolve().parents[2] / "processes"
