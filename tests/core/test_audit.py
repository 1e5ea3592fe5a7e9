"""The audit log's hash chain: appends link up, tampering is found, PostgreSQL refuses it."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from engage.core import audit
from engage.extensions import db


def _entries(n: int, actor=None):
    for i in range(n):
        audit.record("test.action", actor=actor, reason=f"Grund {i}", number=i)
    db.session.commit()


def _tamper(sql: str) -> None:
    """Change the table behind the app's back, as an attacker with database access would."""
    postgres = db.engine.dialect.name == "postgresql"
    with db.engine.begin() as conn:
        if postgres:
            conn.execute(text("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only"))
        conn.execute(text(sql))
        if postgres:
            conn.execute(text("ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_append_only"))


def test_entries_form_a_chain(app, make_user):
    admin = make_user("admin")
    _entries(3, actor=admin)
    entries = db.session.scalars(db.select(audit.AuditEntry).order_by(audit.AuditEntry.id)).all()
    assert [e.id for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == audit.GENESIS_HASH
    assert entries[1].prev_hash == entries[0].entry_hash
    assert entries[0].actor_id == admin.id
    report = audit.verify_chain()
    assert report.ok and report.checked == 3


def test_changed_entry_is_detected(app, runner):
    _entries(4)
    assert runner.invoke(args=["verify-audit"]).exit_code == 0
    _tamper("UPDATE audit_entry SET reason = 'harmlos' WHERE id = 2")
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 1
    assert "entry 2 was changed" in result.output


def test_deleted_entry_is_detected(app, runner):
    _entries(4)
    _tamper("DELETE FROM audit_entry WHERE id = 3")
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 1
    assert "missing" in result.output


def test_deleted_newest_entry_is_detected(app, runner):
    _entries(3)
    _tamper("DELETE FROM audit_entry WHERE id = 3")
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 1
    assert "should hold 3 entries" in result.output


def test_rehashed_entry_still_breaks_the_link_to_the_next(app):
    _entries(3)
    entry = db.session.get(audit.AuditEntry, 2)
    entry.reason = "umgeschrieben"
    forged = audit.compute_hash(entry)
    db.session.rollback()
    _tamper(
        f"UPDATE audit_entry SET reason = 'umgeschrieben', entry_hash = '{forged}' WHERE id = 2"
    )
    report = audit.verify_chain()
    assert not report.ok
    assert any("entry 3 does not link" in problem for problem in report.problems)


def test_postgresql_refuses_update_and_delete(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    _entries(1)
    for sql in ("UPDATE audit_entry SET reason = 'x'", "DELETE FROM audit_entry"):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(sql))


def test_verify_audit_passes_on_the_demo_city(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    result = runner.invoke(args=["verify-audit"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_concurrent_appends_never_fork_the_chain(app):
    import threading

    errors = []

    def worker(n: int) -> None:
        with app.app_context():
            try:
                for i in range(5):
                    audit.record("test.concurrent", reason=f"{n}-{i}")
                    db.session.commit()
            except Exception as error:  # collected and asserted below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = audit.verify_chain()
    assert report.ok, report.problems
    assert report.checked == 40
