"""Latency at a moderate load: requests arriving at random at a fixed rate (an open loop).

wrk keeps all its connections busy: at full load a request waits behind those queued before
it, and its latency measures the queue more than the page. Pausing wrk's connections does not
help here either: a sync worker accepts a connection and then waits, idle, for the request the
paused client has not sent yet. So this sends requests as a Poisson process at a given rate
(bench.py asks for half of what wrk measured), each on its own connection, and counts each
latency from the moment the request was due: a server, or this client, that falls behind
shows as latency, not as fewer requests.
"""

from __future__ import annotations

import asyncio
import collections
import random
import time
from collections.abc import Callable

from load import percentile, request  # (bench/load.py: the minimal HTTP client)

# One request: method, path, cookie header, form fields (or None), Accept header.
Request = tuple[str, str, str, dict | None, str]
ANSWERED = {200, 302, 303}
# Faster than this, this client (one Python process on the same two cores) falls behind and
# its own delay would be counted. At 600/s it adds about 2 ms (p50 2.4 ms, p95 4.9 ms for
# /healthz/live, which takes 0.4 ms); the figures are the latency a person sees, or more.
MAX_RATE = 600.0


def measure(port: int, rate: float, seconds: float, next_request: Callable[[], Request]) -> dict:
    """Requests per second, p50/p95/p99 (ms) and errors, in wrk's result format."""
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    result = asyncio.run(_open_loop(port, rate, seconds, next_request))
    # This client's own share of a core: it runs on the same two cores as the server.
    result["client_cpu"] = (time.process_time() - cpu_before) / (time.perf_counter() - wall_before)
    return result


async def _open_loop(port: int, rate: float, seconds: float,
                     next_request: Callable[[], Request]) -> dict:  # fmt: skip
    loop = asyncio.get_running_loop()
    arrivals = random.Random(9)
    latencies: list[float] = []
    errors = 0
    failures: collections.Counter = collections.Counter()  # (status or error: how often)

    async def send(due: float, method: str, path: str, cookie: str, form, accept: str) -> None:
        nonlocal errors
        answer = await request(port, method, path, cookie, form, timeout=30, accept=accept)
        latencies.append(loop.time() - due)
        if answer.status not in ANSWERED:
            errors += 1
            failures[str(answer.status or answer.error)] += 1

    started = due = loop.time()
    pending = set()
    while True:
        due += arrivals.expovariate(rate)
        if due - started > seconds:
            break
        if due > loop.time():
            await asyncio.sleep(due - loop.time())
        task = asyncio.create_task(send(due, *next_request()))
        pending.add(task)
        task.add_done_callback(pending.discard)
    await asyncio.gather(*pending)
    return {"rps": len(latencies) / seconds, "p50": percentile(latencies, 0.5),
            "p95": percentile(latencies, 0.95), "p99": percentile(latencies, 0.99),
            "errors": errors, "requests": len(latencies), "failures": dict(failures)}  # fmt: skip
