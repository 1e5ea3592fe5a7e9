"""The dashboard's filter form (GET, so no CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice
from wtforms.validators import Optional, ValidationError

from engage.boards.forms import _optional_int
from engage.core.forms import ChoiceField, PlausibleDate
from engage.reports.scope import ReportScope


class ReportFilterForm(FlaskForm):
    class Meta:
        csrf = False

    process_id = ChoiceField(_l("Participation process"), coerce=_optional_int)
    district_id = ChoiceField(_l("District"), coerce=_optional_int)
    department_id = ChoiceField(_l("Department"), coerce=_optional_int)
    since = DateField(_l("From"), validators=[Optional(), PlausibleDate()])
    until = DateField(_l("To"), validators=[Optional(), PlausibleDate()])

    def set_choices(self, processes, districts, departments) -> None:
        """Each of the three a list of (id, name) pairs."""
        everything = SelectChoice("", _l("All"))
        for field, pairs in ((self.process_id, processes), (self.district_id, districts),
                             (self.department_id, departments)):  # fmt: skip
            field.choices = [everything] + [SelectChoice(str(i), name) for i, name in pairs]

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end of the period must not lie before its start."))

    def scope(self, department_id: int | None = None) -> ReportScope:
        """The valid filters as a scope; invalid ones are ignored (and shown as errors)."""

        def ok(f):
            return None if f.errors else f.data

        return ReportScope(
            process_id=ok(self.process_id), district_id=ok(self.district_id),
            department_id=department_id or ok(self.department_id),
            since=ok(self.since), until=ok(self.until) if not self.until.errors else None,
        )  # fmt: skip
