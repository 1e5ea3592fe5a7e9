"""Form fields shared by the features' forms."""

from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, SelectMultipleField, validators
from wtforms.validators import StopValidation, ValidationError

# WTForms' own words for a value that is not among the choices ("Ungültige Auswahl: Konnte
# nicht umwandeln.") read like an error of the software; a forged or outdated address
# (?district_id=abc) deserves a plain sentence.
NOT_OFFERED = _l("Please choose one of the entries offered.")


# An amount or a number of hours as people write it: digits with a decimal comma or point and
# perhaps thousands separators (2.500,50 or 2,500.50), no exponent and no word (Decimal itself
# would take "1e3", "NaN", "sNaN" and "Infinity", and a signalling NaN breaks the first
# comparison with a 500).
_WRITTEN_NUMBER = re.compile(r"[+-]?[0-9.,]+")
_SPACES = str.maketrans("", "", " \u00a0\u202f")  # (1 000: spaces that group digits)
_OTHER_MARK = {".": ",", ",": "."}


def parse_local_decimal(raw: str, language: str | None = None) -> Decimal | None:
    """A decimal as written in the reader's language, None when empty; ValueError else.

    A lone separator followed by three digits is read as the language writes thousands: in
    German "2.500" is 2500 and "2,500" is 2,5; in English the other way round. Otherwise a
    comma or a point is the decimal mark ("15,50", "15.50"); with both, the last one is
    (2.500,50 and 2,500.50); thousands come in groups of three ("1.000.000")."""
    raw = raw.strip().translate(_SPACES)
    if not raw:
        return None
    if not _WRITTEN_NUMBER.fullmatch(raw) or not any(c in "0123456789" for c in raw):
        raise ValueError(raw)
    sign, digits = (raw[0], raw[1:]) if raw[0] in "+-" else ("", raw)
    mark = _decimal_mark(digits, language or _reader_language())
    whole, _, fraction = digits.rpartition(mark) if mark in digits else (digits, "", "")
    groups = whole.split(_OTHER_MARK[mark])
    if fraction and not fraction.isdigit():
        raise ValueError(raw)  # (a second decimal mark)
    if whole and not all(group.isdigit() for group in groups):
        raise ValueError(raw)
    if len(groups) > 1 and (len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:])):
        raise ValueError(raw)
    return Decimal(f"{sign}{''.join(groups) or '0'}.{fraction or '0'}")


def _decimal_mark(digits: str, language: str) -> str:
    if "." in digits and "," in digits:
        return "." if digits.rfind(".") > digits.rfind(",") else ","
    separator = "." if "." in digits else "," if "," in digits else "."
    if digits.count(separator) > 1:  # (only thousands repeat)
        return _OTHER_MARK[separator]
    before, _, after = digits.partition(separator)
    thousands = "," if language == "en" else "."
    if separator == thousands and len(after) == 3 and 1 <= len(before) <= 3 and before != "0":
        return _OTHER_MARK[separator]
    return separator


def _reader_language() -> str:
    from flask import has_request_context
    from flask_babel import get_locale

    locale = get_locale() if has_request_context() else None
    return locale.language if locale is not None else "de"


class _RefusesPlainly:
    """Mixed into a select field: a value it does not offer is refused in plain language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(NOT_OFFERED)) from None

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(str(NOT_OFFERED)) from None


class ChoiceField(_RefusesPlainly, SelectField):
    """A select list that refuses a value it does not offer in plain language."""


class MultipleChoiceField(_RefusesPlainly, SelectMultipleField):
    """Several entries of a list, refused in plain language like ChoiceField."""


class PlausibleDate:
    """A date (or time) between the years 1900 and 2999.

    The browser's date field accepts 01.01.0001 or 31.12.9999; converting such a day to UTC
    or a day past it overflows Python's dates (a server error), and no participation happened
    then anyway."""

    FIRST, LAST = 1900, 2999

    def __call__(self, form, field) -> None:
        value = field.data
        if value is not None and not self.FIRST <= value.year <= self.LAST:
            raise ValidationError(str(_l("Please enter a date between the years 1900 and 2999.")))


class Length(validators.Length):
    """WTForms' Length, saying the limit as the field's hint does ("10.000") and how long the
    text is, instead of "Feld kann nicht länger als 10000 Zeichen sein"."""

    def __call__(self, form, field) -> None:
        length = len(field.data or "")
        too_long = self.max != -1 and length > self.max
        if self.message is not None or not (too_long or length < self.min):
            return super().__call__(form, field)
        if length < self.min:
            raise ValidationError(
                _("Please enter at least %(min)s characters.", min=format_decimal(self.min))
            )
        raise ValidationError(_(
            "At most %(max)s characters, please: this text has %(length)s.",
            max=format_decimal(self.max), length=format_decimal(length)))  # fmt: skip


class StopsWhenUnreadable:
    """Mixed into a number field: a value that cannot be read as a number gets that one message,
    not also the range validator's ("Number must be between 0 and 100000000") about a number
    nobody typed."""

    def pre_validate(self, form):
        super().pre_validate(form)
        # (an empty field is left to Optional or InputRequired, which clear this error)
        if self.process_errors and self.raw_data and str(self.raw_data[0]).strip():
            raise StopValidation()


class WholeNumberField(StopsWhenUnreadable, IntegerField):
    """A whole number, refused in plain language ("abc", "2,5")."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("Please enter a whole number, e.g. 5."))) from None
