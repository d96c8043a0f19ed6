"""What the page benchmarks share: a measuring child process with a database of its own, the
bench organization seeded in it, and the median of repeated calls.

Each measurement runs in a fresh Python process (``python bench/<script>.py --child N``) so its
database, caches and imports start empty and one size never warms another; the parent reads the
child's result from the last line it prints, as JSON.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_child(script: str, *args: str, sqlite: bool = False) -> dict:
    """Run ``script --child ...args`` with debug off and a temporary data folder (the SQLite
    database, when no DATABASE_URL; with ``sqlite`` always, DATABASE_URL ignored), and return
    the JSON it prints last. A failing child stops the benchmark with its error."""
    env = dict(os.environ, AIMS_DEBUG="0", AIMS_LOG_LEVEL="WARNING")
    if sqlite:
        env.pop("DATABASE_URL", None)
    with tempfile.TemporaryDirectory(prefix="aims-bench-") as data_dir:
        env["AIMS_DATA_DIR"] = data_dir
        done = subprocess.run(
            [sys.executable, script, "--child", *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    if done.returncode:
        sys.exit(f"the measuring process failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_organization(systems: int, risks_per_system: int = 10):
    """In the child: set Django up on its empty database and seed one organization with
    ``systems`` AI systems, ``risks_per_system`` risks each and as many pieces of evidence as
    systems (bench/scale.py). Returns the owner, the organization and the seconds seeding took.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aims.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from aims.organizations.services import create_organization
    from bench.scale import seed

    if connection.introspection.table_names():
        raise SystemExit(f"{connection.settings_dict['NAME']} is not empty: bench an empty one")
    call_command("migrate", verbosity=0)
    call_command("catalog_load", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    org = create_organization(name="Bench Org", owner=user)
    started = time.perf_counter()
    seed(org, systems=systems, risks_per_system=risks_per_system, evidence=systems, owner=user)
    seeded = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load
    return user, org, seeded


def timings_ms(repeats: int, fn, *args, warm: int = 1, **kwargs) -> list[float]:
    """The times of ``repeats`` calls of ``fn(*args, **kwargs)`` in ms, sorted, after ``warm``
    calls to warm up."""
    for _ in range(warm):
        fn(*args, **kwargs)
    timings = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(*args, **kwargs)
        timings.append((time.perf_counter() - t0) * 1000)
    return sorted(timings)


def median_ms(repeats: int, fn, *args, **kwargs) -> float:
    """The median time of ``fn(*args, **kwargs)`` in ms, after one call to warm up."""
    return statistics.median(timings_ms(repeats, fn, *args, **kwargs))
