"""Language and time zone: German first, English second; times shown in Europe/Berlin."""

from __future__ import annotations

import functools

from flask import Flask, current_app, has_request_context, redirect, request, session, url_for
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    format_time,
    get_locale,
    to_user_timezone,
)
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header

from engage.core.sanitize import breakable_address, excerpt, finalize_output, render_user_text
from engage.core.types import utcnow


def select_locale() -> str:
    """The user's saved choice, then the session's switcher choice, then the browser, then de."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user = current_user._get_current_object()  # (each use of the proxy looks the user up)
    if user is not None and user.is_authenticated and user.locale in languages:
        return user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return browser_language() or current_app.config["BABEL_DEFAULT_LOCALE"]


def browser_language() -> str | None:
    """The best of our languages for the request's Accept-Language header, or None."""
    header = request.headers.get("Accept-Language")
    return _best_of(header, tuple(current_app.config["LANGUAGES"])) if header else None


@functools.lru_cache(maxsize=512)
def _best_of(header: str, languages: tuple[str, ...]) -> str | None:
    # Parsing the header cost 21 µs a request (a browser's "de-DE,de;q=0.9,en-US;q=0.8,…"),
    # a tenth of serving a visitor's kept page; browsers send few distinct headers.
    return parse_accept_header(header, LanguageAccept).best_match(languages)


def _proposal_status_label(value: str) -> str:
    from engage.proposals.models import ProposalStatus

    return ProposalStatus(value).label


def _signup_status_label(value: str) -> str:
    from engage.volunteering.models import SignupStatus

    return SignupStatus(value).label


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def local_datetime(value, format: str = "medium") -> str:  # noqa: A002 (Jinja filter argument)
    """A moment in Europe/Berlin. "short" has the year in full, as dates have everywhere else
    ("01.12.2026, 19:58", not "01.12.26, 19:58" next to a "01.12.2026")."""
    if not value:
        return ""
    if format == "short":
        glue = str(get_locale().datetime_formats["short"])
        return glue.format(format_time(value, "short"), format_date(value, "medium"))
    return format_datetime(value, format)


def time_range(starts, ends) -> str:
    """From start to end; on one day the day once: "05.12.2026, 10:00–13:00"."""
    if not starts or not ends:
        return local_datetime(starts or ends, "short")
    if to_user_timezone(starts).date() == to_user_timezone(ends).date():
        return f"{local_datetime(starts, 'short')}–{format_time(ends, 'short')}"
    return f"{local_datetime(starts, 'short')} – {local_datetime(ends, 'short')}"


def _safe_next(target: str | None) -> str:
    """Only follow local paths, never another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("main.home")


def readable_page(target: str | None) -> str:
    """A local page that answers GET: the target, or its parent (a form's POST-only address)."""
    path = _safe_next(target)
    adapter = current_app.url_map.bind("localhost")
    candidate = path.split("?")[0]
    while candidate:
        try:
            adapter.match(candidate, method="GET")
        except HTTPException:
            candidate = candidate.rsplit("/", 1)[0]
        else:
            return path if candidate == path.split("?")[0] else candidate
    return url_for("main.home")


def init_app(app: Flask) -> None:
    app.jinja_env.finalize = finalize_output  # (before any template is compiled)
    app.jinja_env.filters["datetime"] = local_datetime
    app.jinja_env.filters["time_range"] = time_range
    app.jinja_env.filters["user_text"] = render_user_text
    app.jinja_env.filters["plain_excerpt"] = excerpt
    app.jinja_env.filters["address"] = breakable_address
    app.jinja_env.filters["proposal_status"] = _proposal_status_label
    app.jinja_env.filters["signup_status"] = _signup_status_label
    app.jinja_env.filters["euro"] = lambda value: format_currency(value, "EUR")
    app.jinja_env.filters["decimal1"] = lambda value: format_decimal(value, "#,##0.0")
    # Volunteer hours keep their quarter hours (0,25 h), else one decimal: 2,5 and 3,0.
    app.jinja_env.filters["hours"] = lambda value: format_decimal(value, "#,##0.0#")
    app.jinja_env.filters["number"] = lambda value: format_decimal(value)  # 10.000 in German
    app.jinja_env.filters["date"] = lambda value, format="medium": (  # noqa: A006
        format_date(value, format) if value else ""
    )

    @app.after_request
    def vary_by_language(response):
        # A visitor's page is in the language the browser asks for: a shared cache in
        # between (a proxy, a CDN) must keep the languages apart, as the page cache does.
        if response.mimetype == "text/html":
            response.vary.add("Accept-Language")
        return response

    @app.context_processor
    def language_context():
        return {"current_locale": str(get_locale()), "now_utc": utcnow()}

    @app.post("/language")
    def set_language():
        """Switch the interface language (saved to the account when logged in)."""
        from engage.extensions import db

        choice = request.form.get("locale", "")
        if choice in current_app.config["LANGUAGES"]:
            session["locale"] = choice
            if current_user.is_authenticated:
                current_user.locale = choice
                db.session.commit()
        return redirect(readable_page(request.form.get("next")))

    @app.get("/language/<any(de, en):locale>")
    def language_link(locale: str):
        """The visitors' switch: a plain link, so that pages carry no form and can be cached.

        It changes only the visitor's own session, never an account (the form does that).
        """
        session["locale"] = locale
        return redirect(readable_page(request.args.get("next")))
