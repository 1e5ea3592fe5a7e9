"""The proposal form: problem, idea, intended effect and how to measure it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from engage.admin.forms import LocalDecimalField
from engage.boards.forms import _optional_int, _strip
from engage.core.forms import ChoiceField, Length
from engage.moderation.validators import LinkLimit
from engage.proposals.models import CATEGORIES, ProposalStatus

# The parts a submitted proposal must have (with their labels); a draft may leave them empty.
COMPLETE_PARTS = {
    "problem": _l("What is the problem?"),
    "idea": _l("What is your idea?"),
    "intended_outcome": _l("What effect should it have?"),
    "indicator": _l("How would we know it worked? (indicator)"),
}


def _required(message):
    return DataRequired(message=message)


class ProposalForm(FlaskForm):
    title = StringField(
        _l("Title"), filters=[_strip],
        validators=[_required(_l("Please enter a title.")),
                    Length(5, 160, message=_l("The title must be 5 to 160 characters long."))],
    )  # fmt: skip
    problem = TextAreaField(
        COMPLETE_PARTS["problem"], filters=[_strip],
        validators=[_required(_l("Please describe the problem.")), Length(max=5000)],
        description=_l("What does not work well today, and for whom?"),
    )  # fmt: skip
    idea = TextAreaField(
        COMPLETE_PARTS["idea"], filters=[_strip],
        validators=[_required(_l("Please describe your idea.")), Length(max=5000),
                    LinkLimit(together=("problem", "intended_outcome"))],
    )  # fmt: skip
    intended_outcome = TextAreaField(
        COMPLETE_PARTS["intended_outcome"], filters=[_strip],
        validators=[_required(_l("Please describe the intended effect.")), Length(max=3000)],
        description=_l("Describe the change people would notice, e.g. “children cross safely”."),
    )  # fmt: skip
    indicator = StringField(
        COMPLETE_PARTS["indicator"], filters=[_strip],
        validators=[_required(_l("Please name something we can measure.")), Length(max=300)],
        description=_l("Something we can count or measure, e.g. “cars faster than 30 km/h”."),
    )  # fmt: skip
    baseline = StringField(_l("Today's value (baseline)"), filters=[_strip],
                           validators=[Optional(), Length(max=100)])  # fmt: skip
    target = StringField(_l("Target value"), filters=[_strip],
                         validators=[Optional(), Length(max=100)])  # fmt: skip
    district_id = ChoiceField(_l("District"), coerce=_optional_int)
    # No category chosen in advance: the first one offered was kept by everyone who skipped
    # the field (a mobility idea filed under green spaces).
    category = ChoiceField(
        _l("Category"),
        choices=[SelectChoice("", _l("Please choose a category"))]
        + [SelectChoice(k, v) for k, v in CATEGORIES.items()],
        validators=[_required(_l("Please choose a category."))],
    )
    cost_estimate = LocalDecimalField(
        _l("Estimated cost in EUR (optional)"), places=2,
        validators=[Optional(), NumberRange(0, 100_000_000, message=_l(
            "Please enter an amount from 0 to 100 million euros."))],
    )  # fmt: skip

    def validate_for(self, action: str) -> bool:
        """Validate for submitting, or for a draft: a draft may leave the parts of the proposal
        empty that a submitted one needs (services.COMPLETE_PARTS); it needs its title."""
        ok = self.validate()
        if action != "draft":
            return ok
        for name in (*COMPLETE_PARTS, "category"):
            if not self[name].data:
                self[name].errors = []
        return not any(field.errors for field in self)

    def set_choices(self, districts) -> None:
        self.district_id.choices = [SelectChoice("", _l("Whole city"))] + [
            SelectChoice(str(d.id), d.name) for d in districts
        ]


class MoveForm(FlaskForm):
    to_status = ChoiceField(_l("New state"))
    note = TextAreaField(
        _l("Note (shown publicly)"), filters=[_strip],
        validators=[_required(_l("Please explain this step in a note; it is shown publicly.")),
                    Length(max=5000)],
    )  # fmt: skip

    def set_choices(self, states) -> None:
        self.to_status.choices = [SelectChoice(s.value, s.label) for s in states]


class ProposalFilterForm(FlaskForm):
    class Meta:
        csrf = False

    process_id = ChoiceField(_l("Participation process"), coerce=_optional_int,
                             validate_choice=False)  # fmt: skip
    district = ChoiceField(_l("District"), coerce=_optional_int, validate_choice=False)
    status = ChoiceField(_l("State"), validate_choice=False)
    category = ChoiceField(_l("Category"), validate_choice=False)
    sort = ChoiceField(
        _l("Sort by"),
        choices=[
            SelectChoice("supports", _l("Most supported")),
            SelectChoice("newest", _l("Newest")),
            SelectChoice("discussed", _l("Most discussed")),
            SelectChoice("answered", _l("Recently answered")),
        ],
        validate_choice=False,
    )

    def set_choices(self, processes, districts) -> None:
        self.process_id.choices = [SelectChoice("", _l("All processes"))] + [
            SelectChoice(str(p.id), p.title) for p in processes
        ]
        self.district.choices = [SelectChoice("", _l("All districts"))] + [
            SelectChoice(str(d.id), d.name) for d in districts
        ]
        self.status.choices = [SelectChoice("", _l("All states"))] + [
            SelectChoice(s.value, s.label) for s in ProposalStatus if s != ProposalStatus.DRAFT
        ]
        self.category.choices = [SelectChoice("", _l("All categories"))] + [
            SelectChoice(k, v) for k, v in CATEGORIES.items()
        ]


class ResultForm(FlaskForm):
    measured_value = StringField(
        _l("Measured value of the indicator"), filters=[_strip],
        validators=[_required(_l("Please enter the measured value.")), Length(max=100)],
    )  # fmt: skip
    evaluation = TextAreaField(
        _l("Short evaluation"), filters=[_strip],
        validators=[_required(_l("Please write a short evaluation.")), Length(max=5000)],
        description=_l("Did it have the intended effect? What was learned?"),
    )  # fmt: skip


class RatingForm(FlaskForm):
    stars = RadioField(
        _l("How well did it work?"),
        choices=[SelectChoice(str(n), label) for n, label in [
            (1, _l("1 – not at all")), (2, _l("2 – a little")), (3, _l("3 – partly")),
            (4, _l("4 – well")), (5, _l("5 – very well"))]],
        validators=[InputRequired(message=_l("Please choose a rating."))],
    )  # fmt: skip
