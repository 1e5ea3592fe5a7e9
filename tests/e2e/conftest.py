"""Browser fixtures: the app on a live local server, driven by Debian's Chromium."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER = os.environ.get("ENGAGE_REQUIRE_BROWSER") == "1"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str):
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} (ENGAGE_REQUIRE_BROWSER=1 forbids skipping)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the run; skips (or fails in CI) when it is missing."""
    if not CHROMIUM.exists():
        _unavailable("Debian's chromium is not installed at /usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the Python package playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def app_config(app_config):
    # The live server answers on its own port; links in mails follow the request's host.
    app_config.pop("SERVER_NAME", None)
    return app_config


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the stdlib's signature)
        pass


@pytest.fixture
def live_server(app):
    """Serve the test app on a free local port in a background thread.

    wsgiref closes each response as soon as it is sent, as gunicorn does; Werkzeug's dev server
    first drains the socket, which delays work scheduled with call_on_close (mail delivery)
    until the browser drops the connection.
    """
    server = make_server("127.0.0.1", 0, app, _ThreadingWSGIServer, _QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def page(browser, live_server):
    """A fresh German-speaking browser tab (own cookies) on the live server."""
    context = browser.new_context(locale="de-DE", base_url=live_server.url)
    tab = context.new_page()
    yield tab
    context.close()


def axe_violations(page) -> list[str]:
    """Run axe-core on the page; return readable violations (empty when accessible)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"]]
        found.append(f"{violation['id']} ({violation['impact']}): {targets[:5]}")
    return found
