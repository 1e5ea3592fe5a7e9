"""One route's cost in-process: CPU and wall time per request, its SQL, or a profile.

Run from a checkout (its `engage` is imported), against the benchmark database of bench/run:

    .venv/bin/python bench/inprocess.py "/proposals/1" [--n 2000]     # ms per request
    .venv/bin/python bench/inprocess.py x --post [--json]             # POST support
    .venv/bin/python bench/inprocess.py /proposals/1 --sql            # the statements
    .venv/bin/python bench/inprocess.py /proposals/1 --pyi            # pyinstrument (pip)
    .venv/bin/python bench/inprocess.py /proposals/1 --cprof          # cProfile, CPU time
    .venv/bin/python bench/inprocess.py /floor                        # a logged-in no-op

Every request sends the same cookie header, as wrk does (a test client that kept cookies
would collect flash messages). PROF_USER picks the bench citizen (user1005@bench.example).
Compare versions only alternating, minutes apart: the machine's speed drifts.
"""

import os, sys, time, re, random, argparse

os.environ.update(
    ENGAGE_ENV="production",
    ENGAGE_SECRET_KEY="x" * 64,
    ENGAGE_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/engage_bench",
    ENGAGE_COOKIE_SECURE="false",
    ENGAGE_REDIS_URL="redis://127.0.0.1:6379/14",
    ENGAGE_RATELIMIT_ENABLED="false",
)
sys.path.insert(0, os.getcwd())  # this checkout's engage
p = argparse.ArgumentParser()
p.add_argument("path")
p.add_argument("--post", action="store_true")
p.add_argument("--n", type=int, default=2000)
p.add_argument("--sql", action="store_true")
p.add_argument("--pyi", action="store_true")
p.add_argument("--cprof", action="store_true")
p.add_argument("--anon", action="store_true")
p.add_argument("--json", action="store_true")
p.add_argument("--count", action="store_true")
a = p.parse_args()
from engage import create_app

app = create_app()
from flask_login import current_user as _cu


@app.get("/floor")
def _floor():
    return "<p>" + _cu.display_name + "</p>" * 2000


@app.get("/empty")
def _empty():
    from flask import render_template

    return render_template("base.html")


@app.get("/floor-anon")
def _floor_anon():
    return "<p>x</p>" * 2000


c = app.test_client()
user = os.environ.get("PROF_USER", "user1005@bench.example")
cookie = ""
token = ""
if not a.anon:
    page = c.get("/auth/login").get_data(as_text=True)
    t = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    r = c.post("/auth/login", data={"email": user, "password": "bench-password", "csrf_token": t})
    assert r.status_code in (302, 303), r.status_code
    page = c.get("/proposals/2").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    cookie = "; ".join(f"{k.key}={k.value}" for k in c._cookies.values())
nc = app.test_client(use_cookies=False)
headers = {"Cookie": cookie} if cookie else {}
if a.json:
    headers["Accept"] = "application/json"


def one():
    if a.post:
        pid = random.randint(1, 1800) * 11 + random.randint(0, 7)
        r = nc.post(f"/proposals/{pid}/support", data={"csrf_token": token, "intent": "support"},
                     headers=headers)  # fmt: skip
        assert r.status_code in (200, 302, 303), (r.status_code, r.get_data(as_text=True)[:500])
    else:
        r = nc.get(a.path, headers=headers)
        assert r.status_code == 200, r.status_code
    return r


for _ in range(100):
    one()
if a.sql:
    from sqlalchemy import event
    from engage.extensions import db

    stmts = []
    with app.app_context():
        eng = db.engine
    event.listen(eng, "before_cursor_execute", lambda *x: stmts.append(x[2][:150]))
    one()
    print(len(stmts))
    [print(" ", s) for s in stmts]
    sys.exit()
if a.pyi:
    from pyinstrument import Profiler

    pr = Profiler(interval=0.0002)
    pr.start()
    for _ in range(a.n):
        one()
    pr.stop()
    print(pr.output_text(unicode=True, color=False, show_all=bool(os.environ.get("ALL"))))
    sys.exit()
if a.cprof:
    import cProfile, pstats

    pr = cProfile.Profile(time.process_time)  # (CPU time: the machine is shared)
    pr.enable()
    for _ in range(a.n):
        one()
    pr.disable()
    pr.dump_stats("/tmp/engage-cprof.out")  # (for pstats: callers, cumulative times)
    st = pstats.Stats(pr)
    st.sort_stats(os.environ.get("SORT", "tottime")).print_stats(
        os.environ.get("FILTER", ""), 40
    ) if os.environ.get("FILTER") else st.sort_stats(os.environ.get("SORT", "tottime")).print_stats(
        35
    )
    st.print_callers(os.environ.get("CALLERS", "NOPE"))
    sys.exit()
if a.count:
    # Under callgrind (bench/count): instructions counted only while the requests run.
    import subprocess

    random.seed(1)
    subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], check=True,
                   capture_output=True)  # fmt: skip
    for _ in range(a.n):
        one()
    subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], check=True,
                   capture_output=True)  # fmt: skip
    sys.exit()
t0 = time.process_time()
w0 = time.perf_counter()
for _ in range(a.n):
    one()
print(
    f"{a.path}: cpu {(time.process_time() - t0) / a.n * 1000:.3f} ms  wall {(time.perf_counter() - w0) / a.n * 1000:.3f} ms"
)
