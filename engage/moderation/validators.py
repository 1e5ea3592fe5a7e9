"""Form validators of the spam defences, shared by every form where users post text."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.validators import ValidationError


class LinkLimit:
    """New accounts may post only a few links at once (young, or few published posts).

    ``together`` names further fields of the same post whose links count too.
    """

    def __init__(self, together: tuple[str, ...] = ()):
        self.together = together

    def __call__(self, form, field) -> None:
        from engage.moderation.services import link_limit, too_many_links

        if not current_user or not current_user.is_authenticated:
            return
        texts = [field.data or ""] + [form[name].data or "" for name in self.together]
        if too_many_links(current_user, *texts):
            raise ValidationError(
                _l(
                    "New accounts may include at most %(n)d links in a post. Please remove "
                    "some links, or post them once you have taken part for a while.",
                    n=link_limit(current_user),
                )
            )
