"""The ISO/IEC 42001 catalog as shipped: complete, unique, and idempotent to load."""

import json
import re

from conftest import SHARED_REFERENCE, require_reference

from aims.catalog.loader import DATA_DIR, load_catalog
from aims.catalog.models import AIObjective, Clause, Control, ControlObjective, RiskSource

REFERENCE = SHARED_REFERENCE / "iso42001-structure.md"

EXPECTED_CLAUSES = (
    "4 4.1 4.2 4.3 4.4 5 5.1 5.2 5.3 6 6.1 6.1.1 6.1.2 6.1.3 6.1.4 6.2 6.3 7 7.1 7.2 7.3 7.4 "
    "7.5 7.5.1 7.5.2 7.5.3 8 8.1 8.2 8.3 8.4 9 9.1 9.2 9.2.1 9.2.2 9.3 9.3.1 9.3.2 9.3.3 10 "
    "10.1 10.2"
).split()
CONTROLS_PER_OBJECTIVE = {
    "A.2": 3,
    "A.3": 2,
    "A.4": 5,
    "A.5": 4,
    "A.6": 9,
    "A.7": 5,
    "A.8": 4,
    "A.9": 3,
    "A.10": 3,
}


def test_it_ships_every_clause_from_4_1_to_10_2(db):
    refs = list(Clause.objects.order_by("position").values_list("ref", flat=True))
    assert refs == EXPECTED_CLAUSES


def test_it_has_38_controls_under_9_objectives(db):
    assert Control.objects.count() == 38
    top = ControlObjective.objects.filter(parent__isnull=True)
    assert top.count() == 9
    for objective in top:
        n = Control.objects.filter(objective__in=[objective, *objective.children.all()]).count()
        assert n == CONTROLS_PER_OBJECTIVE[objective.ref], objective.ref
    a6 = ControlObjective.objects.get(ref="A.6")
    assert sorted(a6.children.values_list("ref", flat=True)) == ["A.6.1", "A.6.2"]


def test_it_has_annex_c_objectives_and_risk_sources(db):
    assert AIObjective.objects.count() == 11
    assert list(RiskSource.objects.values_list("ref", flat=True)) == [
        f"C.3.{n}" for n in range(1, 8)
    ]


def test_ids_are_unique_and_every_entry_has_a_summary_and_guidance():
    data = json.loads((DATA_DIR / "iso-iec-42001-2023.json").read_text())
    ids = [
        e["id"]
        for section in ("clauses", "objectives", "controls", "annex_c_objectives", "risk_sources")
        for e in data[section]
    ]
    assert len(ids) == len(set(ids))
    for entry in data["clauses"] + data["controls"]:
        assert entry["summary"].strip() and entry["guidance"].strip(), entry["id"]


def test_ids_and_titles_match_the_reference_structure():
    require_reference(REFERENCE)
    rows = dict(
        re.findall(
            r"^\| ((?:A\.)?\d+(?:\.\d+)*|C\.\d\.\d+) \| ([^|]+) \|$",
            REFERENCE.read_text(),
            flags=re.M,
        )
    )
    data = json.loads((DATA_DIR / "iso-iec-42001-2023.json").read_text())
    shipped = {
        e["id"]: e["title"]
        for section in ("clauses", "controls", "annex_c_objectives", "risk_sources")
        for e in data[section]
    }
    assert {k: v.strip() for k, v in rows.items()} == shipped


def test_reloading_the_catalog_changes_nothing(db):
    before = list(Control.objects.values_list("pk", "ref", "title", "summary", "objective_id"))
    clauses_before = list(Clause.objects.values_list("pk", "ref", "parent_id"))
    report = load_catalog()
    assert not report.changed
    assert sum(report.unchanged.values()) == 1 + 43 + 11 + 38 + 11 + 7
    assert (
        list(Control.objects.values_list("pk", "ref", "title", "summary", "objective_id")) == before
    )
    assert list(Clause.objects.values_list("pk", "ref", "parent_id")) == clauses_before


def test_reloading_repairs_an_edited_entry(db):
    Control.objects.filter(ref="A.2.2").update(title="Tampered")
    report = load_catalog()
    assert report.updated["controls"] == 1
    assert Control.objects.get(ref="A.2.2").title == "AI policy"
