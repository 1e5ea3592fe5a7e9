"""gunicorn's settings for Engage (gunicorn reads ./gunicorn.conf.py from where it is started).

Python's cycle collector stops a worker while it looks at every object that survived long
enough: a loaded Engage worker holds about 150,000 of them (modules, SQLAlchemy's mappers and
statement caches, compiled templates), and each full collection took 65–73 ms under load in
bench/run — every request of that worker, and the ones queued behind it, waited. None of those
objects is ever garbage, so each worker moves them out of the collector's sight (gc.freeze):
once the application is loaded, and once more when the first requests have filled its caches.
Full collections then look at what requests and kept fragments made since, and took 1–11 ms
in the same run.
"""

from __future__ import annotations

import gc

# By then the pages people open have been compiled and their statements cached.
FREEZE_AGAIN_AFTER_REQUESTS = 1_000


def post_worker_init(worker) -> None:
    _freeze()


def post_request(worker, req, environ, resp) -> None:
    if getattr(worker, "nr", 0) == FREEZE_AGAIN_AFTER_REQUESTS:
        _freeze()


def _freeze() -> None:
    gc.collect()  # (garbage first: a frozen cycle would never be freed)
    gc.freeze()
