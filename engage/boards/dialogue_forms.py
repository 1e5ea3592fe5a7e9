"""Forms of the dialogue board."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired

from engage.boards.forms import _optional_int, _strip
from engage.core.forms import ChoiceField, Length
from engage.moderation.validators import LinkLimit

MAX_POST_LENGTH = 10000


class ThreadForm(FlaskForm):
    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Please enter a title.")),
            Length(min=5, max=160, message=_l("The title must be 5 to 160 characters long.")),
        ],
        description=_l("A short question or topic, e.g. “Where can I park my bike safely?”"),
    )
    body = TextAreaField(
        _l("Your post"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Please enter a text.")),
                    Length(max=MAX_POST_LENGTH), LinkLimit()],
        description=_l("Markdown is allowed: **bold**, lists with -, links."),
    )  # fmt: skip
    process_id = ChoiceField(_l("Participation process"), coerce=_optional_int)

    def set_choices(self, processes) -> None:
        self.process_id.choices = [SelectChoice("", _l("City-wide dialogue"))] + [
            SelectChoice(str(p.id), p.title) for p in processes
        ]


class ReplyForm(FlaskForm):
    body = TextAreaField(
        _l("Your reply"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Please enter a text.")),
                    Length(max=MAX_POST_LENGTH), LinkLimit()],
    )  # fmt: skip
    parent_id = HiddenField(filters=[_optional_int])
    official = BooleanField(_l("Mark as official answer of my department"))


class EditPostForm(FlaskForm):
    """Editing a reply (text only); EditThreadForm adds the title."""

    body = TextAreaField(
        _l("Your post"),  # (as when it was written)
        filters=[_strip],
        validators=[DataRequired(message=_l("Please enter a text.")),
                    Length(max=MAX_POST_LENGTH), LinkLimit()],
    )  # fmt: skip


class CloseForm(FlaskForm):
    reason = StringField(
        _l("Reason for closing"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Please give a reason.")), Length(max=500)],
    )


class ThreadFilterForm(FlaskForm):
    class Meta:
        csrf = False

    process_id = ChoiceField(
        _l("Participation process"), coerce=_optional_int, validate_choice=False
    )
    state = ChoiceField(
        _l("State"),
        choices=[
            SelectChoice("", _l("All")),
            SelectChoice("unanswered", _l("Not answered yet")),
            SelectChoice("answered", _l("Answered")),
            SelectChoice("closed", _l("Closed")),
        ],
        validate_choice=False,
    )

    def set_choices(self, processes) -> None:
        self.process_id.choices = [SelectChoice("", _l("All discussions"))] + [
            SelectChoice(str(p.id), p.title) for p in processes
        ]


class EditThreadForm(EditPostForm):
    title = ThreadForm.title
