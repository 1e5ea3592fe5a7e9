"""The benchmark city: a large city's worth of data, inserted in bulk (`flask seed-bench`).

Rows get explicit ids so that foreign keys need no lookups; every generator is deterministic,
so two runs build the same city. Counters kept on rows are set from the real rows at the end.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select, text, update

from engage.accounts.models import User
from engage.accounts.services import hash_password
from engage.boards.dialogue_models import Comment, Thread
from engage.boards.models import Announcement
from engage.core.types import local_today, utcnow
from engage.extensions import db
from engage.organisation.models import Department, District
from engage.processes.models import Phase, PhaseKind, Process
from engage.proposals.models import Proposal, Support
from engage.reports import ledger
from engage.volunteering.models import ServiceOffer, Shift, Signup

BATCH = 10_000
BENCH_PASSWORD = "bench-password"  # noqa: S105 (a published demo password, like the demo city's)
STATUSES = ["submitted"] * 6 + ["under_review"] * 2 + ["accepted", "rejected", "implemented"]


@dataclass(frozen=True)
class Sizes:
    users: int = 100_000
    processes: int = 20
    proposals: int = 20_000
    supports: int = 1_000_000
    comments: int = 200_000
    threads: int = 5_000
    shifts: int = 5_000
    signups: int = 50_000

    def scaled(self, factor: float) -> Sizes:
        """The same city, smaller (tests) or larger; never below what the shapes need."""
        return Sizes(**{k: max(int(v * factor), 20 if k != "processes" else 2)
                        for k, v in vars(self).items()})  # fmt: skip


# The two pages the benchmark reads: the first thread and the first proposal.
LONG_THREAD_REPLIES = 2_000
LONG_PROPOSAL_COMMENTS = 500


def _bulk(model, rows: Iterator[dict], progress: Callable[[str], None]) -> int:
    """Insert rows in batches through SQLAlchemy Core (executemany)."""
    count, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            db.session.execute(insert(model), batch)
            count, batch = count + len(batch), []
    if batch:
        db.session.execute(insert(model), batch)
        count += len(batch)
    progress(f"{model.__tablename__}: {count}")
    return count


def _users(sizes: Sizes, departments: int, districts: int) -> Iterator[dict]:
    password_hash = hash_password(BENCH_PASSWORD)  # one hash for all: bcrypt would take hours
    now = utcnow()
    for n in range(1, sizes.users + 1):
        role = "admin" if n == 1 else "council" if n <= 11 else "staff" if n <= 61 else "citizen"
        yield {"id": n, "email": f"user{n}@bench.example", "display_name": f"Person {n}",
               "password_hash": password_hash, "role": role, "email_verified_at": now,
               "department_id": (n % departments) + 1 if role == "staff" else None,
               "district_id": (n % districts) + 1,
               "created_at": now - timedelta(minutes=n)}  # fmt: skip


def _support_counts(sizes: Sizes) -> list[int]:
    """Supports per proposal: a long tail, the first proposals most popular, summing exactly."""
    weights = [1 / (rank + 1) ** 0.6 for rank in range(sizes.proposals)]
    scale = sizes.supports / sum(weights)
    counts = [min(int(w * scale), sizes.users - 100) for w in weights]
    counts[-1] += sizes.supports - sum(counts)
    return counts


def _supports(sizes: Sizes, counts: list[int]) -> Iterator[dict]:
    now = utcnow()
    citizens = sizes.users - 61
    for proposal_id, count in enumerate(counts, start=1):
        start = (proposal_id * 7919) % citizens
        for k in range(count):  # distinct users per proposal: consecutive ids modulo citizens
            yield {"proposal_id": proposal_id, "user_id": 62 + (start + k) % citizens,
                   "created_at": now - timedelta(seconds=k)}  # fmt: skip


def _comments(sizes: Sizes, rng: random.Random) -> Iterator[dict]:
    """Replies to threads and comments on proposals; some nested one level."""
    now = utcnow()
    n = 0
    on_threads = (sizes.comments - LONG_PROPOSAL_COMMENTS) // 2
    plan = [("thread_id", 1, LONG_THREAD_REPLIES), ("proposal_id", 1, LONG_PROPOSAL_COMMENTS)]
    rest_threads = max(on_threads - LONG_THREAD_REPLIES, 0)
    rest_proposals = max(sizes.comments - LONG_PROPOSAL_COMMENTS - on_threads, 0)
    plan += [("thread_id", 2 + i % (sizes.threads - 1), 1) for i in range(rest_threads)]
    plan += [("proposal_id", 2 + i % (sizes.proposals - 1), 1) for i in range(rest_proposals)]
    last_root: dict[tuple, int] = {}
    for column, parent_id, count in plan:
        for _ in range(count):
            n += 1
            key = (column, parent_id)
            nested = key in last_root and rng.random() < 0.3
            yield {"id": n, column: parent_id, "author_id": rng.randint(62, sizes.users),
                   "body": f"Beitrag {n}: Das sehe ich ähnlich, aber die Kosten sind zu klären.",
                   "parent_id": last_root[key] if nested else None,
                   "root_id": last_root[key] if nested else n, "depth": 1 if nested else 0,
                   "created_at": now - timedelta(seconds=sizes.comments - n)}  # fmt: skip
            if not nested:
                last_root[key] = n


def _processes(sizes: Sizes, departments: int, districts: int) -> Iterator[dict]:
    now = utcnow()
    for i in range(1, sizes.processes + 1):
        yield {"id": i, "slug": f"verfahren-{i}", "title": f"Beteiligungsverfahren {i}",
               "summary": "Ein Verfahren der Benchmark-Stadt.", "status": "published",
               "department_id": i % departments + 1,
               "district_id": (i % districts) + 1 if i % 3 else None, "published_at": now,
               "support_threshold": 100, "answer_deadline_days": 30}  # fmt: skip


def _proposals(sizes: Sizes, rng: random.Random, districts: int) -> Iterator[dict]:
    now = utcnow()
    for i in range(1, sizes.proposals + 1):
        yield {"id": i, "process_id": i % sizes.processes + 1, "title": f"Vorschlag {i}",
               "author_id": rng.randint(62, sizes.users), "problem": "Das Problem",
               "idea": "Die Idee", "intended_outcome": "Wirkung", "indicator": "Zählung",
               "district_id": i % districts + 1, "status": STATUSES[i % len(STATUSES)],
               "created_at": now - timedelta(minutes=i),
               "submitted_at": now - timedelta(minutes=i)}  # fmt: skip


def seed(sizes: Sizes, progress: Callable[[str], None] = print) -> None:
    """Fill an empty database with the benchmark city."""
    if db.session.scalar(select(func.count()).select_from(User)):
        raise RuntimeError("seed-bench needs an empty database (run it on a fresh one)")
    rng = random.Random(2026)  # noqa: S311 (test data, not secrets)
    now, today = utcnow(), local_today()
    n_dep, n_dis = 8, 12
    _bulk(Department, ({"id": i, "name": f"Fachbereich {i}", "short_name": f"FB{i}"}
                       for i in range(1, n_dep + 1)), progress)  # fmt: skip
    _bulk(District, ({"id": i, "name": f"Stadtteil {i}"} for i in range(1, n_dis + 1)), progress)
    _bulk(User, _users(sizes, n_dep, n_dis), progress)
    _bulk(Process, _processes(sizes, n_dep, n_dis), progress)
    _bulk(Phase, ({"process_id": i, "kind": PhaseKind.VOTING.value, "position": 3,
                   "starts_on": today - timedelta(days=30), "ends_on": today + timedelta(days=60)}
                  for i in range(1, sizes.processes + 1)), progress)  # fmt: skip
    _bulk(Announcement, ({"title": f"Mitteilung {i}", "body": "Neuigkeiten aus dem Rathaus.",
                          "author_id": 12 + i % 50, "publish_at": now - timedelta(hours=i)}
                         for i in range(1, 301)), progress)  # fmt: skip
    _bulk(Proposal, _proposals(sizes, rng, n_dis), progress)
    _bulk(Support, _supports(sizes, _support_counts(sizes)), progress)
    _bulk(Thread, ({"id": i, "title": f"Diskussion {i}", "body": "Worum es geht.",
                    "author_id": rng.randint(62, sizes.users),
                    "process_id": i % sizes.processes + 1 if i % 4 else None,
                    "created_at": now - timedelta(minutes=i), "last_activity_at": now}
                   for i in range(1, sizes.threads + 1)), progress)  # fmt: skip
    _bulk(Comment, _comments(sizes, rng), progress)
    _seed_volunteering(sizes, rng, n_dep, n_dis, progress)
    _recount()
    _reset_sequences()
    progress("counters recounted")
    progress(f"participation ledger: {ledger.rebuild(db.session)} rows")
    db.session.commit()
    db.session.execute(text("ANALYZE"))  # planner statistics, as after any bulk load
    progress("statistics updated")


def _seed_volunteering(sizes, rng, n_dep, n_dis, progress) -> None:
    offers = max(sizes.shifts // 25, 1)
    _bulk(ServiceOffer, ({"id": i, "title": f"Mitmach-Angebot {i}", "description": "Mithelfen.",
                          "department_id": i % n_dep + 1, "district_id": i % n_dis + 1,
                          "hour_value": Decimal("15.00")}
                         for i in range(1, offers + 1)), progress)  # fmt: skip
    start = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(days=60)
    _bulk(Shift, ({"id": i, "offer_id": i % offers + 1, "capacity": 10,
                   "starts_at": start + timedelta(hours=7 * i),
                   "ends_at": start + timedelta(hours=7 * i + 2)}
                  for i in range(1, sizes.shifts + 1)), progress)  # fmt: skip
    per_shift = max(sizes.signups // sizes.shifts, 1)
    past = utcnow()

    def signups():
        for shift_id in range(1, sizes.shifts + 1):
            begins = start + timedelta(hours=7 * shift_id)
            first = rng.randint(62, sizes.users - per_shift)
            for k in range(per_shift):
                status = ("attended" if k % 7 else "no_show") if begins < past else "confirmed"
                yield {"shift_id": shift_id, "user_id": first + k, "status": status,
                       "hours": Decimal(2) if status == "attended" else None}  # fmt: skip

    _bulk(Signup, signups(), progress)


def _recount() -> None:
    """Set every counter kept on a row from the rows it counts."""
    supports = select(func.count()).where(Support.proposal_id == Proposal.id).scalar_subquery()
    from engage.boards.reply_counts import counted

    comments = select(func.count()).where(Comment.proposal_id == Proposal.id, counted())
    replies = select(func.count()).where(Comment.thread_id == Thread.id, counted())
    comments, replies = comments.scalar_subquery(), replies.scalar_subquery()
    db.session.execute(update(Proposal).values(support_count=supports, comment_count=comments))
    db.session.execute(update(Thread).values(reply_count=replies))


def _reset_sequences() -> None:
    """PostgreSQL: move each id sequence past the explicit ids inserted above."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in (Department, District, User, Process, Proposal, Thread, Comment, ServiceOffer,
                  Shift):  # fmt: skip
        table = model.__tablename__
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 (fixed names)
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))  # fmt: skip
