"""Forms of moderation: reporting, the queue's bulk action, appeals and their decision."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from engage.core.forms import ChoiceField, Length, MultipleChoiceField, PlausibleDate
from engage.moderation.models import KIND_LABELS, REASON_LABELS
from engage.moderation.queue import STATUSES


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def reason_choices(empty_label=None) -> list[SelectChoice]:
    choices = [SelectChoice(reason.value, label) for reason, label in REASON_LABELS.items()]
    return [SelectChoice("", empty_label), *choices] if empty_label else choices


class FlagForm(FlaskForm):
    """Rendered by hand once per item (ids must differ); validated here."""

    reason = RadioField(
        _l("Why do you report this?"),
        choices=reason_choices(),
        validators=[InputRequired(message=_l("Please choose a reason."))],
    )
    text = TextAreaField(
        _l("Explanation (needed for “Other reason”)"),
        filters=[_strip],
        validators=[Optional(), Length(max=500)],
    )


STATUS_LABELS = {
    "open": _l("Needs a decision"),
    "flagged": _l("Reported"),
    "pending": _l("Waiting for approval"),
    "hidden": _l("Already hidden"),
}
# What each view lists, said under the filters (the hidden items wait for no decision).
STATUS_HINTS = {
    "open": _l("Reported posts and posts waiting for approval: they wait for your decision."),
    "flagged": _l(
        "Posts with open reports, still visible or hidden automatically until you decide."
    ),
    "pending": _l("First posts that are published only once you approve them."),
    "hidden": _l(
        "Posts that are hidden already, the most recently hidden first (at most "
        "200). They wait for no decision; those with open reports are also under "
        "“Needs a decision”. Here you can restore a post, for example after an appeal."
    ),
}


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = ChoiceField(
        _l("Show"), choices=[SelectChoice(s, STATUS_LABELS[s]) for s in STATUSES], default="open"
    )
    # Defaults for each: a link may name one filter only (?status=hidden).
    kind = ChoiceField(
        _l("Kind"),
        choices=[SelectChoice("", _l("All kinds"))]
        + [SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        default="",
    )
    reason = ChoiceField(
        _l("Reason of the reports"), choices=reason_choices(_l("All reasons")), default=""
    )


ACTION_LABELS = {
    "hide": _l("Hide"),
    "restore": _l("Restore (make visible again)"),
    "dismiss": _l("Dismiss the reports (content stays visible)"),
    "approve": _l("Approve (publish)"),
    "reject": _l("Reject (do not publish)"),
    "block": _l("Block the author and hide all their content"),
}


class BulkForm(FlaskForm):
    items = MultipleChoiceField(_l("Selected items"), validate_choice=False)
    # Not "action": a field of that name would shadow the form's action in the browser's DOM.
    operation = ChoiceField(
        _l("Action for the selected items"),
        choices=[SelectChoice(a, label) for a, label in ACTION_LABELS.items()],
    )
    reason_code = ChoiceField(
        _l("Reason (template)"),
        choices=reason_choices(_l("— no reason —")),
        description=_l("Needed to hide, reject or block. The author is told the reason."),
    )
    text = TextAreaField(
        _l("Additional explanation (optional)"), filters=[_strip], validators=[Length(max=400)]
    )
    until = DateField(
        _l("Block until (optional, only for blocking)"),
        validators=[Optional(), PlausibleDate()],
        description=_l("Leave empty to block until further notice."),
    )


class AppealForm(FlaskForm):
    text = TextAreaField(
        _l("Why should the decision be reviewed?"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Please explain why the decision should be reviewed.")),
            Length(max=2000),
        ],
    )


class AppealDecisionForm(FlaskForm):
    outcome = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("grant", _l("Grant: publish the content again")),
            SelectChoice("reject", _l("Reject: the decision stands")),
        ],
        validators=[InputRequired(message=_l("Please choose a decision."))],
    )
    answer = TextAreaField(
        _l("Answer to the author"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Please give a reason.")), Length(max=2000)],
    )


class HideAllForm(FlaskForm):
    reason_code = ChoiceField(
        _l("Reason (template)"),
        choices=reason_choices(),
        validators=[InputRequired(message=_l("Please choose a reason."))],
    )
    text = TextAreaField(
        _l("Additional explanation (optional)"), filters=[_strip], validators=[Length(max=400)]
    )
