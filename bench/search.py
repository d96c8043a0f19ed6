"""Global search latency on the 10,000-system bench data: the target is under 100 ms.

Seeds one organization, in a fresh SQLite database, with 10,000 AI systems (10 risks each) and
10,000 pieces of evidence, as bench/pages.py does, and times the search page
(``/o/<org>/search/?q=``), the search box's dropdown and the API (``GET /api/v1/search``) for
queries that find one record, a few, every record of a kind (the sort of 100,000 risks) and
nothing (a scan of every kind), and a ref. Prints the median of each against the target.

    python bench/search.py            # 10,000 systems, ~1 minute
    python bench/search.py --quick    # 1,000 systems
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
TARGET_MS = 100.0
QUERIES = {
    "one system": "system 04217",
    "a ref": "R-042170",
    "a control ref": "A.6.2.4",
    "every risk": "synthetic risk",
    "nothing": "unfindable words",
}


def measure(systems: int, repeats: int) -> dict:
    """Run in a child process with its own database: seed, warm up, time each query."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aims.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from aims.organizations.services import create_organization
    from aims.organizations.tokens import issue_token
    from bench.scale import seed

    call_command("migrate", verbosity=0)
    call_command("catalog_load", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    org = create_organization(name="Bench Org", owner=user)
    started = time.perf_counter()
    seed(org, systems=systems, risks_per_system=10, evidence=systems, owner=user)
    seeded = time.perf_counter() - started
    _, secret = issue_token(user=user, organization=org, name="bench")
    client = Client()
    client.force_login(user)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    targets = {
        "page": (client, reverse("search", kwargs={"org": org.slug})),
        "box": (client, reverse("search_box", kwargs={"org": org.slug})),
        "API": (api, "/api/v1/search"),
    }
    results = {"systems": systems, "seed_seconds": seeded, "timings": {}}
    for target, (who, url) in targets.items():
        for label, q in QUERIES.items():
            for _ in range(2):  # warm up
                assert who.get(url, {"q": q}).status_code == 200
            timings = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                response = who.get(url, {"q": q})
                timings.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200
            results["timings"][f"{target}|{label}"] = statistics.median(timings)
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", type=int)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.repeats)))
        return 0
    systems = 1_000 if args.quick else 10_000
    with tempfile.TemporaryDirectory(prefix="aims-bench-") as data_dir:
        env = dict(os.environ, AIMS_DATA_DIR=data_dir, AIMS_DEBUG="0", AIMS_LOG_LEVEL="WARNING")
        env.pop("DATABASE_URL", None)
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(systems), "--repeats", str(args.repeats)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    print(
        f"Global search, {systems:,} AI systems ({systems * 10:,} risks, {systems:,} evidence), "
        f"median of {args.repeats} requests, in-process Django test client, SQLite; "
        f"seeded in {result['seed_seconds']:.1f} s"
    )
    print(f"{'query':<16}{'q':<20}" + "".join(f"{t:>10}" for t in ("page", "box", "API")))
    failed = False
    for label, q in QUERIES.items():
        row = [result["timings"][f"{target}|{label}"] for target in ("page", "box", "API")]
        failed |= any(ms >= TARGET_MS for ms in row)
        print(f"{label:<16}{q:<20}" + "".join(f"{ms:>8.1f}ms" for ms in row))
    print(f"target: every median under {TARGET_MS:.0f} ms: {'OVER TARGET' if failed else 'ok'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
