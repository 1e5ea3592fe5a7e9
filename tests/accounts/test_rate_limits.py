"""Rate limits on log-ins are shared by every worker through Redis when it is configured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest

from engage import create_app
from tests.conftest import ROOT, AuthActions, IsolatedClient

REDIS_URL = os.environ.get("ENGAGE_TEST_REDIS_URL")

# A second worker is a second process: it shares nothing with this one but Redis and the database.
SECOND_WORKER = """
import json, sys
from engage import create_app
from tests.conftest import AuthActions
app = create_app(json.loads(sys.argv[1]))
print(AuthActions(app.test_client()).login("anna@example.org", "falsch falsch").status_code)
"""


def _login_status_in_another_process(settings: dict) -> int:
    result = subprocess.run(
        [sys.executable, "-c", SECOND_WORKER, json.dumps(settings)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return int(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not REDIS_URL, reason="ENGAGE_TEST_REDIS_URL is not set (CI sets it)")
def test_two_workers_share_the_failed_login_limit_through_redis(app_config, make_user):
    make_user(email="anna@example.org")
    # A key prefix of our own keeps this run's counters apart from any other run's.
    settings = {**app_config, "REDIS_URL": REDIS_URL, "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex}
    worker = create_app(settings)
    worker.test_client_class = IsolatedClient
    assert worker.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    first = AuthActions(worker.test_client())
    for _ in range(4):
        assert first.login("anna@example.org", "falsch falsch").status_code == 422
    assert _login_status_in_another_process(settings) == 422  # the fifth failure, elsewhere
    assert first.login("anna@example.org", "falsch falsch").status_code == 429
    assert _login_status_in_another_process(settings) == 429


def test_without_redis_a_process_keeps_its_own_memory_store(app):
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
