"""Error pages in the user's language, as HTML or JSON depending on what was asked for."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from engage.extensions import db

log = logging.getLogger("engage.errors")


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be processed. Please check your input.")),
        403: (_("Access denied"), _("You are not allowed to do this.")),
        404: (
            _("Page not found"),
            _("This page does not exist (any more). Please check the address."),
        ),
        405: (_("Not allowed"), _("This action is not possible here.")),
        409: (
            _("Conflict"),
            _("This action conflicts with the current state. Please reload the page."),
        ),
        413: (_("Too large"), _("What you sent is too large.")),
        429: (
            _("Too many requests"),
            _("Too many requests in a short time. Please wait a moment and try again."),
        ),
        500: (
            _("Something went wrong"),
            _("An unexpected error occurred. Nothing you saved before was lost. "
              "Please try again later."),
        ),
    }  # fmt: skip


def wants_json() -> bool:
    """Whether the request asks for JSON (the API, or a page's script)."""
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def render_error(code: int, detail: str | None = None):
    title, message = _messages().get(code, _messages()[400 if code < 500 else 500])
    if wants_json():
        return jsonify(error={"status": code, "title": title, "message": detail or message}), code
    return render_template(
        "errors/error.html", code=code, title=title, message=message, detail=detail,
        back=_page_before(),
    ), code  # fmt: skip


def _page_before() -> str | None:
    """The page of this site the request came from (a form's page), to go back to; None for
    another site or none. (Script goes back in the history instead: what was typed is kept.)"""
    from engage.i18n import readable_page

    referrer = request.referrer or ""
    if not referrer.startswith(request.host_url):
        return None
    path = "/" + referrer.removeprefix(request.host_url)
    if path.split("?")[0] == request.path and request.method == "GET":
        return None  # (this very page)
    page = readable_page(path)
    return None if page == url_for("main.home") else page


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400,
            _("The form has expired or was not sent from this website. "
              "Please reload the page and send it again."),
        )  # fmt: skip

    @app.errorhandler(401)
    def unauthorized(error):
        from engage.accounts.session import ask_to_log_in

        return ask_to_log_in()

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 405 and request.method == "GET" and not wants_json():
            # A form's POST-only address in the address bar (the page that showed the form's
            # errors, then reloaded, bookmarked or opened again): the page it belongs to.
            from engage.i18n import readable_page

            return redirect(readable_page(request.full_path.removesuffix("?")), 303)
        detail = None
        if error.code == 429:
            detail = getattr(error, "description", None)
            if detail and "per" in str(detail) and str(detail)[0].isdigit():
                detail = None  # the limiter's own "5 per 15 minute" text is not for people
        elif error.code in (400, 403, 409) and error.description != type(error).description:
            detail = error.description
        return render_error(error.code or 500, detail)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("unhandled error on %s", request.path)
        db.session.rollback()
        return render_error(InternalServerError.code)
