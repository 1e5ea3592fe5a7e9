"""What the layout (templates/base.html) asks on every page, each in one call.

The layout around a page cost a logged-in request a quarter of its throughput in bench/run
(2026-12-03: a logged-in no-op 0.53 of the baseline, the same with the layout 0.39): much of
it was Jinja calling a function for every part of the header's key, and building the same
three asset addresses each time.
"""

from __future__ import annotations

from flask import current_app, request, session, url_for
from flask_login import current_user

_STATIC_URLS: dict[tuple[str, str], str] = {}


def static_url(filename: str) -> str:
    """url_for("static", filename=...), built once per application root and file."""
    key = (request.script_root, filename)
    url = _STATIC_URLS.get(key)
    if url is None:
        url = _STATIC_URLS[key] = url_for("static", filename=filename)
    return url


def header_key(unread: int) -> tuple:
    """Everything the kept header shows differently: the address (the language switch's way
    back), logged in or not, the unread count and the links the user's rights add."""
    from engage.accounts import permissions
    from engage.moderation import permissions as moderation
    from engage.reports.permissions import can_view_reports

    user = current_user._get_current_object()
    return (request.full_path, user.is_authenticated, unread, permissions.is_staff(user),
            can_view_reports(user), moderation.can_moderate(user),
            permissions.can_administer(user))  # fmt: skip


def layout_key() -> tuple | None:
    """What the layout shows of this user and request, for a page kept whole
    (fragments.kept_page): the header's key. None when it shows something for this request
    alone: a message (flash) or a notice about the account."""
    if current_app.config["SESSION_COOKIE_NAME"] in request.cookies and "_flashes" in session:
        return None
    user = current_user._get_current_object()
    if user.is_authenticated and (user.is_blocked or not user.is_verified):
        return None
    from engage.notifications.services import header_unread

    return header_key(header_unread(user))


def kept_whole(page_key: tuple | None, render) -> str | bytes:
    """The page rendered, or kept whole for everyone with the same page key and layout
    (fragments.kept_page, as UTF-8 bytes: a response body); rendered when page_key is None (a
    form with errors) or the layout shows something for this request alone."""
    from engage.core import fragments

    layout = None if page_key is None else layout_key()
    return render() if layout is None else fragments.kept_page((page_key, layout), render)


def kept_listing(
    name: str,
    template: str,
    listing,
    page_key: tuple | None = (),
    listing_key: tuple = (),
    **context,
) -> str | bytes:
    """A list page: its list (listing() renders it) kept once per content version under the
    address (and listing_key: what else it differs by), the page around it kept whole under
    page_key (the user's buttons; None: rendered each time, the list still kept)."""
    from flask import render_template

    from engage.core import fragments

    def page() -> str:
        rendered = fragments.cached((name, request.full_path, *listing_key), listing)
        return render_template(template, listing=rendered, **context)

    return kept_whole(None if page_key is None else (name, *page_key), page)
