"""The German catalogue is complete: every message in code and templates is translated."""

from __future__ import annotations

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from tests.conftest import ROOT

CATALOGUE = ROOT / "engage/translations/de/LC_MESSAGES/messages.po"


def _read(path):
    with open(path, "rb") as handle:
        return read_po(handle)


def _translated(message) -> bool:
    """Every form is filled in (plural messages have one string per form)."""
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(forms)


def test_german_catalogue_has_no_missing_or_fuzzy_entry():
    catalogue = _read(CATALOGUE)
    missing = [m.id for m in catalogue if m.id and not _translated(m)]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert missing == []
    assert fuzzy == []


def test_every_message_in_the_code_is_in_the_catalogue(tmp_path):
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "--quiet", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l",
         "-k", "lazy_gettext", "-o", str(pot), "--no-location", str(ROOT)]
    )  # fmt: skip
    extracted = {m.id for m in _read(pot) if m.id}
    translated = {m.id for m in _read(CATALOGUE) if m.id and _translated(m)}
    assert sorted(extracted - translated, key=str) == []


def test_placeholders_survive_translation():
    import re

    for message in _read(CATALOGUE):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        names = set(re.findall(r"%\((\w+)\)", ids[-1]))
        for string in strings:
            assert names == set(re.findall(r"%\((\w+)\)", string)), message.id


def test_moments_show_the_full_year_and_a_shift_on_one_day_names_it_once(app):
    from datetime import UTC, datetime

    from engage.i18n import local_datetime, time_range

    start = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert local_datetime(start, "short") == "05.12.2026, 10:00"
        assert time_range(start, start.replace(hour=12)) == "05.12.2026, 10:00–13:00"
        assert time_range(start, start.replace(day=6)) == "05.12.2026, 10:00 – 06.12.2026, 10:00"
