"""The form for creating and editing a participation process."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp, ValidationError

from engage.core.forms import ChoiceField, Length, PlausibleDate, WholeNumberField
from engage.core.types import optional_id
from engage.processes.models import PhaseKind
from engage.processes.services import PhaseDates


def _optional_int(value):
    return optional_id(value)


class ProcessForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[InputRequired(message=_l("Please enter a title.")), Length(min=5, max=160)],
    )
    slug = StringField(
        _l("Web address (optional)"),
        validators=[
            Optional(),
            Length(max=80),
            Regexp(r"^[a-z0-9-]+$", message=_l("Only small letters a–z, digits and hyphens.")),
        ],
        description=_l(
            "Made from the title when left empty, e.g. “gruenes-nordviertel”. "
            "A changed address leaves the old one leading here."
        ),
    )
    summary = TextAreaField(
        _l("Summary"),
        validators=[InputRequired(message=_l("Please enter a summary.")), Length(max=500)],
        description=_l("One or two sentences shown in lists."),
    )
    body = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=20000)],
        description=_l("What is it about, what can be decided, what happens with the results? "
                       "Markdown is allowed."),
    )  # fmt: skip
    department_id = ChoiceField(_l("Responsible department"), coerce=_optional_int)
    district_id = ChoiceField(_l("District"), coerce=_optional_int)
    support_threshold = WholeNumberField(
        _l("Support threshold"),
        default=50,
        validators=[InputRequired(message=_l("Please enter a number.")), NumberRange(0, 1000000)],
        description=_l("Proposals with this many supports must be answered by the department."),
    )
    answer_deadline_days = WholeNumberField(
        _l("Answer deadline (days)"),
        default=30,
        validators=[InputRequired(message=_l("Please enter a number.")), NumberRange(1, 365)],
    )
    premoderated = BooleanField(
        _l("Pre-moderation: posts wait for a moderator's approval"),
        description=_l("For sensitive topics. Posts of staff are published at once."),
    )

    def set_choices(self, departments, districts) -> None:
        self.department_id.choices = [SelectChoice(str(d.id), d.name) for d in departments]
        self.district_id.choices = [SelectChoice("", _l("Whole city"))] + [
            SelectChoice(str(d.id), d.name) for d in districts
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Six "Start" and six "End" fields: the error summary names the phase of each.
        for kind, start, end in self.phase_fields():
            for date_field in (start, end):
                date_field.summary_label = f"{kind.label} – {date_field.label.text}"

    def phase_fields(self):
        """(kind, start field, end field) for every phase kind, in order."""
        return [
            (kind, self[f"{kind.value}_start"], self[f"{kind.value}_end"]) for kind in PhaseKind
        ]

    def phase_dates(self) -> list[PhaseDates]:
        return [
            PhaseDates(kind, start.data, end.data)
            for kind, start, end in self.phase_fields()
            if start.data and end.data
        ]

    def fill_phases(self, phases) -> None:
        for phase in phases:
            self[f"{phase.kind}_start"].data = phase.starts_on
            self[f"{phase.kind}_end"].data = phase.ends_on

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for _kind, start, end in self.phase_fields():
            if bool(start.data) != bool(end.data):
                missing = end if start.data else start
                missing.errors = [*missing.errors, _l("Please enter both dates of the phase.")]
                ok = False
        return ok


def _date_field(label):
    return DateField(label, validators=[Optional(), PlausibleDate()], format="%Y-%m-%d")


for _kind in PhaseKind:
    setattr(ProcessForm, f"{_kind.value}_start", _date_field(_l("Start")))
    setattr(ProcessForm, f"{_kind.value}_end", _date_field(_l("End")))


class ProcessFilterForm(FlaskForm):
    """The filters above the process list (a GET form without CSRF)."""

    class Meta:
        csrf = False

    district = ChoiceField(_l("District"), coerce=_optional_int, validate_choice=False)
    department = ChoiceField(_l("Department"), coerce=_optional_int, validate_choice=False)
    phase = ChoiceField(_l("Phase"), validate_choice=False)

    def set_choices(self, departments, districts) -> None:
        self.district.choices = [SelectChoice("", _l("All districts"))] + [
            SelectChoice(str(d.id), d.name) for d in districts
        ]
        self.department.choices = [SelectChoice("", _l("All departments"))] + [
            SelectChoice(str(d.id), d.name) for d in departments
        ]
        self.phase.choices = (
            [SelectChoice("", _l("All phases"))]
            + [SelectChoice(kind.value, kind.label) for kind in PhaseKind]
            + [SelectChoice("upcoming", _l("Not started yet")),
               SelectChoice("finished", _l("Finished"))]
        )  # fmt: skip


__all__ = ["ProcessForm", "ProcessFilterForm", "ValidationError"]
