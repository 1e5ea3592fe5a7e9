"""Load and crash test: many logged-in citizens read and write at once; no write may be lost.

gunicorn (sync workers) in front of PostgreSQL and Redis, as in production. N connections
(asyncio, standard library only) send a mix of reads (home, lists, detail pages, API; as visitors
and logged in) and writes (supports, thread replies, proposal comments, shift sign-ups) for a
fixed time. Every write that got an acknowledged answer (a redirect with a success message) is
recorded and looked up in the database afterwards. With --crash, all gunicorn workers are killed
with SIGKILL several times during the load; requests cut off by a kill are counted, but they are
not acknowledged, and the time until the service answers again is measured.

Run through `bench/load` (see bench/README.md). Exits 1 on any 5xx, any lost acknowledged write,
a drifted counter, or (without --crash) any failed connection.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import itertools
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import BIN, ROOT, USER_AGENT, prepare_database, sh  # noqa: E402 (bench/bench.py)

HOST = "127.0.0.1"  # traffic goes to this machine only
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/engage_load_city"
LOAD_SHIFTS = 120  # future shifts added for each run's sign-ups
FIRST_CITIZEN = 62  # seed-bench: user1 admin, 2-11 council, 12-61 staff, then citizens
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
COMMENT_RE = re.compile(r"#c(\d+)$")
READ_SHARE = 0.7
DEFAULT_TIMEOUT = 120.0  # seconds for one answer; queued behind 200 others it takes a while
TIMEOUT = DEFAULT_TIMEOUT  # --timeout


# --- a minimal HTTP/1.1 client on asyncio (gunicorn's sync workers close every connection) ---


@dataclass
class Answer:
    status: int  # 0: no complete answer (connection refused, reset, cut off, timed out)
    headers: dict[str, list[str]] = field(default_factory=dict)
    body: bytes = b""
    error: str = ""

    def header(self, name: str) -> str:
        return (self.headers.get(name.lower()) or [""])[0]


async def request(port: int, method: str, path: str, cookie: str = "", form: dict | None = None,
                  timeout: float | None = None, accept: str = "") -> Answer:  # fmt: skip
    body = urllib.parse.urlencode(form).encode() if form is not None else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close",
             f"User-Agent: {USER_AGENT}", "Accept-Language: de"]  # fmt: skip
    if cookie:
        lines.append(f"Cookie: {cookie}")
    if accept:
        lines.append(f"Accept: {accept}")
    if form is not None:
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    writer = None
    try:
        async with asyncio.timeout(timeout or TIMEOUT):
            reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(raw)
            await writer.drain()
            data = await reader.read()
    except TimeoutError:
        return Answer(0, error="timeout")
    except OSError as error:
        return Answer(0, error=type(error).__name__)
    finally:
        if writer is not None:
            writer.close()
    return _parse(data)


def _parse(data: bytes) -> Answer:
    head, separator, body = data.partition(b"\r\n\r\n")
    if not separator:
        return Answer(0, error="cut off" if data else "empty answer")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        return Answer(0, error="garbled answer")
    headers: dict[str, list[str]] = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    length = headers.get("content-length")
    if length and len(body) < int(length[0]):
        return Answer(0, error="cut off")
    return Answer(int(parts[1]), headers, body)


def cookies_of(answer: Answer) -> dict[str, str]:
    found = {}
    for line in answer.headers.get("set-cookie", []):
        name, _, rest = line.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def flashes(answer: Answer) -> list[tuple[str, str]]:
    """The flash messages in the answer's session cookie (Flask's signed, not encrypted, JSON)."""
    value = cookies_of(answer).get("session", "")
    compressed = value.startswith(".")
    payload = value.lstrip(".").split(".", 1)[0]
    if not payload:
        return []
    try:
        data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        session = json.loads(zlib.decompress(data) if compressed else data)
    except (ValueError, zlib.error):
        return []
    found = []
    for item in session.get("_flashes", []):
        category, message = item.get(" t", item) if isinstance(item, dict) else item
        if isinstance(message, dict):  # Markup is tagged as {" m": text}
            message = next(iter(message.values()))
        found.append((category, message))
    return found


# --- the data the load works on ---


@dataclass
class Plan:
    """What the load may touch: ids to read, and per citizen the writes that cannot collide."""

    proposals: list[int]
    open_proposals: list[int]
    threads: list[int]
    offers: list[int]
    announcements: list[int]
    supports: dict[int, list[int]]  # user id → open proposals not yet supported (nor authored)
    shifts: dict[int, list[int]]  # user id → future load shifts (none overlap)


def build_plan(database_url: str, users: list[int], seed: int) -> Plan:
    """Add future shifts for this run and read which writes every citizen can make."""
    from sqlalchemy import create_engine, func, select, update
    from sqlalchemy.orm import Session
    from werkzeug.security import generate_password_hash

    from engage.accounts.models import User
    from engage.benchdata import BENCH_PASSWORD
    from engage.boards.dialogue_models import Thread
    from engage.boards.models import Announcement
    from engage.proposals.models import Proposal, Support
    from engage.volunteering.models import ServiceOffer, Shift

    rng = random.Random(seed)  # noqa: S311 (load pattern, not secrets)
    engine = create_engine(database_url)
    with Session(engine) as db:
        # The load is about reads and writes, not about hashing: a cheap hash for the load's
        # citizens lets 200 of them log in within seconds (production keeps scrypt).
        cheap = generate_password_hash(BENCH_PASSWORD, "pbkdf2:sha256:1000")
        db.execute(update(User).where(User.id.in_(users)).values(password_hash=cheap))
        # Offers of their own (ten shifts each), so that offer pages keep a usual size.
        load_offers = [ServiceOffer(title=f"Lastprobe-Angebot {i + 1}", description="Mithelfen.",
                                    department_id=1 + i % 8, hour_value=Decimal("15.00"))
                       for i in range(LOAD_SHIFTS // 10)]  # fmt: skip
        db.add_all(load_offers)
        db.flush()
        latest = db.scalar(select(func.max(Shift.ends_at)))
        start = max(datetime.now(UTC), latest or datetime.now(UTC)) + timedelta(days=1)
        start = start.replace(minute=0, second=0, microsecond=0)
        new = [Shift(offer_id=load_offers[i // 10].id, capacity=5, place="Lastprobe",
                     starts_at=start + timedelta(hours=2 * i),
                     ends_at=start + timedelta(hours=2 * i + 1))
               for i in range(LOAD_SHIFTS)]  # fmt: skip
        db.add_all(new)
        db.commit()
        offers = list(db.scalars(select(ServiceOffer.id).order_by(ServiceOffer.id)))
        shift_ids = [s.id for s in new]
        rows = db.execute(select(Proposal.id, Proposal.status, Proposal.author_id)).all()
        open_ids = [r.id for r in rows if r.status in ("submitted", "under_review")]
        authors = {r.id: r.author_id for r in rows}
        supported = _pairs(db, select(Support.user_id, Support.proposal_id)
                           .where(Support.user_id.in_(users)))  # fmt: skip
        threads = list(db.scalars(select(Thread.id).where(
            Thread.closed_at.is_(None), Thread.deleted_at.is_(None))))  # fmt: skip
        announcements = list(db.scalars(select(Announcement.id).order_by(Announcement.id)))
    engine.dispose()
    supports = {}
    for user in users:
        choices = [p for p in open_ids if (user, p) not in supported and authors[p] != user]
        rng.shuffle(choices)
        supports[user] = choices
    shifts = {user: rng.sample(shift_ids, len(shift_ids)) for user in users}
    # The first thread and proposal are the benchmark's huge pages; read them rarely.
    return Plan(proposals=[r.id for r in rows if r.id != 1], open_proposals=open_ids,
                threads=[t for t in threads if t != 1], offers=offers,
                announcements=announcements, supports=supports, shifts=shifts)  # fmt: skip


# --- the load ---


@dataclass
class Citizen:
    user_id: int
    cookie: str
    token: str


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    by_route: dict[str, list[float]] = field(default_factory=dict)  # "GET /proposals/<id>" → s
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)  # no complete answer, by reason
    refused: Counter = field(default_factory=Counter)  # a redirect with an error message
    server_errors: list[str] = field(default_factory=list)
    acknowledged: dict[str, list] = field(default_factory=lambda: {
        "support": [], "reply": [], "comment": [], "signup": []})  # fmt: skip
    unacknowledged_writes: int = 0


async def log_in(port: int, user_id: int) -> Citizen:
    page = await request(port, "GET", "/auth/login")
    token = CSRF_RE.search(page.body.decode()).group(1)
    cookie = "session=" + cookies_of(page)["session"]
    answer = await request(port, "POST", "/auth/login", cookie, {
        "email": f"user{user_id}@bench.example", "password": "bench-password",
        "csrf_token": token})  # fmt: skip
    if answer.status != 302 or "session" not in cookies_of(answer):
        raise SystemExit(f"log-in of user{user_id} failed: {answer.status} {answer.error}")
    return Citizen(user_id, "session=" + cookies_of(answer)["session"], token)


async def log_in_all(port: int, users: list[int], parallel: int = 8) -> list[Citizen]:
    gate = asyncio.Semaphore(parallel)

    async def one(user_id):
        async with gate:
            return await log_in(port, user_id)

    return list(await asyncio.gather(*(one(u) for u in users)))


class Load:
    def __init__(self, port: int, plan: Plan, citizens: list[Citizen], run_id: str, seed: int):
        self.port, self.plan, self.citizens, self.run_id = port, plan, citizens, run_id
        self.rng = random.Random(seed)  # noqa: S311
        self.stats = Stats()
        self.last_answer_at = 0.0  # wall-clock time of the latest complete answer
        self.counter = itertools.count(1)

    def read_path(self) -> str:
        plan, rng = self.plan, self.rng
        choice = rng.random()
        if choice < 0.12:
            return "/"
        if choice < 0.30:
            return rng.choice(["/proposals", f"/proposals?page={rng.randint(1, 5)}", "/dialogue",
                               "/volunteer", "/info", "/proposals?sort=supports"])  # fmt: skip
        if choice < 0.48:
            return f"/proposals/{rng.choice(plan.proposals)}"
        if choice < 0.60:
            return f"/dialogue/{rng.choice(plan.threads)}"
        if choice < 0.68:
            return f"/volunteer/{rng.choice(plan.offers)}"
        if choice < 0.76:
            return f"/info/{rng.choice(plan.announcements)}"
        return rng.choice(["/api/v1/proposals", f"/api/v1/proposals/{rng.choice(plan.proposals)}",
                           "/api/v1/threads", "/api/v1/processes"])  # fmt: skip

    async def run(self, seconds: float, connections: int, max_requests: int) -> float:
        deadline = time.monotonic() + seconds
        budget = itertools.count()
        started = time.monotonic()
        await asyncio.gather(*(self.client(i, deadline, budget, max_requests)
                               for i in range(connections)))  # fmt: skip
        return time.monotonic() - started

    async def client(self, number: int, deadline: float, budget, max_requests: int) -> None:
        citizen = self.citizens[number % len(self.citizens)]
        while time.monotonic() < deadline and next(budget) < max_requests:
            if self.rng.random() < READ_SHARE:
                cookie = citizen.cookie if self.rng.random() < 0.5 else ""
                await self.timed("GET", self.read_path(), cookie)
            else:
                await self.write(citizen)

    async def timed(self, method: str, path: str, cookie: str = "", form=None) -> Answer:
        began = time.monotonic()
        answer = await request(self.port, method, path, cookie, form)
        if answer.status:
            self.last_answer_at = time.time()
            took = time.monotonic() - began
            self.stats.latencies.append(took)
            route = f"{method} {re.sub(r'/[0-9]+', '/<id>', path.split('?', 1)[0])}"
            self.stats.by_route.setdefault(route, []).append(took)
            self.stats.statuses[answer.status] += 1
            if answer.status >= 500:
                self.stats.server_errors.append(f"{answer.status} {method} {path}")
        else:
            self.stats.failures[answer.error] += 1
        return answer

    async def write(self, citizen: Citizen) -> None:
        kind = self.rng.choices(["support", "reply", "comment", "signup"], [4, 3, 2, 2])[0]
        form = {"csrf_token": citizen.token}
        user = citizen.user_id
        if kind == "support" and self.plan.supports[user]:
            target = self.plan.supports[user].pop()  # each pair once: the button toggles
            path = f"/proposals/{target}/support"
        elif kind == "signup" and self.plan.shifts[user]:
            target = self.plan.shifts[user].pop()
            path = f"/volunteer/shifts/{target}/signup"
        elif kind == "comment":
            target = self.rng.choice(self.plan.open_proposals)
            form["body"] = f"Lastprobe {self.run_id}-{next(self.counter)}: Das unterstütze ich."
            path = f"/proposals/{target}/comments"
        else:
            kind, target = "reply", self.rng.choice(self.plan.threads)
            form["body"] = f"Lastprobe {self.run_id}-{next(self.counter)}: Gute Frage."
            path = f"/dialogue/{target}/reply"
        answer = await self.timed("POST", path, citizen.cookie, form)
        messages = flashes(answer)
        if answer.status in (302, 303) and any(c == "error" for c, _m in messages):
            self.stats.refused[f"{kind}: {messages[0][1]}"] += 1
            return
        if answer.status not in (302, 303) or not any(c == "success" for c, _m in messages):
            self.stats.unacknowledged_writes += 1
            return
        if kind in ("reply", "comment"):
            found = COMMENT_RE.search(answer.header("location"))
            self.stats.acknowledged[kind].append((int(found.group(1)), target, form["body"], user))
        else:
            self.stats.acknowledged[kind].append((user, target))


def check_writes(database_url: str, acknowledged: dict[str, list]) -> dict[str, int]:
    """Look up every acknowledged write; return the number of missing ones per kind."""
    from sqlalchemy import create_engine, select, tuple_
    from sqlalchemy.orm import Session

    from engage.boards.dialogue_models import Comment
    from engage.proposals.models import Support
    from engage.volunteering.models import Signup

    engine = create_engine(database_url)
    missing = {}
    with Session(engine) as db:
        pairs = set(acknowledged["support"])
        key = tuple_(Support.user_id, Support.proposal_id)
        found = _pairs(db, select(Support.user_id, Support.proposal_id)
                       .where(key.in_(pairs))) if pairs else set()  # fmt: skip
        missing["support"] = len(pairs - found)
        pairs = set(acknowledged["signup"])
        found = _pairs(db, select(Signup.user_id, Signup.shift_id).where(
            tuple_(Signup.user_id, Signup.shift_id).in_(pairs),
            Signup.status.in_(("confirmed", "waitlisted")))) if pairs else set()  # fmt: skip
        missing["signup"] = len(pairs - found)
        for kind, column in (("reply", Comment.thread_id), ("comment", Comment.proposal_id)):
            wanted = set(acknowledged[kind])  # (comment id, thread or proposal, body, author)
            ids = [w[0] for w in wanted]
            rows = set()
            for start in range(0, len(ids), 5000):
                rows |= _pairs(db, select(Comment.id, column, Comment.body, Comment.author_id)
                               .where(Comment.id.in_(ids[start:start + 5000])))  # fmt: skip
            missing[kind] = len(wanted - rows)
    engine.dispose()
    return missing


def counter_drift(database_url: str) -> list[str]:
    """`flask check-consistency`: counters kept on rows that differ from the rows they count."""
    from engage import create_app
    from engage.consistency import drift

    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        lines = drift()
        app.extensions["sqlalchemy"].engine.dispose()
    return lines


def _pairs(db, query) -> set[tuple]:
    return {tuple(row) for row in db.execute(query)}


# --- gunicorn and the crashes ---


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


GUNICORN_HOOKS = """import time

def post_worker_init(worker):  # the worker has loaded the app and is about to accept
    with open({ready!r}, "a") as ready:
        ready.write(f"{{worker.pid}} {{time.time()}}\\n")
"""


def start_gunicorn(env: dict, workers: int, port: int, log: Path,
                   preload: bool = False) -> subprocess.Popen:  # fmt: skip
    """gunicorn as in production; a config hook notes when each worker is ready (log.ready)."""
    hooks = log.with_suffix(".conf.py")
    hooks.write_text(GUNICORN_HOOKS.format(ready=str(log.with_suffix(".ready"))))
    process = subprocess.Popen(  # noqa: S603
        [str(BIN / "gunicorn"), "-c", str(hooks), "-w", str(workers), "-b", f"{HOST}:{port}",
         "--backlog", "2048", "--timeout", "60", "--log-level", "warning",
         *(["--preload"] if preload else []), "engage:create_app()"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("w"),
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if asyncio.run(request(port, "GET", "/healthz/live", timeout=2)).status == 200:
            return process
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start: " + log.read_text()[-2000:])


def ready_workers(log: Path) -> dict[int, float]:
    """pid → the wall-clock time its app was loaded."""
    ready = log.with_suffix(".ready")
    lines = ready.read_text().split("\n") if ready.exists() else []
    fields = [line.split() for line in lines]
    return {int(f[0]): float(f[1]) for f in fields if len(f) == 2}  # a line may be half written


def workers_of(master: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children")
    if children.exists():
        return [int(p) for p in children.read_text().split()]
    return [int(p) for p in sh("pgrep", "-P", str(master.pid), check=False).split()]


async def crash_loop(master: subprocess.Popen, load: Load, log: Path, seconds: float,
                     kills: int, workers: int) -> list[dict]:  # fmt: skip
    """Kill every worker with SIGKILL `kills` times in the first three quarters of the load
    (never before the last round recovered), and measure, from the kill:
    - workers_back_after_s: the master has forked all workers again;
    - ready_after_s: the first new worker has loaded the app (gunicorn's post_worker_init);
    - answered_after_s: the first load request is answered again (by a new worker: the old
      ones are dead) — the recovery time;
    - queued_request_after_s: a request sent right after the kill is answered (it waits in the
      listen queue behind the load's requests, as a visitor's would)."""
    rounds = []
    began = time.monotonic()
    for number in range(kills):
        due = began + seconds * 0.75 * (number + 1) / kills
        await asyncio.sleep(max(due - time.monotonic(), 0))
        victims = set(workers_of(master))
        killed_at = time.time()
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):  # it may have just exited
                os.kill(pid, signal.SIGKILL)
        probe = asyncio.create_task(_first_answer(load.port, killed_at))
        found: dict[str, float | None] = dict.fromkeys(("workers_back", "ready", "answered"))
        while time.time() - killed_at < 30 and None in found.values():
            now = time.time()
            if found["workers_back"] is None and len(set(workers_of(master)) - victims) >= workers:
                found["workers_back"] = now - killed_at
            new = [at for pid, at in ready_workers(log).items()
                   if pid not in victims and at > killed_at]  # fmt: skip
            if found["ready"] is None and new:
                found["ready"] = min(new) - killed_at
            if found["ready"] is not None and load.last_answer_at > killed_at + found["ready"]:
                found["answered"] = load.last_answer_at - killed_at
            await asyncio.sleep(0.02)
        queued = await probe
        rounds.append({"killed": len(victims), "workers_back_after_s": found["workers_back"],
                       "ready_after_s": found["ready"], "answered_after_s": found["answered"],
                       "queued_request_after_s": queued})  # fmt: skip
        print(f"  killed {len(victims)} workers: forked again after "
              f"{_s(found['workers_back'])}, app loaded after {_s(found['ready'])}, "
              f"answering again after {_s(found['answered'])}; a request sent right after the "
              f"kill was answered after {_s(queued)}", flush=True)  # fmt: skip
    return rounds


async def _first_answer(port: int, since: float) -> float | None:
    """Seconds from since until /healthz/live answers 200 (one request, waiting its turn)."""
    while time.time() - since < 60:
        answer = await request(port, "GET", "/healthz/live", timeout=60)
        if answer.status == 200:
            return time.time() - since
        await asyncio.sleep(0.05)  # refused or cut off: ask again
    return None


# --- putting it together ---


def _s(seconds: float | None) -> str:
    return "never (30 s)" if seconds is None else f"{seconds:.2f} s"


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)] * 1000


def environment(options) -> dict:
    env = {**os.environ, "ENGAGE_ENV": "production", "ENGAGE_SECRET_KEY": secrets.token_hex(32),
           "ENGAGE_DATABASE_URL": options.database,
           "ENGAGE_COOKIE_SECURE": "false",  # plain http on 127.0.0.1
           # All load users come from one address: per-address limits would refuse the load.
           "ENGAGE_RATELIMIT_ENABLED": "false"}  # fmt: skip
    env.pop("ENGAGE_REDIS_URL", None)
    if options.redis:
        env["ENGAGE_REDIS_URL"] = options.redis
    return env


def database_name(url: str) -> str:
    return urllib.parse.urlparse(url.replace("+psycopg", "")).path.lstrip("/")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--users", type=int, default=200, help="logged-in citizens")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--crash", action="store_true", help="SIGKILL the workers during the load")
    parser.add_argument("--kills", type=int, default=3, help="with --crash: how many times")
    parser.add_argument("--preload", action="store_true",
                        help="gunicorn --preload: workers fork with the app loaded")  # fmt: skip
    parser.add_argument("--max-requests", type=int, default=500_000, help="stop after this many")
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13",
                        help="Redis for caches ('' for none)")  # fmt: skip
    parser.add_argument("--scale", type=float, default=0.01, help="size of the benchmark city")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the database")
    parser.add_argument("--drop", action="store_true", help="drop the database afterwards")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="seconds per answer")  # fmt: skip
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args(argv)
    global TIMEOUT
    TIMEOUT = options.timeout
    name = database_name(options.database)
    if not name.startswith("engage_load_"):
        parser.error("the load writes into its database: use one named engage_load_…")
    psql = ("psql", "-h", HOST, "-U", "postgres", "-q")
    if options.fresh:
        sh(*psql, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    env = environment(options)
    started = time.monotonic()
    prepare_database(env, options.scale)
    users = list(range(FIRST_CITIZEN, FIRST_CITIZEN + options.users))
    plan = build_plan(options.database, users, options.seed)
    port = options.port or free_port()
    log = Path(tempfile.gettempdir()) / f"engage-load-{port}.log"
    server = start_gunicorn(env, options.workers, port, log, options.preload)
    try:
        print(f"prepared in {time.monotonic() - started:.0f} s; logging in {len(users)} "
              f"citizens …", flush=True)  # fmt: skip
        result = asyncio.run(_load(options, plan, server, port, users, log))
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    missing = check_writes(options.database, result["acknowledged"])
    drifted = counter_drift(options.database)
    figures = report(options, result, missing, not drifted)
    if drifted:
        print("\n".join(drifted))
    if options.json:
        Path(options.json).write_text(json.dumps(figures, indent=2))
    if options.drop:
        sh(*psql, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    unrecovered = any(None in crash.values() for crash in figures["crashes"])
    failed = (figures["server_errors"] or sum(missing.values()) or drifted or unrecovered
              or (not options.crash and figures["failed_requests"]))  # fmt: skip
    if failed:
        print(f"gunicorn's log ({log}):\n" + log.read_text()[-4000:])
    else:
        for path in (log, log.with_suffix(".conf.py"), log.with_suffix(".ready")):
            path.unlink(missing_ok=True)
    print("FAILED" if failed else "OK", flush=True)
    return 1 if failed else 0


async def _load(options, plan: Plan, server, port: int, users: list[int], log: Path) -> dict:
    citizens = await log_in_all(port, users)
    load = Load(port, plan, citizens, secrets.token_hex(3), options.seed)
    print(f"{options.connections} connections for {options.seconds:g} s"
          f"{', killing the workers ' + str(options.kills) + ' times' if options.crash else ''} …",
          flush=True)  # fmt: skip
    crashes = []
    if options.crash:
        killer = asyncio.create_task(crash_loop(server, load, log, options.seconds,
                                                options.kills, options.workers))  # fmt: skip
        elapsed = await load.run(options.seconds, options.connections, options.max_requests)
        crashes = await killer
    else:
        elapsed = await load.run(options.seconds, options.connections, options.max_requests)
    return {"stats": load.stats, "elapsed": elapsed, "crashes": crashes,
            "acknowledged": load.stats.acknowledged}  # fmt: skip


def report(options, result: dict, missing: dict[str, int], consistent: bool) -> dict:
    stats: Stats = result["stats"]
    answered = sum(stats.statuses.values())
    figures = {
        "seconds": round(result["elapsed"], 1), "connections": options.connections,
        "workers": options.workers, "answered": answered,
        "requests_per_s": round(answered / result["elapsed"], 1),
        "p50_ms": round(percentile(stats.latencies, 0.50), 1),
        "p95_ms": round(percentile(stats.latencies, 0.95), 1),
        "p99_ms": round(percentile(stats.latencies, 0.99), 1),
        "statuses": dict(sorted(stats.statuses.items())),
        "server_errors": len(stats.server_errors), "server_error_samples": stats.server_errors[:10],
        "failed_requests": sum(stats.failures.values()), "failures": dict(stats.failures),
        "acknowledged": {k: len(v) for k, v in stats.acknowledged.items()},
        "missing": missing, "refused": dict(stats.refused),
        "unacknowledged_writes": stats.unacknowledged_writes,
        "counters_consistent": consistent, "crashes": result["crashes"],
        "routes": {route: {"count": len(times), "p50_ms": round(percentile(times, 0.5), 1),
                           "p95_ms": round(percentile(times, 0.95), 1)}
                   for route, times in sorted(stats.by_route.items())},
    }  # fmt: skip
    print(f"""
{figures['answered']} answers in {figures['seconds']} s at {options.connections} connections \
({options.workers} gunicorn workers): {figures['requests_per_s']} req/s
latency p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms
statuses {figures['statuses']}; 5xx: {figures['server_errors']}
no complete answer: {figures['failed_requests']} {figures['failures'] or ''}
acknowledged writes: {figures['acknowledged']} ({sum(figures['acknowledged'].values())}), \
missing in the database: {sum(missing.values())} {missing}
writes not acknowledged: {figures['unacknowledged_writes']}; refused by a rule: \
{sum(stats.refused.values())} {figures['refused'] or ''}
counters match their rows: {consistent}""", flush=True)  # fmt: skip
    print("per route (count, p50, p95 in ms): " + "; ".join(
        f"{route} {r['count']}, {r['p50_ms']:.0f}, {r['p95_ms']:.0f}"
        for route, r in figures["routes"].items()))  # fmt: skip
    for number, crash in enumerate(figures["crashes"], start=1):
        print(f"crash {number}: {crash['killed']} workers killed; forked again after "
              f"{_s(crash['workers_back_after_s'])}, app loaded after "
              f"{_s(crash['ready_after_s'])}, answering again after "
              f"{_s(crash['answered_after_s'])} (recovery); a request sent at the kill: "
              f"{_s(crash['queued_request_after_s'])}")  # fmt: skip
    return figures


if __name__ == "__main__":
    sys.exit(main())
