"""Registry of personal data: each feature adds how to export and anonymise its own records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Exporter = Callable[[Any], Any]
Anonymiser = Callable[[Any], None]

_exporters: dict[str, Exporter] = {}
_anonymisers: list[Anonymiser] = []


def register_exporter(section: str, exporter: Exporter) -> None:
    """Add a section to the account export: exporter(user) returns JSON-serialisable data."""
    _exporters[section] = exporter


def register_anonymiser(anonymiser: Anonymiser) -> None:
    """Add a step to account deletion: anonymiser(user) removes the user's personal data."""
    if anonymiser not in _anonymisers:
        _anonymisers.append(anonymiser)


def export_user_data(user) -> dict[str, Any]:
    """Collect every registered section of the user's personal data."""
    return {section: exporter(user) for section, exporter in sorted(_exporters.items())}


def anonymise_user_data(user) -> None:
    """Run every registered anonymiser for the user (the account's own one last)."""
    for anonymiser in _anonymisers:
        anonymiser(user)


def registered_sections() -> list[str]:
    return sorted(_exporters)
