"""The shape of the house: a ground floor that imports no area, no cycle between apps, and areas
that plug in through their area.py alone.

The import graph is read from the source (every ``import`` and ``from ... import`` of every module
of ``aims``, inside functions too), each module belonging to the installed app whose package
holds it. ``aims.metrics`` is a library below everything (it never imports Django).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse

from aims.api.urls import api
from aims.core import areas

ROOT = Path(__file__).resolve().parents[1]
GROUND_FLOOR = {
    "core",
    "organizations",
    "audit",
    "trail_pages",
    "proposals",
    "accounts",
    "api",
    "dashboard",
}
LIBRARIES = {"aims.metrics": "metrics"}
# Project modules that wire everything together (URLs, settings, the console script).
PROJECT = {"aims.urls", "aims.settings", "aims.wsgi", "aims.cli", "aims"}


def app_packages() -> dict[str, str]:
    """Package -> app label of every installed app of OpenAIMS, and of the libraries."""
    found = {c.name: c.label for c in apps.get_app_configs() if c.name.startswith("aims.")}
    return {**found, **LIBRARIES}


def owner(module: str, packages: dict[str, str]) -> str | None:
    """The app a module belongs to: the installed package holding it (the longest match)."""
    matches = [p for p in packages if module == p or module.startswith(p + ".")]
    return packages[max(matches, key=len)] if matches else None


def import_graph() -> dict[str, dict[str, list[str]]]:
    """App -> imported app -> the places (file:line) that import it."""
    packages = app_packages()
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted((ROOT / "aims").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        source = owner(module, packages)
        if source is None or module in PROJECT:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.ImportFrom) and node.level > 0:
                base = module.split(".")
                if path.name != "__init__.py":
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                names = [".".join(base + ([node.module] if node.module else []))]
            else:
                continue
            for name in names:
                target = owner(name, packages)
                if target is not None and target != source:
                    graph[source][target].append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return graph


def cycles(graph) -> list[list[str]]:
    """Every cycle between apps, each once (depth-first search from each app)."""
    found: set[tuple[str, ...]] = set()

    def visit(start, node, trail):
        for target in graph.get(node, {}):
            if target == start:
                cycle = trail
                turn = cycle.index(min(cycle))
                found.add(tuple(cycle[turn:] + cycle[:turn]))
            elif target not in trail and target > start:
                visit(start, target, [*trail, target])

    for app in sorted(graph):
        visit(app, app, [app])
    return [list(cycle) for cycle in sorted(found)]


def test_the_ground_floor_imports_no_area():
    graph = import_graph()
    upward = [
        f"{source} -> {target}: {', '.join(places)}"
        for source in sorted(GROUND_FLOOR)
        for target, places in sorted(graph.get(source, {}).items())
        if target not in GROUND_FLOOR and target != "metrics"
    ]
    assert upward == []


def test_no_two_apps_import_each_other_even_through_others():
    graph = import_graph()
    assert graph["risk"]["inventory"]  # the graph is read at all: risks name AI systems
    assert cycles(graph) == []


def test_the_graph_finds_an_import_hidden_in_a_function(tmp_path):
    """The reader sees what it must: a late import inside a function counts like any other."""
    tree = ast.parse("def f():\n    from aims.risk.models import Risk\n")
    found = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert found == ["aims.risk.models"]
    assert owner("aims.risk.models", app_packages()) == "risk"
    assert owner("aims.checks.management.commands.worker", app_packages()) == "checks"
    assert cycles({"a": {"b": ["x"]}, "b": {"c": ["y"]}, "c": {"a": ["z"]}}) == [["a", "b", "c"]]


# --- A new area plugs in through its area.py (tests/fake_area, test settings only) ----------


def test_a_new_area_appears_in_the_navigation(world):
    assert any(a.label == "fake_area" for a in areas.areas())
    page = world.client(world.viewer).get(reverse("dashboard", kwargs={"org": world.org.slug}))
    content = page.content.decode()
    assert f'href="/o/{world.org.slug}/lessons/">Lessons learned</a>' in content
    # ... under its section, after the links that come before it.
    section = content[content.index(">Do &amp; check<") :]
    assert section.index("Technical checks") < section.index("Lessons learned")


def test_a_new_areas_pages_are_served_under_the_organization_with_their_access(world):
    url = reverse("lesson_list", kwargs={"org": world.org.slug})
    assert url == f"/o/{world.org.slug}/lessons/"
    response = world.client(world.viewer).get(url)
    assert (
        response.status_code == 200 and "Review fairness per age band" in response.content.decode()
    )
    assert 'aria-current="page">Lessons learned' in response.content.decode()
    assert world.client(world.outsider).get(url).status_code == 404
    add = reverse("lesson_add", kwargs={"org": world.org.slug})
    assert world.client(world.viewer).get(add).status_code == 403
    assert world.client(world.contributor).get(add).status_code == 200


def test_a_new_areas_routes_are_walked_by_the_authorization_test():
    from tests.test_security_routes import org_routes

    assert {"o/<slug:org>/lessons/", "o/<slug:org>/lessons/new/"} <= {r for r, _ in org_routes()}


def test_a_new_areas_api_is_in_the_schema_and_checks_its_token(world):
    from helpers import ApiClient

    document = api.get_openapi_schema()
    operation = document["paths"]["/api/v1/lessons"]["get"]
    assert operation["operationId"] == "list_lessons" and operation["tags"] == ["Lessons learned"]
    assert world.client(None).get("/api/v1/lessons").status_code == 401
    answer = ApiClient.for_member(world.viewer, world.org).get("/api/v1/lessons")
    assert answer.status_code == 200 and len(answer.json()) == 2


def test_a_new_area_adds_its_figure_to_the_dashboard(world):
    from aims.dashboard.summary import summarize

    summary = summarize(world.org)
    assert [s.label for s in summary.stats][-1] == "lesson learned"
    content = (
        world.client(world.owner)
        .get(reverse("dashboard", kwargs={"org": world.org.slug}))
        .content.decode()
    )
    # An empty organization shows the welcome; once it has records the figures show.
    assert "Welcome to your AI management system" in content


def test_no_import_of_another_app_hides_inside_a_function():
    """A dependency is declared where a reader looks for it: at the top of the module."""
    packages = app_packages()
    hidden = []
    for path in sorted((ROOT / "aims").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        source = owner(module, packages)
        if source is None or module in PROJECT:
            continue
        for function in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    target = owner(node.module, packages)
                    if target not in (None, source):
                        hidden.append(f"{path.relative_to(ROOT)}:{node.lineno} -> {target}")
    assert hidden == []


def test_no_two_areas_name_an_api_path_parameter_alike():
    """The API finds the record a path parameter names by the parameter's name alone (a body
    sent to another organization's record answers 404 before it is validated): two areas both
    naming ``assessment_id`` made one area's records unreachable. Registering a second is refused."""
    owners: dict[str, str] = {}
    for area in areas.areas():
        for name in area.api_path_records:
            assert name not in owners, (name, owners.get(name), area.label)
            owners[name] = area.label
    impact = next(a for a in areas.areas() if "assessment_id" in a.api_path_records)
    clash = areas.Area(label="clash", prefix="clash/", api_path_records=impact.api_path_records)
    with pytest.raises(ValueError, match="already names"):
        areas.register(clash)
    assert "clash" not in {a.label for a in areas.areas()}


def test_no_two_api_schemas_share_a_name():
    """The OpenAPI document names a schema component by its class name: two areas' ``SystemOut``
    made one of them describe the other's answers (the business case's systems as the
    inventory's), which only a fuzzer noticed. Every schema class of the API has its own name."""
    import ninja

    from aims.api.urls import api

    api.get_openapi_schema()  # every router and its schemas are imported
    found: dict[str, list[str]] = {}
    stack = [ninja.Schema]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("aims."):
            found.setdefault(cls.__name__, []).append(cls.__module__)
    shared = {name: modules for name, modules in found.items() if len(set(modules)) > 1}
    assert len(found) > 100
    assert shared == {}
