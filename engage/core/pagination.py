"""Page numbers of paginated lists: read from ?page=, and a page past the last one redirected.

Every list reads its page the same way (a number that is not one, or below 1, is the first
page) and answers a page past its last one the same way: a redirect to its last page, with the
list's filters kept, so that no page shows "4 processes" above "no process matches".
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, redirect, request

# Beyond this, a ?page= number is an offset the database cannot hold (a server error).
MAX_PAGE = 100_000


def requested_page(name: str = "page") -> int:
    """The request's ?page= (or another name, for a page with several lists) between 1 and
    MAX_PAGE; 1 when it is missing or not a number."""
    try:
        number = int(request.args.get(name, "1"))
    except ValueError:  # (also a number too long for int())
        number = 1
    return min(max(number, 1), MAX_PAGE)


def last_page_url(last: int, name: str = "page") -> str:
    """This request's address with its filters kept and ?page= set to last (left out for 1)."""
    args = [(arg, value) for arg, value in request.args.items(multi=True) if arg != name]
    if last > 1:
        args.append((name, str(last)))
    return request.path + ("?" + urlencode(args) if args else "")


def require_existing_page(number: int, pages: int, name: str = "page") -> None:
    """Redirect (302) to the last page when page number is past it; an empty list has page 1."""
    last = max(pages, 1)
    if number > last and request.method in {"GET", "HEAD"}:
        abort(redirect(last_page_url(last, name)))
