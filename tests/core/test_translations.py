"""The German catalogue is complete: every message in code and templates is translated."""

from __future__ import annotations

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from tests.conftest import ROOT

CATALOGUE = ROOT / "engage/translations/de/LC_MESSAGES/messages.po"


def _read(path):
    with open(path, "rb") as handle:
        return read_po(handle)


def test_german_catalogue_has_no_missing_or_fuzzy_entry():
    catalogue = _read(CATALOGUE)
    missing = [m.id for m in catalogue if m.id and not m.string]
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
    translated = {m.id for m in _read(CATALOGUE) if m.id and m.string}
    assert sorted(extracted - translated, key=str) == []


def test_placeholders_survive_translation():
    import re

    for message in _read(CATALOGUE):
        if not message.id or isinstance(message.id, tuple):
            continue
        names = set(re.findall(r"%\((\w+)\)", message.id))
        assert names == set(re.findall(r"%\((\w+)\)", message.string)), message.id
