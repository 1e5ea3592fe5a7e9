"""Forms of the administration pages."""

from __future__ import annotations

from pathlib import Path

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    EmailField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import TextInput

from engage.accounts.forms import PlainActionForm, PrefixedForm
from engage.accounts.models import ROLE_LABELS, Role
from engage.core.forms import (
    ChoiceField,
    Length,
    PlausibleDate,
    StopsWhenUnreadable,
    WholeNumberField,
    parse_local_decimal,
)
from engage.core.types import optional_id


def _strip(value):
    return value.strip() if isinstance(value, str) else value


REQUIRED = DataRequired(message=_l("Please fill in this field."))


class LocalDecimalField(StopsWhenUnreadable, DecimalField):
    """A decimal that also accepts the German comma (15,50), written plainly (no "1e3").

    A text field (with the phone's number keyboard), not <input type=number>: a browser whose
    language is not German reads "15,50" typed there as 1550."""

    widget = TextInput()

    def __init__(self, *args, render_kw=None, **kwargs):
        super().__init__(*args, render_kw={"inputmode": "decimal", **(render_kw or {})}, **kwargs)

    def _value(self):
        if self.raw_data or self.data is None or self.places is None:
            return super()._value()
        # In the reader's notation without grouping: "15,50" in German (read back as typed).
        return format_decimal(self.data, format="0." + "0" * self.places)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist:
            return
        try:
            self.data = parse_local_decimal(valuelist[0])
        except ValueError as error:
            raise ValueError(str(_l("Please enter an amount, e.g. 15,50."))) from error


def _static_file_exists(form, field):
    from flask import current_app

    folder = Path(current_app.static_folder).resolve()
    try:
        target = (folder / (field.data or "")).resolve()
        found = folder in target.parents and target.is_file()
    except (OSError, ValueError):  # a name too long for the file system, or with a NUL byte
        found = False
    if not found:
        raise ValidationError(_l("There is no such file in static/img/."))


def _optional_int(value):
    return optional_id(value)


def role_choices(roles=tuple(Role)):
    return [SelectChoice(role.value, ROLE_LABELS[role]) for role in roles]


def optional_choices(items, empty_label):
    return [SelectChoice("", empty_label)] + [SelectChoice(str(i.id), i.name) for i in items]


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name or e-mail"), validators=[Optional(), Length(max=100)])
    role = ChoiceField(_l("Role"), validate_choice=False)


class UserEditForm(PrefixedForm):
    PREFIX = "user"
    role = ChoiceField(_l("Role"))
    department_id = ChoiceField(_l("Department"), coerce=_optional_int)
    district_id = ChoiceField(_l("District"), coerce=_optional_int)


class BlockForm(PrefixedForm):
    PREFIX = "block"
    reason = TextAreaField(
        _l("Reason"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Please give a reason.")), Length(max=500)],
        description=_l("The user is told this reason."),
    )
    until = DateField(
        _l("Blocked until (optional)"),
        validators=[Optional(), PlausibleDate()],
        description=_l("Leave empty to block until further notice."),
    )


class UnblockForm(PrefixedForm):
    PREFIX = "unblock"
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=500)])


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            InputRequired(message=_l("Please enter the e-mail address.")),
            Length(max=254),
            Email(message=_l("Please enter a valid e-mail address."), check_deliverability=False),
        ],
    )
    display_name = StringField(
        _l("Name"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Please enter a name.")), Length(min=2, max=80)],
    )
    role = ChoiceField(_l("Role"))
    department_id = ChoiceField(
        _l("Department"),
        coerce=_optional_int,
        description=_l("Staff and moderators work for a department."),
    )


class NamedItemForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Please enter a name.")), Length(min=2, max=120)],
    )
    short_name = StringField(
        _l("Short name"), filters=[_strip], validators=[Optional(), Length(max=40)]
    )


class SettingsForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            # Spaces alone are no name: strip every text before validation.
            if unbound_field.field_class in (StringField, TextAreaField, EmailField):
                options["filters"] = [*options.get("filters", ()), _strip]
            return unbound_field.bind(form=form, **options)

    municipality_name = StringField(
        _l("Name of the municipality"), validators=[REQUIRED, Length(max=120)]
    )
    logo_path = StringField(
        _l("Logo file"),
        validators=[
            REQUIRED,
            Length(max=200),
            Regexp(r"^img/[A-Za-z0-9_.-]+\.(svg|png)$", message=_l("A file in static/img/.")),
            _static_file_exists,
        ],
        description=_l("An SVG or PNG file in the folder static/img/, e.g. img/logo.svg."),
    )
    contact_email = EmailField(
        _l("Contact e-mail"),
        validators=[REQUIRED, Email(check_deliverability=False), Length(max=254)],
    )
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=60)])
    address = StringField(_l("Postal address"), validators=[REQUIRED, Length(max=300)])
    imprint_responsible = StringField(
        _l("Responsible for the content"), validators=[REQUIRED, Length(max=300)]
    )
    imprint_extra = TextAreaField(
        _l("Further imprint details"),
        validators=[Optional(), Length(max=5000)],
        description=_l("E.g. supervisory authority, VAT number. Markdown is allowed."),
    )
    privacy_officer = StringField(
        _l("Data protection officer (contact)"), validators=[Optional(), Length(max=300)]
    )
    accessibility_email = EmailField(
        _l("Contact for accessibility feedback"),
        validators=[REQUIRED, Email(check_deliverability=False), Length(max=254)],
    )
    volunteer_hour_value = LocalDecimalField(
        _l("Value of one volunteer hour (EUR)"),
        places=2,
        validators=[
            InputRequired(message=_l("Please enter an amount, e.g. 15,50.")),
            NumberRange(0, 1000),
        ],
        description=_l("Used to estimate the costs saved by co-production."),
    )
    flag_threshold = WholeNumberField(
        _l("Reports before content is hidden"),
        validators=[InputRequired(message=_l("Please enter a number.")), NumberRange(1, 100)],
    )
    premoderated_first_posts = WholeNumberField(
        _l("Pre-moderated first posts of new users"),
        validators=[InputRequired(message=_l("Please enter a number.")), NumberRange(0, 100)],
    )


__all__ = ["PlainActionForm"]
