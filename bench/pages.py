"""Page latency at 10,000 AI systems: every list page of every area, the dashboard and the SoA.

Seeds one organization with 100 and with 10,000 AI systems (10 risks each, and as many pieces
of evidence as systems; bench/scale.py), each in a fresh SQLite database, and times every page
of the sidebar and every other list page (URL names ending in ``_list``) with the in-process
Django test client: server time, warm (after two requests), median of the repeats. Targets:
each page under 15 ms median at 10,000 systems, and the Statement of Applicability flat with
size (its median at 10,000 systems within 1.25 times its median at 100). It also prints the
first request after the data changed for the pages whose figures are cached under the
organization's audit-trail version (aims/trail/cache.py): that request computes them.

    python bench/pages.py                      # 100 and 10,000 systems, ~3 minutes
    python bench/pages.py --quick              # 100 and 1,000 systems
    python bench/pages.py --profile risk_list  # where one page's time goes, at 10,000 systems
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.child import bench_organization, run_child, timings_ms  # noqa: E402

TARGET_MS = 15.0
FLAT = "soa_list"  # the page whose time must not grow with the data
TARGET_FLAT_RATIO = 1.25
# Pages whose figures are cached per version of the organization's data: the first request
# after a change computes them.
CACHED = ("dashboard", "risk_list", "soa_list")


def pages() -> list[str]:
    """The URL names of the pages benched: the dashboard, the SoA, every page of the sidebar
    and every list page (a URL of the organization alone whose name ends in ``_list``)."""
    from django.urls import get_resolver
    from django.urls.resolvers import URLResolver

    from aims.core.areas import navigation

    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern.name

    lists = sorted(
        name
        for path, name in walk(get_resolver())
        if name and name.endswith("_list") and path.startswith("o/<slug:org>/")
        if path.count("<") == 1
    )
    nav = [link.url_name for _, links in navigation() for link in links]
    return list(dict.fromkeys(["dashboard", FLAT, *nav, *lists]))


def measure(systems: int, repeats: int) -> dict:
    """Run in a child process with its own database: seed, then time each page."""
    user, org, seeded = bench_organization(systems)
    from django.test import Client
    from django.urls import reverse

    from aims.trail.models import Action
    from aims.trail.services import record

    client = Client()
    client.force_login(user)

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    results = {"systems": systems, "seed_seconds": seeded, "pages": {}}
    for name in pages():
        timings = timings_ms(repeats, get, reverse(name, kwargs={"org": org.slug}), warm=2)
        results["pages"][name] = {
            "p50_ms": statistics.median(timings),
            "p95_ms": timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)],
        }
    for name in CACHED:
        url = reverse(name, kwargs={"org": org.slug})
        cold = []
        for _ in range(5):
            record(org, actor=user, instance=org, action=Action.UPDATE, note="bench")
            cold.append(timings_ms(1, get, url, warm=0)[0])  # a new data version: computed
        results["pages"][name]["cold_ms"] = statistics.median(cold)
    return results


def profile(systems: int, name: str, repeats: int) -> dict:
    """Run in a child process: where the time of page ``name`` goes, warm, as cProfile sees
    ``repeats`` requests, and the SQL of one request with each query's time."""
    import cProfile
    import io
    import pstats
    import time

    user, org, _ = bench_organization(systems)
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(user)
    url = reverse(name, kwargs={"org": org.slug})
    for _ in range(3):
        assert client.get(url).status_code == 200
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeats):
        client.get(url)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    queries = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(((time.perf_counter() - started) * 1000, sql))

    with connection.execute_wrapper(timed):
        client.get(url)
    lines = [f"{len(queries)} queries in one request of {url}, slowest first:"]
    lines += [f"{ms:8.2f} ms  {sql[:300]}" for ms, sql in sorted(queries, reverse=True)]
    return {"report": out.getvalue() + "\n".join(lines)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", type=int)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--profile", metavar="URL_NAME", help="profile one page instead")
    args = parser.parse_args()
    small, large = (100, 1_000) if args.quick else (100, 10_000)
    if args.child and args.profile:
        print(json.dumps(profile(args.child, args.profile, args.repeats)))
        return 0
    if args.child:
        print(json.dumps(measure(args.child, args.repeats)))
        return 0
    if args.profile:
        extra = ("--profile", args.profile, "--repeats", str(args.repeats))
        print(run_child(__file__, str(large), *extra, sqlite=True)["report"])
        return 0
    a = run_child(__file__, str(small), "--repeats", str(args.repeats), sqlite=True)
    b = run_child(__file__, str(large), "--repeats", str(args.repeats), sqlite=True)
    print(
        f"Page server time, {large:,} AI systems ({large * 10:,} risks, {large:,} evidence) "
        f"beside {small:,}, SQLite, in-process Django test client, warm, median of "
        f"{args.repeats} requests; seeded in {a['seed_seconds']:.1f} s and "
        f"{b['seed_seconds']:.1f} s"
    )
    print(
        f"{'page':<28}{f'{large:,}':>10}{'p95':>10}{'target':>9}{'of target':>11}"
        f"{f'{small:,}':>10}{'growth':>8}"
    )
    over = []
    for name, timing in b["pages"].items():
        median, growth = timing["p50_ms"], timing["p50_ms"] / a["pages"][name]["p50_ms"]
        if median >= TARGET_MS:
            over.append(name)
        print(
            f"{name:<28}{median:>8.1f}ms{timing['p95_ms']:>8.1f}ms{TARGET_MS:>7.0f}ms"
            f"{median / TARGET_MS:>11.2f}{a['pages'][name]['p50_ms']:>8.1f}ms{growth:>8.2f}"
            + ("  OVER TARGET" if name in over else "")
        )
    slowest = max(b["pages"], key=lambda name: b["pages"][name]["p50_ms"])
    growth = b["pages"][FLAT]["p50_ms"] / a["pages"][FLAT]["p50_ms"]
    flat = growth < TARGET_FLAT_RATIO
    print(
        f"target: every page under {TARGET_MS:.0f} ms median at {large:,} systems: "
        f"{f'OVER TARGET on {len(over)} pages' if over else 'ok'}; slowest {slowest}, "
        f"{b['pages'][slowest]['p50_ms']:.1f} ms, "
        f"{b['pages'][slowest]['p50_ms'] / TARGET_MS:.2f} of the target"
    )
    print(
        f"target: the SoA flat with size, its time at {large:,} systems over its time at "
        f"{small:,} under {TARGET_FLAT_RATIO}: {growth:.2f} {'ok' if flat else 'OVER TARGET'}"
    )
    print(f"where the time goes: python bench/pages.py --profile {slowest}")
    print("\nfirst request after the data changed (cached figures computed), median of 5:")
    for name in CACHED:
        c_small, c_large = a["pages"][name]["cold_ms"], b["pages"][name]["cold_ms"]
        print(f"{name:<28}{c_large:>8.1f}ms at {large:,}{c_small:>8.1f}ms at {small:,}")
    return 1 if over or not flat else 0


if __name__ == "__main__":
    sys.exit(main())
