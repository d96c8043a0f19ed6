"""Page latency at two data sizes: does the app slow down as the inventory grows?

Seeds one organization with 100 and with 10,000 AI systems (10 risks each), each in a fresh
SQLite database, and reports the p95 latency of the dashboard, the risk register and the
Statement of Applicability at both sizes, with the ratio. The target is a ratio below 3.
It also prints the first request after the data changed: the dashboard and the register's heat
maps are cached under the organization's audit-trail version (aims/core/cache.py), and that
first request is the one that computes them.

    python bench/pages.py            # both sizes, ~2 minutes
    python bench/pages.py --quick    # 100 and 1,000 systems
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = {"dashboard": "dashboard", "risk register": "risk_list", "SoA": "soa_list"}
TARGET_RATIO = 3.0


def measure(systems: int, repeats: int) -> dict:
    """Run in a child process with its own database: seed, warm up, time each page."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aims.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from aims.organizations.services import create_organization
    from bench.scale import seed

    call_command("migrate", verbosity=0)
    call_command("catalog_load", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    org = create_organization(name="Bench Org", owner=user)
    started = time.perf_counter()
    seed(org, systems=systems, risks_per_system=10, evidence=systems, owner=user)
    seeded = time.perf_counter() - started
    client = Client()
    client.force_login(user)
    results = {"systems": systems, "risks": systems * 10, "seed_seconds": seeded, "pages": {}}
    for label, name in PAGES.items():
        url = reverse(name, kwargs={"org": org.slug})
        t0 = time.perf_counter()
        assert client.get(url).status_code == 200  # cold: nothing cached for this data yet
        cold = (time.perf_counter() - t0) * 1000
        for _ in range(2):
            assert client.get(url).status_code == 200
        timings = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        timings.sort()
        results["pages"][label] = {
            "cold_ms": cold,
            "p50_ms": statistics.median(timings),
            "p95_ms": timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)],
        }
    return results


def run_child(systems: int, repeats: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="aims-bench-") as data_dir:
        env = dict(os.environ, AIMS_DATA_DIR=data_dir, AIMS_DEBUG="0", AIMS_LOG_LEVEL="WARNING")
        env.pop("DATABASE_URL", None)
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(systems), "--repeats", str(repeats)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", type=int)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.repeats)))
        return 0
    small, large = (100, 1_000) if args.quick else (100, 10_000)
    print(
        f"Page latency, {small:,} vs {large:,} AI systems (10 risks each), "
        f"{args.repeats} requests per page, in-process Django test client, SQLite"
    )
    a = run_child(small, args.repeats)
    b = run_child(large, args.repeats)
    print(f"seeded in {a['seed_seconds']:.1f} s and {b['seed_seconds']:.1f} s")
    print(f"{'page':<15}{'p95 small':>12}{'p95 large':>12}{'ratio':>8}  target < {TARGET_RATIO}")
    failed = False
    for label in PAGES:
        p_small, p_large = a["pages"][label]["p95_ms"], b["pages"][label]["p95_ms"]
        ratio = p_large / p_small
        failed |= ratio >= TARGET_RATIO
        flag = "ok" if ratio < TARGET_RATIO else "OVER TARGET"
        print(f"{label:<15}{p_small:>10.1f}ms{p_large:>10.1f}ms{ratio:>8.2f}  {flag}")
    print("\nfirst request after the data changed (overviews not cached yet):")
    for label in PAGES:
        c_small, c_large = a["pages"][label]["cold_ms"], b["pages"][label]["cold_ms"]
        print(f"{label:<15}{c_small:>10.1f}ms{c_large:>10.1f}ms{c_large / c_small:>8.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
