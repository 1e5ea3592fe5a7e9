"""Old against new code, alternating, on this machine: the fair comparison where a run's
figures drift by a third within an hour (bench/results.md). See bench/README.md.

Each round starts gunicorn from a checkout of the base revision, measures, stops it, then the
same from this working tree. Both run this virtualenv against the benchmark database that
`bench/run` built (the base's code must work with today's schema: columns added since are
fine, renamed ones are not).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import subprocess
import tempfile
from pathlib import Path

import bench

ROWS = [  # (label, path, as a logged-in citizen: else a visitor, from the page cache)
    ("proposal with 500 comments, visitor", "/proposals/1", False),
    ("thread with 2,000 replies, visitor", "/dialogue/1", False),
    ("/proposals logged in", "/proposals?sort=supports&district=3", True),
    ("proposal with 500 comments, logged in", "/proposals/1", True),
    ("thread with 2,000 replies, logged in", "/dialogue/1", True),
    ("/ logged in", "/", True),
    ("/volunteer logged in", "/volunteer", True),
    ("a process's page, logged in", "/processes/verfahren-1", True),
    ("an offer's page, logged in", "/volunteer/1", True),
]


def checkout(revision: str) -> Path:
    """A worktree of the revision, with its translations compiled."""
    commit = bench.sh("git", "rev-parse", "--short", revision).strip()
    tree = Path(tempfile.gettempdir()) / f"engage-ab-{commit}"
    if not tree.exists():
        bench.sh("git", "worktree", "add", "--detach", str(tree), commit)
    subprocess.run([str(bench.BIN / "pybabel"), "compile", "-d", "engage/translations"],
                   cwd=tree, check=True, capture_output=True)  # fmt: skip
    return tree


def measure(tree: Path, env: dict, seconds: int,
            only: str | None = None) -> dict[str, tuple[float, float]]:  # fmt: skip
    """{label: (requests per second, server CPU ms per request)}: the baseline, and the rows
    whose label matches only (all without it)."""
    bench.ROOT = tree  # (gunicorn starts there, and imports that tree's engage)
    server = bench.start_gunicorn(env, 2)
    try:
        sessions = bench.login_sessions(32, env["ENGAGE_DATABASE_URL"])
        pids = bench.server_processes(server)

        def row(path, script=bench.LUA, headers=None):
            bench.wrk(path, 2, 16, script, headers)  # (warm-up)
            before = bench.server_cpu_seconds(pids)
            result = bench.wrk(path, seconds, 16, script, headers)
            cpu_seconds = bench.server_cpu_seconds(pids) - before
            return result["rps"], cpu_seconds / result["requests"] * 1000

        figures = {"baseline": row("/healthz/live")}
        for label, path, logged_in in ROWS:
            if only is None or re.search(only, label):
                cookie = {"Cookie": sessions[2][0]} if logged_in else None
                figures[label] = row(path, headers=cookie)
        if only is not None and not re.search(only, "POST support"):
            return figures
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as data:
            data.write("sessions = " + bench._lua_table(sessions) + "\n")
        os.environ.update(BENCH_SESSIONS=data.name, BENCH_REPORT=str(bench.LUA),
                          BENCH_PROPOSALS="20000", BENCH_ACCEPT="text/html",
                          BENCH_USER_AGENT=bench.USER_AGENT)  # fmt: skip
        figures["POST support"] = row("/proposals/1/support", bench.SUPPORT_LUA)
        return figures
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True, help="the revision to compare with")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=8, help="per row")
    parser.add_argument(
        "--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/engage_bench"
    )
    parser.add_argument("--only", help="a regular expression: only the rows it finds (and the "
                        "baseline), for more rounds in the same time")  # fmt: skip
    options = parser.parse_args()
    here = bench.ROOT
    env = {**os.environ, "ENGAGE_ENV": "production", "ENGAGE_SECRET_KEY": secrets.token_hex(32),
           "ENGAGE_DATABASE_URL": options.database, "ENGAGE_COOKIE_SECURE": "false",
           "ENGAGE_REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
           "ENGAGE_RATELIMIT_ENABLED": "false"}  # fmt: skip
    base = checkout(options.base)
    results: dict[str, list[dict]] = {"base": [], "new": []}
    for _ in range(options.rounds):
        results["base"].append(measure(base, env, options.seconds, options.only))
        results["new"].append(measure(here, env, options.seconds, options.only))
    labels = list(results["new"][0])
    print(f"\n| req/s · server CPU ms per request | {options.base} | this tree |\n|---|---:|---:|")
    for label in labels:
        cells = [", ".join(_cell(r, label) for r in results[side]) for side in ("base", "new")]
        print(f"| {label} | {cells[0]} | {cells[1]} |")
    print("\n(server CPU: gunicorn's workers, PostgreSQL and Redis, from /proc)")


def _cell(figures: dict, label: str) -> str:
    rps, cpu_ms = figures[label]
    ratio = "" if label == "baseline" else f" ({rps / figures['baseline'][0]:.2f} ×)"
    return f"{rps:.0f}{ratio} · {cpu_ms:.2f}"


if __name__ == "__main__":
    main()
