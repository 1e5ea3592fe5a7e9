"""Forms for offers and shifts."""

from __future__ import annotations

from datetime import UTC

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectChoice, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    ValidationError,
)

from engage.admin.forms import LocalDecimalField
from engage.boards.forms import _optional_int, _strip
from engage.core.forms import ChoiceField, Length, PlausibleDate, WholeNumberField
from engage.core.types import LOCAL_TIMEZONE


class OfferForm(FlaskForm):
    title = StringField(_l("Title"), filters=[_strip],
                        validators=[DataRequired(message=_l("Please enter a title.")),
                                    Length(5, 160)])  # fmt: skip
    description = TextAreaField(
        _l("What do volunteers do?"), filters=[_strip],
        validators=[DataRequired(message=_l("Please describe the task.")), Length(max=5000)],
    )  # fmt: skip
    requirements = TextAreaField(_l("Requirements (optional)"), filters=[_strip],
                                 validators=[Optional(), Length(max=2000)])  # fmt: skip
    min_age = WholeNumberField(_l("Minimum age (optional)"),
                               validators=[Optional(), NumberRange(0, 120)])  # fmt: skip
    department_id = ChoiceField(_l("Responsible department"), coerce=_optional_int)
    process_id = ChoiceField(_l("Participation process (optional)"), coerce=_optional_int)
    proposal_id = ChoiceField(
        _l("Grew from the proposal (optional)"), coerce=_optional_int,
        description=_l("Accepted proposals that this service puts into practice."),
    )  # fmt: skip
    district_id = ChoiceField(_l("District"), coerce=_optional_int)
    place = StringField(_l("Place"), filters=[_strip], validators=[Optional(), Length(max=200)])
    contact = StringField(_l("Contact"), filters=[_strip], validators=[Optional(), Length(max=200)])
    hour_value = LocalDecimalField(
        _l("Value of one volunteer hour in EUR (optional)"), places=2,
        validators=[Optional(), NumberRange(0, 1000)],
        description=_l("Leave empty to use the value from the settings."),
    )  # fmt: skip

    def set_choices(self, departments, districts, processes=(), proposals=()) -> None:
        self.department_id.choices = [SelectChoice(str(d.id), d.name) for d in departments]
        self.proposal_id.choices = [SelectChoice("", _l("None"))] + [
            SelectChoice(str(p.id), p.title) for p in proposals
        ]
        self.process_id.choices = [SelectChoice("", _l("None"))] + [
            SelectChoice(str(p.id), p.title) for p in processes
        ]
        self.district_id.choices = [SelectChoice("", _l("Whole city"))] + [
            SelectChoice(str(d.id), d.name) for d in districts
        ]


DATE = InputRequired(message=_l("Please enter a date."))


class EditShiftForm(FlaskForm):
    starts_at = DateTimeLocalField(
        _l("Start"), format="%Y-%m-%dT%H:%M", validators=[DATE, PlausibleDate()]
    )
    ends_at = DateTimeLocalField(
        _l("End"), format="%Y-%m-%dT%H:%M", validators=[DATE, PlausibleDate()]
    )
    capacity = WholeNumberField(_l("Places"), default=5,
                                validators=[InputRequired(message=_l("Please enter a number.")),
                                            NumberRange(1, 1000)])  # fmt: skip
    place = StringField(_l("Place (if different)"), filters=[_strip],
                        validators=[Optional(), Length(max=200)])  # fmt: skip

    def validate_ends_at(self, field) -> None:
        # Here, not only in services: the error then stands at the field, with what was typed.
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("A shift must end after it starts."))

    def utc(self, field):
        return field.data.replace(tzinfo=LOCAL_TIMEZONE).astimezone(UTC)

    @classmethod
    def for_shift(cls, shift):
        """The form filled with a shift's values, shown in local time."""
        return cls(formdata=None, starts_at=shift.starts_at.astimezone(LOCAL_TIMEZONE),
                   ends_at=shift.ends_at.astimezone(LOCAL_TIMEZONE), capacity=shift.capacity,
                   place=shift.place)  # fmt: skip


class ShiftForm(EditShiftForm):
    weeks = WholeNumberField(
        _l("Repeat weekly (number of weeks)"), default=1,
        validators=[InputRequired(message=_l("Please enter the number of weeks.")),
                    NumberRange(1, 52)],
    )  # fmt: skip


class CancelShiftForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (sent to the volunteers)"), filters=[_strip],
        validators=[DataRequired(message=_l("Please give a reason.")), Length(max=500)],
    )  # fmt: skip
