"""The search page."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from engage.core.pagination import requested_page, require_existing_page
from engage.search import results, services

bp = Blueprint("search", __name__, url_prefix="/search")


@bp.get("")
def index():
    """Search public content; an empty or word-less query shows the empty form."""
    query = request.args.get("q", "")[:200]
    page_number = requested_page()
    page = services.search(query, page_number)
    if page is not None:
        require_existing_page(page_number, page.pages)
    found = results.describe(page.items) if page else []
    return render_template("search/results.html", query=query, page=page, results=found)
