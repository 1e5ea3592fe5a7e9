"""Forms of the information board."""

from __future__ import annotations

from datetime import UTC

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from engage.core.forms import ChoiceField, Length, PlausibleDate
from engage.core.types import LOCAL_TIMEZONE, optional_id


def _optional_int(value):
    return optional_id(value)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class AnnouncementForm(FlaskForm):
    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Please enter a title.")), Length(min=3, max=160)],
    )
    body = TextAreaField(
        _l("Text"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Please enter a text.")), Length(max=20000)],
        description=_l("Markdown is allowed: **bold**, lists with -, links."),
    )
    process_id = ChoiceField(_l("Participation process"), coerce=_optional_int)
    district_id = ChoiceField(_l("District"), coerce=_optional_int)
    pinned = BooleanField(_l("Pin to the top of the board"))
    publish_at = DateTimeLocalField(
        _l("Publish at (optional)"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional(), PlausibleDate()],
        description=_l("Leave empty to publish now. Times are German local time."),
    )

    def set_choices(self, processes, districts) -> None:
        self.process_id.choices = [SelectChoice("", _l("None (city-wide)"))] + [
            SelectChoice(str(p.id), p.title) for p in processes
        ]
        self.district_id.choices = [SelectChoice("", _l("Whole city"))] + [
            SelectChoice(str(d.id), d.name) for d in districts
        ]

    def publish_at_utc(self):
        if not self.publish_at.data:
            return None
        return self.publish_at.data.replace(tzinfo=LOCAL_TIMEZONE).astimezone(UTC)

    def show_publish_at(self, moment) -> None:
        self.publish_at.data = moment.astimezone(LOCAL_TIMEZONE).replace(tzinfo=None)


class AnnouncementFilterForm(FlaskForm):
    class Meta:
        csrf = False

    # Not "process": WTForms forms have a method of that name.
    process_id = ChoiceField(
        _l("Participation process"), coerce=_optional_int, validate_choice=False
    )
    district = ChoiceField(_l("District"), coerce=_optional_int, validate_choice=False)

    def set_choices(self, processes, districts) -> None:
        self.process_id.choices = [SelectChoice("", _l("All processes"))] + [
            SelectChoice(str(p.id), p.title) for p in processes
        ]
        self.district.choices = [SelectChoice("", _l("All districts"))] + [
            SelectChoice(str(d.id), d.name) for d in districts
        ]
