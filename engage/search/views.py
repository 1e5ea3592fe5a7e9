"""The search page."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from engage.search import results, services

bp = Blueprint("search", __name__, url_prefix="/search")


@bp.get("")
def index():
    """Search public content; an empty or word-less query shows the empty form."""
    query = request.args.get("q", "")[:200]
    page_number = request.args.get("page", "1")
    page_number = int(page_number) if page_number.isdigit() and len(page_number) < 6 else 1
    page = services.search(query, max(page_number, 1))
    found = results.describe(page.items) if page else []
    return render_template("search/results.html", query=query, page=page, results=found)
