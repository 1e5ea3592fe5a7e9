"""Forms of the account pages; field limits match the database columns."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Optional

from engage.accounts.services import MIN_PASSWORD_LENGTH
from engage.core.forms import ChoiceField, Length

EMAIL_FIELD_KW = {
    "validators": [
        InputRequired(message=_l("Please enter your e-mail address.")),
        Length(max=254, message=_l("The e-mail address is too long.")),
        Email(message=_l("Please enter a valid e-mail address."), check_deliverability=False),
    ],
    "render_kw": {"autocomplete": "email"},
}


class PrefixedForm(FlaskForm):
    """A form with prefixed fields, so that several forms share one page without id clashes."""

    PREFIX = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.PREFIX)
        super().__init__(*args, **kwargs)


def _coerce_optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def new_password_field(label):
    return PasswordField(
        label,
        validators=[
            InputRequired(message=_l("Please choose a password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l("The password must be between 10 and 200 characters long."),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 10 characters. A short sentence is easy to remember."),
    )


class DistrictChoiceMixin:
    def set_district_choices(self, districts) -> None:
        self.district_id.choices = [SelectChoice("", _l("— not specified —"))] + [
            SelectChoice(str(d.id), d.name) for d in districts
        ]


class RegisterForm(DistrictChoiceMixin, FlaskForm):
    email = EmailField(_l("E-mail address"), **EMAIL_FIELD_KW)
    display_name = StringField(
        _l("Display name"),
        validators=[
            InputRequired(message=_l("Please enter a name.")),
            Length(min=2, max=80, message=_l("The name must be between 2 and 80 characters.")),
        ],
        description=_l("Shown next to your posts. You may use a pseudonym."),
        render_kw={"autocomplete": "nickname"},
    )
    password = new_password_field(_l("Password"))
    district_id = ChoiceField(
        _l("District (optional)"), coerce=_coerce_optional_int, validate_choice=True
    )
    accept_privacy = BooleanField(
        _l("Consent to the privacy policy"),
        validators=[InputRequired(message=_l("Please agree to the privacy policy."))],
    )
    # Humans never see this field (hidden by CSS); bots that fill it in are turned away.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])
    submit = SubmitField(_l("Create account"))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), **EMAIL_FIELD_KW)
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(message=_l("Please enter your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Stay logged in on this device"))
    submit = SubmitField(_l("Log in"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail address"), **EMAIL_FIELD_KW)
    submit = SubmitField(_l("Send reset link"))


class ResendVerificationForm(FlaskForm):
    submit = SubmitField(_l("Send the link again"))


class NewPasswordForm(FlaskForm):
    password = new_password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            InputRequired(message=_l("Please repeat the password.")),
            EqualTo("password", message=_l("The two passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Save password"))


class ChangePasswordForm(PrefixedForm, NewPasswordForm):
    PREFIX = "pw"
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(message=_l("Please enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Change password"))


class ChangeEmailForm(PrefixedForm):
    PREFIX = "mail"
    new_email = EmailField(_l("New e-mail address"), **EMAIL_FIELD_KW)
    password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(message=_l("Please enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Change e-mail address"))


class ProfileForm(DistrictChoiceMixin, PrefixedForm):
    PREFIX = "profile"
    display_name = RegisterForm.display_name
    district_id = ChoiceField(
        _l("District (optional)"), coerce=_coerce_optional_int, validate_choice=True
    )
    submit = SubmitField(_l("Save profile"))


class PreferencesForm(PrefixedForm):
    PREFIX = "prefs"
    locale = ChoiceField(
        _l("Language"),
        choices=[
            SelectChoice("", _l("As set in my browser")),
            SelectChoice("de", "Deutsch"),
            SelectChoice("en", "English"),
        ],
    )
    notify_frequency = RadioField(
        _l("E-mail notifications"),
        choices=[
            SelectChoice("immediately", _l("Immediately")),
            SelectChoice("daily", _l("Once a day (digest)")),
            SelectChoice("never", _l("Never (only on this website)")),
        ],
        validators=[InputRequired()],
    )
    notify_replies = BooleanField(_l("Replies to my posts and to threads I follow"))
    notify_official_answers = BooleanField(_l("Official answers to what I follow"))
    milestones_public = BooleanField(
        _l("Show my volunteering milestones (10, 50, 100 hours) on my public profile")
    )
    submit = SubmitField(_l("Save preferences"))


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(message=_l("Please enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Delete my account"))


class PlainActionForm(FlaskForm):
    """A form with only the CSRF token, for buttons such as log out."""

    submit = SubmitField(_l("Continue"))
