"""gunicorn.conf.py: each worker hides its loaded objects from the cycle collector, but not
garbage, and freezes a second time only once its caches are warm."""

from __future__ import annotations

import gc
import runpy
import types
import weakref

import pytest

from engage import ROOT


@pytest.fixture
def conf():
    gc.unfreeze()
    gc.disable()  # (no collection of its own between a test's steps)
    yield runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    gc.enable()
    gc.unfreeze()  # (the test process goes on collecting as usual)


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_a_worker_freezes_what_it_loaded_after_freeing_garbage(conf):
    garbage = _Cycle()
    gone = weakref.ref(garbage)
    del garbage
    kept = _Cycle()  # (alive: stays, and is frozen)

    conf["post_worker_init"](types.SimpleNamespace(nr=0))

    assert gone() is None, "a cycle that was garbage must be freed, not frozen"
    assert gc.get_freeze_count() > 1_000
    assert kept.me is kept


def test_a_worker_freezes_again_only_at_its_thousandth_request(conf):
    after = conf["FREEZE_AGAIN_AFTER_REQUESTS"]
    for served in (1, after - 1, after + 1):
        conf["post_request"](types.SimpleNamespace(nr=served), None, {}, None)
        assert gc.get_freeze_count() == 0, served
    conf["post_request"](types.SimpleNamespace(nr=after), None, {}, None)
    assert gc.get_freeze_count() > 1_000
