"""The short form of bench/load in CI: mixed load with SIGKILLed workers loses no write.

The full form (60 s at 200 connections) is `bench/load` and `bench/load --crash`; this runs the
same script for a few seconds at 50 connections on a database of its own (engage_load_ci,
created and dropped here) and a free port.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_URL

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not PG_URL,
    reason="the load runs gunicorn against PostgreSQL (set ENGAGE_TEST_DATABASE_URL); SQLite "
    "serialises every write and is not what several workers run on",
)


def test_a_short_load_with_killed_workers_loses_no_acknowledged_write(tmp_path):
    database = PG_URL.rsplit("/", 1)[0] + "/engage_load_ci"
    figures = tmp_path / "figures.json"
    command = [sys.executable, str(ROOT / "bench" / "load.py"), "--crash", "--kills", "2",
               "--seconds", "12", "--connections", "50", "--users", "40",
               "--database", database, "--redis", os.environ.get("ENGAGE_TEST_REDIS_URL", ""),
               "--fresh", "--drop", "--json", str(figures)]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENGAGE_")}
    # A session of its own: if the run hangs, its gunicorn goes down with it.
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)  # fmt: skip
    try:
        output, _ = process.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
    assert figures.exists(), output[-5000:]
    result = json.loads(figures.read_text())
    assert result["server_errors"] == 0, result["server_error_samples"]
    assert sum(result["acknowledged"].values()) > 0, output[-5000:]
    assert result["missing"] == {"support": 0, "signup": 0, "reply": 0, "comment": 0}, result
    assert result["counters_consistent"]
    assert len(result["crashes"]) == 2
    for crash in result["crashes"]:
        assert crash["killed"] == 2
        assert None not in crash.values(), crash  # forked, loaded and answering again
    assert process.returncode == 0, output[-5000:]
