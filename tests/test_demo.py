"""The demo city tells a story without time travel, each item in the district its title names."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engage.accounts.models import User
from engage.boards.dialogue_models import Comment, Thread
from engage.boards.models import Announcement
from engage.core.types import utcnow
from engage.extensions import db
from engage.moderation.models import Appeal, Flag, ModerationDecision
from engage.organisation.models import District
from engage.processes.models import Process
from engage.proposals.models import Proposal, ProposalEvent, Rating, Support
from engage.volunteering.models import ServiceOffer, Shift, Signup


@pytest.fixture
def demo(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    return lambda model: db.session.scalars(select(model)).unique().all()


def _wrong(pairs) -> list[str]:
    """The pairs (what, earlier, later) whose "earlier" moment is after the "later" one."""
    return [what for what, earlier, later in pairs if earlier > later]


def test_every_reply_comes_after_its_thread_or_proposal_and_the_post_it_answers(demo):
    now = utcnow()
    comments = {c.id: c for c in demo(Comment)}
    threads = {t.id: t for t in demo(Thread)}
    proposals = {p.id: p for p in demo(Proposal)}
    users = {u.id: u for u in demo(User)}
    pairs = []
    for c in comments.values():
        subject = threads[c.thread_id] if c.thread_id else proposals[c.proposal_id]
        opened = subject.created_at if c.thread_id else subject.submitted_at
        pairs += [(f"reply {c.id} before its subject", opened, c.created_at),
                  (f"reply {c.id} before its author joined", users[c.author_id].created_at,
                   c.created_at),
                  (f"reply {c.id} in the future", c.created_at, now)]  # fmt: skip
        if c.parent_id:
            parent = comments[c.parent_id]
            pairs.append((f"reply {c.id} before its parent", parent.created_at, c.created_at))
    for t in threads.values():
        pairs += [(f"thread {t.id} before its author joined", users[t.author_id].created_at,
                   t.created_at),
                  (f"thread {t.id} active before it was opened", t.created_at,
                   t.last_activity_at)]  # fmt: skip
        if t.answered_at:
            pairs.append((f"thread {t.id} answered before it was opened", t.created_at,
                           t.answered_at))  # fmt: skip
            assert t.answer_seconds == int((t.answered_at - t.created_at).total_seconds())
        if t.process_id:
            process = db.session.get(Process, t.process_id)
            pairs.append((f"thread {t.id} before its process", process.published_at,
                          t.created_at))  # fmt: skip
    assert _wrong(pairs) == []
    assert len(comments) > 10  # (the check checks something)


def test_every_proposal_step_support_and_rating_follows_its_submission(demo):
    pairs = []
    users = {u.id: u for u in demo(User)}
    for p in demo(Proposal):
        if p.submitted_at is None:
            continue
        pairs += [(f"proposal {p.id} submitted before it was written", p.created_at,
                   p.submitted_at),
                  (f"proposal {p.id} before its process", p.process.published_at,
                   p.created_at)]  # fmt: skip
        events = db.session.scalars(select(ProposalEvent).where(
            ProposalEvent.proposal_id == p.id).order_by(ProposalEvent.id)).all()  # fmt: skip
        for before, after in zip(events, events[1:], strict=False):
            pairs.append((f"proposal {p.id}: step {after.to_status} before {before.to_status}",
                          before.created_at, after.created_at))  # fmt: skip
        for event in events:
            pairs.append((f"proposal {p.id}: {event.to_status} before its submission",
                          p.submitted_at, event.created_at))  # fmt: skip
        if p.answered_at:
            pairs.append((f"proposal {p.id} answered before submitted", p.submitted_at,
                          p.answered_at))  # fmt: skip
        if p.result_recorded_at:
            pairs.append((f"proposal {p.id}: result before implementation",
                           events[-1].created_at, p.result_recorded_at))  # fmt: skip
            for rating in db.session.scalars(select(Rating).where(Rating.proposal_id == p.id)):
                pairs.append((f"proposal {p.id} rated before its result", p.result_recorded_at,
                              rating.created_at))  # fmt: skip
        for support in db.session.scalars(select(Support).where(Support.proposal_id == p.id)):
            pairs += [(f"proposal {p.id} supported before submitted", p.submitted_at,
                       support.created_at),
                      (f"support on {p.id} before its supporter joined",
                       users[support.user_id].created_at, support.created_at)]  # fmt: skip
    assert _wrong(pairs) == []


def test_volunteers_sign_up_before_their_shift_and_attendance_comes_after_it(demo):
    pairs = []
    for offer in demo(ServiceOffer):
        shifts = db.session.scalars(select(Shift).where(Shift.offer_id == offer.id)).all()
        pairs += [(f"offer {offer.id} after its shift {s.id}", offer.created_at, s.starts_at)
                  for s in shifts]  # fmt: skip
    for signup in demo(Signup):
        shift = signup.shift
        pairs += [(f"sign-up {signup.id} after its shift started", signup.created_at,
                   shift.starts_at),
                  (f"sign-up {signup.id} queued before it was made", signup.created_at,
                   signup.queued_at)]  # fmt: skip
        if signup.attendance_marked_at:
            pairs += [(f"attendance of {signup.id} before the shift ended", shift.ends_at,
                       signup.attendance_marked_at)]  # fmt: skip
    assert _wrong(pairs) == []
    assert any(s.attendance_marked_at for s in demo(Signup))


def test_processes_announcements_and_moderation_come_in_order(demo):
    pairs = []
    for process in demo(Process):
        first = min(phase.starts_on for phase in process.phases)
        assert process.created_at.date() <= first - timedelta(days=1), process.title
        pairs.append((f"process {process.id} published before made", process.created_at,
                      process.published_at))  # fmt: skip
    for a in demo(Announcement):
        if a.process_id:
            process = db.session.get(Process, a.process_id)
            pairs.append((f"announcement {a.id} before its process", process.published_at,
                          a.publish_at))  # fmt: skip
    items = {"comment": Comment, "thread": Thread, "proposal": Proposal, "offer": ServiceOffer}
    for flag in demo(Flag):
        item = db.session.get(items[flag.content_type], flag.content_id)
        pairs.append((f"flag {flag.id} before its post", item.created_at, flag.created_at))
    for decision in demo(ModerationDecision):
        item = db.session.get(items[decision.content_type], decision.content_id)
        pairs.append((f"decision {decision.id} before its post", item.created_at,
                      decision.created_at))  # fmt: skip
    for appeal in demo(Appeal):
        pairs.append((f"appeal {appeal.id} before its decision", appeal.decision.created_at,
                      appeal.created_at))  # fmt: skip
    assert _wrong(pairs) == []


def test_an_item_lies_in_the_district_its_title_or_its_process_names(demo):
    districts = {d.name for d in demo(District)}
    wrong = []
    for item in [*demo(Process), *demo(Proposal), *demo(ServiceOffer), *demo(Announcement)]:
        process = getattr(item, "process", None)
        area = process.district if process is not None and process.district else None
        if isinstance(item, Proposal | ServiceOffer) and area and item.district != area:
            wrong.append(f"{item.title}: {item.district}, in a process of {area.name}")
        district = item.district or area  # (an announcement: its process's)
        named = {name for name in districts if name in item.title}
        if named and named != {district.name if district else None}:
            wrong.append(f"{item.title}: {district.name if district else 'Ganze Stadt'}")
    assert wrong == []
    park = next(o for o in demo(ServiceOffer) if o.title.startswith("Parkputz"))
    assert park.district.name == "Nordviertel"
