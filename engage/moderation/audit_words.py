"""The audit log in words: what an entry's action, target and details mean, for the log page.

The entries keep their codes ("moderation.hide", {"hours": "1.5"}): the hash chain covers
them, and they stay the same in every language. Only the page translates them.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from engage.i18n import local_datetime

_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")  # a stored moment (ISO, UTC)

ACTIONS = {
    "announcement.create": _l("Announcement written"),
    "announcement.publish": _l("Announcement published"),
    "announcement.update": _l("Announcement changed"),
    "appeal.granted": _l("Appeal granted"),
    "appeal.rejected": _l("Appeal rejected"),
    "department.create": _l("Department created"),
    "department.update": _l("Department renamed"),
    "department.delete": _l("Department deleted"),
    "district.create": _l("District created"),
    "district.update": _l("District renamed"),
    "district.delete": _l("District deleted"),
    "moderation.hide": _l("Hidden"),
    "moderation.restore": _l("Restored"),
    "moderation.dismiss": _l("Reports dismissed"),
    "moderation.approve": _l("Approved"),
    "moderation.reject": _l("Not published (rejected)"),
    "moderation.auto_hide": _l("Hidden automatically (reports)"),
    "offer.create": _l("Volunteer offer created"),
    "offer.update": _l("Volunteer offer changed"),
    "process.create": _l("Process created"),
    "process.publish": _l("Process published"),
    "process.update": _l("Process changed"),
    "process.delete": _l("Process deleted"),
    "proposal.result": _l("Proposal: result recorded"),
    "settings.update": _l("Settings changed"),
    "shift.update": _l("Shift changed"),
    "shift.cancel": _l("Shift cancelled"),
    "signup.attendance": _l("Attendance recorded"),
    "thread.close": _l("Discussion closed"),
    "thread.reopen": _l("Discussion reopened"),
    "thread.official_answer": _l("Official answer"),
    "user.block": _l("Person blocked"),
    "user.unblock": _l("Block lifted"),
    "user.invite": _l("Person invited"),
    "user.invite_resend": _l("Invitation sent again"),
    "user.update": _l("Role or assignment changed"),
}

TARGETS = {
    "announcement": _l("Announcement"),
    "appeal": _l("Appeal"),
    "comment": _l("Reply or comment"),
    "department": _l("Department"),
    "district": _l("District"),
    "process": _l("Process"),
    "proposal": _l("Proposal"),
    "serviceoffer": _l("Volunteer offer"),
    "shift": _l("Shift"),
    "signup": _l("Sign-up"),
    "thread": _l("Discussion"),
    "user": _l("Person"),
}

DETAILS = {
    "blocked": _l("blocked"),
    "capacity": _l("places"),
    "comment_id": _l("comment"),
    "decision_id": _l("decision"),
    "department_id": _l("department"),
    "district_id": _l("district"),
    "fields": _l("fields"),
    "hours": _l("hours"),
    "name": _l("name"),
    "offer": _l("offer"),
    "old_name": _l("old name"),
    "reason_code": _l("reason"),
    "role": _l("role"),
    "starts_at": _l("start"),
    "status": _l("state"),
    "title": _l("title"),
    "until": _l("until"),
    "value": _l("value"),
}


def action_label(code: str) -> str:
    """The action in words; a proposal's step by the state it reached."""
    if code in ACTIONS:
        return str(ACTIONS[code])
    kind, _dot, step = code.partition(".")
    if kind == "proposal":
        from engage.proposals.models import ProposalStatus

        try:
            return str(_l("Proposal: %(state)s", state=ProposalStatus(step).label))
        except ValueError:
            pass
    return code


def target_label(target_type: str, target_id: int | None) -> str:
    if not target_type:
        return ""
    name = str(TARGETS.get(target_type, target_type))
    return f"{name} {target_id}" if target_id else name


def details_of(details: str) -> list[tuple[str, str]]:
    """The entry's details as (label, value) pairs; a change [old, new] reads "old → new"."""
    try:
        values = json.loads(details or "{}")
    except ValueError:
        return [("", details)]
    if not isinstance(values, dict):
        return [("", details)]
    # (An empty detail, such as no reason given, says nothing: it is left out. A missing end,
    # null, stays: "until –" is a block without end.)
    return [(str(DETAILS.get(key, key)), _value(value, key)) for key, value in values.items()
            if value != ""]  # fmt: skip


def _coded(key: str, code: str) -> str | None:
    """A stored code (a reason, a role, a sign-up's state) in words; None if it is none."""
    from engage.accounts.models import Role
    from engage.moderation.models import Reason
    from engage.volunteering.models import SignupStatus

    kinds = {"reason_code": Reason, "role": Role, "status": SignupStatus}
    try:
        return str(kinds[key](code).label) if key in kinds else None
    except ValueError:
        return None


def _value(value, key: str = "") -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, str) and _coded(key, value):
        return _coded(key, value)
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if isinstance(value, list):
        return " → ".join(_value(item, key) for item in value) if len(value) == 2 else ", ".join(
            _value(item, key) for item in value)  # fmt: skip
    if isinstance(value, int | float):
        return format_decimal(value)
    text = str(value)
    if _MOMENT.match(text):  # a moment as stored (ISO, UTC): in local time, as elsewhere
        try:
            return local_datetime(datetime.fromisoformat(text), "short")
        except ValueError:
            return text
    try:
        return format_decimal(float(text)) if text.replace(".", "", 1).isdigit() else text
    except ValueError:
        return text
