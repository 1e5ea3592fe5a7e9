"""Number fields: one plain message for what is not a number, nothing for an optional empty
field (the e2e offer form left "Mindestalter" empty and could not be saved)."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from engage.volunteering.forms import OfferForm, ShiftForm


def _errors(app, form_class, **fields) -> dict:
    with app.test_request_context():
        form = form_class(MultiDict(fields), meta={"csrf": False})
        if isinstance(form, OfferForm):
            form.set_choices([], [])
        form.validate()
        return dict(form.errors)


def test_number_fields_give_one_plain_message(app):
    errors = _errors(app, ShiftForm, capacity="abc", weeks="")
    assert errors["capacity"] == ["Bitte geben Sie eine ganze Zahl ein, z. B. 5."]
    assert errors["weeks"] == ["Bitte geben Sie die Zahl der Wochen ein."]
    assert _errors(app, ShiftForm, capacity="0")["capacity"] == [
        "Zahl muss zwischen 1 und 1000 liegen."
    ]


def test_optional_number_fields_may_stay_empty(app):
    errors = _errors(app, OfferForm, min_age="", hour_value="")
    assert "min_age" not in errors and "hour_value" not in errors
    assert _errors(app, OfferForm, min_age="zwölf")["min_age"] == [
        "Bitte geben Sie eine ganze Zahl ein, z. B. 5."
    ]
