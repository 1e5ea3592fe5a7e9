"""Form fields shared by the features' forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField
from wtforms.validators import ValidationError

# WTForms' own words for a value that is not among the choices ("Ungültige Auswahl: Konnte
# nicht umwandeln.") read like an error of the software; a forged or outdated address
# (?district_id=abc) deserves a plain sentence.
NOT_OFFERED = _l("Please choose one of the entries offered.")


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
