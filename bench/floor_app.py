"""Engage as bench/run serves it: the application, plus two routes that measure the floor of
every logged-in page (neither exists in production).

- /bench/floor: a logged-in request that does nothing but greet the user: the session
  cookie, the kept user, the versions read from Redis, Flask's hooks and the response.
- /bench/empty: the same, rendering the layout (base.html) around no content: header,
  navigation, notices and footer, as every page has them.

A logged-in page cannot be faster than these; their ratio to the baseline is the most that
lean queries and templates can give a page.
"""

from flask import render_template
from flask_login import current_user, login_required
from markupsafe import escape

from engage import create_app

app = create_app()


@app.get("/bench/floor")
@login_required
def floor():
    return f"<p>{escape(current_user.display_name)}</p>"


@app.get("/bench/empty")
@login_required
def empty_page():
    return render_template("base.html")
