"""Load Engage on gunicorn + PostgreSQL with wrk and compare every page to a trivial route.

Run through `bench/run` (see bench/README.md). Prints one table and writes bench/results.md.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import itertools
import json
import os
import platform
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
LUA = Path(__file__).resolve().parent / "report.lua"
SUPPORT_LUA = Path(__file__).resolve().parent / "support.lua"
PORT = int(os.environ.get("BENCH_PORT", "8100"))  # another port where two runs share a machine
# Every request of the bench names the same browser, as a real browser does from its log-in
# on. Flask-Login's session protection compares a hash of address and User-Agent with the one
# the session was made under: wrk (which sends none) differed from urllib's log-in, so every
# logged-in request marked the session "not fresh" and re-signed its cookie (Set-Cookie on
# every answer), which no browser's requests cause.
USER_AGENT = "engage-bench/1"


def sh(*args, env=None, check=True, capture=True) -> str:
    result = subprocess.run(args, env=env, check=check, text=True,  # noqa: S603
                            capture_output=capture, cwd=ROOT)  # fmt: skip
    return result.stdout if capture else ""


def flask(env, *args) -> str:
    return sh(str(BIN / "flask"), "--app", "engage", *args, env=env)


def prepare_database(env, scale: float) -> None:
    """Create, migrate and fill the benchmark database unless it already holds the city."""
    url = env["ENGAGE_DATABASE_URL"]
    name = urllib.parse.urlparse(url.replace("+psycopg", "")).path.lstrip("/")
    exists = sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc",
                f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip()  # noqa: S608  # fmt: skip
    if not exists:
        sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f'CREATE DATABASE "{name}"')
    flask(env, "db", "upgrade")
    users = sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", name, "-tAc",
               "SELECT count(*) FROM user_account").strip()  # fmt: skip
    if users == "0":
        print(f"building the benchmark city in {name} (scale {scale}) …", flush=True)
        print(flask(env, "seed-bench", "--scale", str(scale)), flush=True)
    # After a bulk load: the visibility map lets the report count from its indexes alone.
    # And the tables that every earlier run's supports updated: where autovacuum is off (as
    # on the machine of bench/results.md), each run left the proposal rows' old versions
    # behind, and supports measured slower run after run (557, 464, 339 req/s).
    for table in ("participation", "participation_change", "proposal", "support", "thread"):
        sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", name, "-c",
           f"VACUUM (ANALYZE) {table}")  # fmt: skip
    autovacuum = sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW autovacuum")
    print(f"PostgreSQL autovacuum: {autovacuum.strip()} (the tables written to are vacuumed "
          "before each run)", flush=True)


def start_gunicorn(env, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603
        [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{PORT}",
         "--access-logfile", os.environ.get("BENCH_ACCESS_LOG", "-"), "--log-level", "warning",
         # (Engage with the floor's two routes; bench/ab starts an older tree's engage with it)
         "--pythonpath", str(Path(__file__).resolve().parent), "floor_app:app"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz/live", timeout=1)  # noqa: S310
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start: " + process.stderr.read().decode()[-2000:])


def worker_rss_mb(master: subprocess.Popen) -> list[float]:
    children = sh("pgrep", "-P", str(master.pid), check=False).split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return sizes


def wrk(path: str, seconds: int, connections: int, script: Path = LUA,
        headers: dict | None = None) -> dict:  # fmt: skip
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script)]
    for name, value in {"User-Agent": USER_AGENT, **(headers or {})}.items():
        args += ["-H", f"{name}: {value}"]
    output = sh(*args, f"http://127.0.0.1:{PORT}{path}")
    line = next(x for x in output.splitlines() if x.startswith("JSON "))
    return json.loads(line[5:])


def moderate_load(label: str, saturated: dict, options, next_request) -> list:
    """The same requests arriving at random at half the rate wrk measured (bench/moderate.py):
    [(label, result)], or [] where that rate is more than the client can send without delays
    of its own."""
    import moderate  # (bench/moderate.py; it imports bench/load.py, which imports this file)

    rate = saturated["rps"] / 2
    if rate > moderate.MAX_RATE:
        return []
    result = moderate.measure(PORT, rate, options.seconds, next_request)
    failed = ", ".join(f"{what} ×{n}" for what, n in result["failures"].items())
    print(f"{'  at half that rate':40} {result['rps']:9.1f} req/s  p95 {result['p95']:7.1f} ms"
          f"  (client: {result['client_cpu']:.0%} of a core)"
          + (f"  not answered: {failed}" if failed else ""), flush=True)  # fmt: skip
    return [(label, result)]


def support_requests(sessions, accept: str, options):
    """As support.lua: the bench citizens in turn, each for a random open proposal."""
    proposals = max(int(20_000 * options.scale), 20)
    turn = itertools.count()

    def next_request():
        cookie, token = sessions[next(turn) % len(sessions)]
        # The benchmark city's proposals with id % 11 in 0..7 are open for support.
        proposal = max(random.randrange(proposals // 11) * 11 + random.randint(0, 7), 11)
        return ("POST", f"/proposals/{proposal}/support", cookie,
                {"csrf_token": token, "intent": "support"}, accept)  # (the button, as support.lua)

    return next_request


def citizens_without_proposals(database: str, count: int) -> list[int]:
    """Bench citizens who wrote no proposal, from a random place among them each run.

    No proposals: a press of "Support" on one's own proposal is refused (403), and the random
    presses met one now and then (the single error of earlier support rows). A random place:
    the POST rows add thousands of supports a run; always the same citizens, they had 1,400
    supports each after some sessions (the city's citizens have about ten), and the logged-in
    rows measured those ever heavier users instead of the city's."""
    name = urllib.parse.urlparse(database.replace("+psycopg", "")).path.lstrip("/")
    found = sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", name, "-tAc",
               "SELECT u.id FROM user_account u, (SELECT 1000 + floor(random() * "
               f"greatest(max(id) - 1000 - {20 * int(count)}, 1)) AS first FROM user_account) s "
               "WHERE u.id >= s.first AND NOT EXISTS "
               "(SELECT 1 FROM proposal p WHERE p.author_id = u.id) "
               f"ORDER BY u.id LIMIT {int(count)}")  # noqa: S608  # fmt: skip
    return [int(line) for line in found.split()]


def login_sessions(count: int, database: str) -> list[tuple[str, str]]:
    """Log in bench citizens who wrote no proposal; return (cookie header, CSRF token) for each."""
    sessions = []
    for n in citizens_without_proposals(database, count):
        jar = http.cookiejar.CookieJar()
        opener = _opener(jar)
        page = opener.open(f"http://127.0.0.1:{PORT}/auth/login").read().decode()
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(
            {"email": f"user{n}@bench.example", "password": "bench-password", "csrf_token": token}
        )
        opener.open(f"http://127.0.0.1:{PORT}/auth/login", body.encode())
        page = opener.open(f"http://127.0.0.1:{PORT}/proposals/2").read().decode()
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        sessions.append((cookie, token))
    return sessions


def cpu_times() -> tuple[int, int]:
    """(stolen, total) jiffies of all CPUs so far (/proc/stat): on a virtual machine the host
    may take a share of the CPU away, and a run measured then says less."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (values[7] if len(values) > 7 else 0), sum(values[:8])


def server_processes(master: subprocess.Popen) -> list[str]:
    """The processes that serve a request: gunicorn's workers, PostgreSQL's and Redis's."""
    return [*sh("pgrep", "-P", str(master.pid), check=False).split(),
            *sh("pgrep", "-x", "postgres", check=False).split(),
            *sh("pgrep", "redis-server", check=False).split()]  # fmt: skip


def server_cpu_seconds(pids: list[str]) -> float:
    """CPU time (user and system) the processes have used so far: per request, a figure that
    drifts less with the machine's speed than requests per second, and that counts the
    database's share of a request too."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue  # (a PostgreSQL backend that ended)
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())  # fmt: skip
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    postgres = sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version")
    return (f"{os.cpu_count()} cores ({cpu}), {memory / 1024 / 1024:.0f} GiB RAM, "
            f"PostgreSQL {postgres.strip()}, Python {platform.python_version()}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10, help="per URL")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scale", type=float, default=1.0, help="size of the benchmark city")
    parser.add_argument(
        "--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/engage_bench"
    )
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.md"))
    parser.add_argument("--no-moderate", dest="moderate", action="store_false",
                        help="skip the second pass of the rows at half their rate")  # fmt: skip
    parser.add_argument("--only", help="a regular expression: measure only the rows it finds "
                        "(the baseline always runs)")  # fmt: skip
    options = parser.parse_args()

    env = {**os.environ, "ENGAGE_ENV": "production", "ENGAGE_SECRET_KEY": secrets.token_hex(32),
           "ENGAGE_DATABASE_URL": options.database,
           "ENGAGE_COOKIE_SECURE": "false",  # plain http on 127.0.0.1
           "ENGAGE_REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
           # All bench users write from one address: per-address limits would refuse the load.
           "ENGAGE_RATELIMIT_ENABLED": "false"}  # fmt: skip
    prepare_database(env, options.scale)
    started = cpu_times()
    server = start_gunicorn(env, options.workers)
    rows, calm_rows = [], []
    try:
        listing = "/proposals?sort=supports&district=3"
        pages = [("baseline: /healthz/live", "/healthz/live", None), ("/", "/", None),
                 ("/proposals (supports, district)", listing, None),
                 ("proposal with 500 comments", "/proposals/1", None),
                 ("thread with 2,000 replies", "/dialogue/1", None),
                 ("/volunteer", "/volunteer", None)]  # fmt: skip
        sessions = login_sessions(32, options.database)
        pages += [("logged-in no-op (the floor)", "/bench/floor", sessions[4][0]),
                  ("logged-in empty page (the layout)", "/bench/empty", sessions[5][0]),
                  ("/ logged in", "/", sessions[6][0]),
                  ("/proposals logged in", listing, sessions[1][0]),
                  ("proposal with 500 comments, logged in", "/proposals/1", sessions[2][0]),
                  ("thread with 2,000 replies, logged in", "/dialogue/1", sessions[3][0]),
                  ("/volunteer logged in", "/volunteer", sessions[7][0]),
                  ("/reports (council, whole city)", "/reports", None)]  # fmt: skip
        if options.only:
            pages = [pages[0]] + [p for p in pages[1:] if re.search(options.only, p[0])]
        for label, path, cookie in pages:
            if path == "/reports":
                cookie = _council_cookie()
                # Computed afresh ("Recalculate now"), one request at a time: the cold figure.
                for cold_label, cold_path in COLD_REPORTS:
                    result = sequential(cold_path, cookie, options.seconds)
                    rows.append((cold_label, result))
                    print(f"{cold_label:40} p50 {result['p50']:7.1f} ms", flush=True)
                _get(path, cookie)  # one computation fills the report cache before the load
            wrk(path, 2, options.connections, headers={"Cookie": cookie} if cookie else None)
            headers = {"Cookie": cookie} if cookie else None
            result = wrk(path, options.seconds, options.connections, headers=headers)
            rows.append((label, result))
            print(f"{label:40} {result['rps']:9.1f} req/s  p95 {result['p95']:7.1f} ms", flush=True)
            if options.moderate:
                calm_rows += moderate_load(label, result, options,
                                           lambda p=path, c=cookie: ("GET", p, c or "", None, ""))
        if options.only and not re.search(options.only, "POST support"):
            raise _Done
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as data:
            data.write("sessions = " + _lua_table(sessions) + "\n")
        os.environ.update(
            BENCH_SESSIONS=data.name,
            BENCH_REPORT=str(LUA),
            BENCH_PROPOSALS=str(max(int(20_000 * options.scale), 20)),
            BENCH_USER_AGENT=USER_AGENT,
        )
        # Without script the form's answer is a redirect with a message; the page's script
        # asks for JSON and updates the button in place.
        for label, accept in (("POST support (32 users, random proposals)", "text/html"),
                              ("POST support with script (JSON answer)", "application/json")):
            os.environ["BENCH_ACCEPT"] = accept
            result = wrk("/proposals/1/support", options.seconds, options.connections,
                         SUPPORT_LUA)  # fmt: skip
            rows.append((label, result))
            print(f"{label:40} {result['rps']:9.1f} req/s  p95 {result['p95']:7.1f} ms",
                  flush=True)  # fmt: skip
            if options.moderate:
                calm_rows += moderate_load(label, result, options,
                                           support_requests(sessions, accept, options))
    except _Done:
        pass
    finally:
        rss = worker_rss_mb(server)
        stolen, total = (now - before for now, before in zip(cpu_times(), started, strict=True))
        options.stolen = stolen / total if total else 0.0
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    write_results(options, rows, rss, calm_rows)


COLD_REPORTS = [
    ("/reports computed afresh (whole city)", "/reports?refresh=1"),
    ("/reports computed afresh (one district)", "/reports?district_id=3&refresh=1"),
]


def sequential(path: str, cookie: str, seconds: int) -> dict:
    """Latency of requests sent one after another (at least 3), in wrk's result format."""
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < 3 or time.perf_counter() - started < seconds:
        begin = time.perf_counter()
        _get(path, cookie)
        times.append((time.perf_counter() - begin) * 1000)
    times.sort()

    def at(share: float) -> float:
        return times[min(int(share * len(times)), len(times) - 1)]

    return {"rps": len(times) / (sum(times) / 1000), "p50": at(0.5), "p95": at(0.95),
            "p99": at(0.99), "errors": 0, "requests": len(times)}  # fmt: skip


class _Done(Exception):
    """The rows asked for with --only are measured."""


def _get(path: str, cookie: str) -> None:
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}",
                                     headers={"Cookie": cookie, "User-Agent": USER_AGENT})
    urllib.request.urlopen(request, timeout=300).read()  # noqa: S310 (our own local server)


def _opener(jar: http.cookiejar.CookieJar) -> urllib.request.OpenerDirector:
    """A client that keeps cookies and names the bench's browser (USER_AGENT)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    return opener


def _council_cookie() -> str:
    jar = http.cookiejar.CookieJar()
    opener = _opener(jar)
    page = opener.open(f"http://127.0.0.1:{PORT}/auth/login").read().decode()
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"email": "user2@bench.example", "password": "bench-password",
                                   "csrf_token": token})  # fmt: skip
    opener.open(f"http://127.0.0.1:{PORT}/auth/login", body.encode())
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def _lua_table(sessions) -> str:
    items = ", ".join(f"{{cookie = {json.dumps(c)}, token = {json.dumps(t)}}}" for c, t in sessions)
    return "{" + items + "}"


def write_results(options, rows, rss, moderate=()) -> None:
    baseline = rows[0][1]["rps"]
    lines = [
        "# Benchmark results", "",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M %Z')}",
        f"- Machine: {machine()}",
        f"- gunicorn: {options.workers} sync workers; wrk: 2 threads, {options.connections} "
        f"connections, {options.seconds} s per URL after a 2 s warm-up",
        f"- Data: the benchmark city (`flask seed-bench --scale {options.scale}`)",
        f"- Worker RSS after the run: {', '.join(f'{m:.0f} MB' for m in rss)}",
        f"- CPU time taken by the virtual machine's host during the run (steal): "
        f"{getattr(options, 'stolen', 0.0):.0%}", "",
        "| page | req/s | ratio to baseline | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]  # fmt: skip
    for label, r in rows:
        lines.append(f"| {label} | {r['rps']:.1f} | {r['rps'] / baseline:.2f} | {r['p50']:.1f} "
                     f"| {r['p95']:.1f} | {r['p99']:.1f} | {_errors(r)} |")  # fmt: skip
    if moderate:
        lines += ["", "At a moderate load: the rows of at most 1,200 req/s again, their requests "
                  "now arriving at random at half that rate, each on a connection of its own, "
                  "each latency counted from when the request was due (`bench/moderate.py`; "
                  "its client adds about 2 ms).", "",
                  "| page | req/s | share of full load | p50 ms | p95 ms | p99 ms | errors |",
                  "|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
        full = dict(rows)
        for label, r in moderate:
            lines.append(f"| {label} | {r['rps']:.1f} | {r['rps'] / full[label]['rps']:.2f} "
                         f"| {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} "
                         f"| {r['errors']} |")  # fmt: skip
    text = "\n".join(lines) + "\n"
    Path(options.output).write_text(text)
    print("\n" + text)


def _errors(result: dict) -> str:
    """The count, with its kinds where there are any: "1 (timeout 1)"."""
    kinds = ", ".join(f"{kind} {n}" for kind, n in result.get("kinds", {}).items() if n)
    return f"{result['errors']} ({kinds})" if kinds else str(result["errors"])


if __name__ == "__main__":
    sys.exit(main())
