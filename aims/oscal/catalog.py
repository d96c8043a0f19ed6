"""The ISO/IEC 42001 catalog as an OSCAL catalog: ids and titles only.

The catalog ships the standard's structure with summaries written by the project; the OSCAL
export leaves those out too, so nothing but the ids and titles (facts of the public table of
contents) leaves the app. Clauses 4 to 10 are a group each with their requirements as controls
(so that assessment results can name them), and each Annex A objective is a group holding its
controls.
"""

from __future__ import annotations

import datetime as dt

from aims.catalog.models import Clause, Control, ControlObjective, Framework

from .common import control_id, document, line, metadata, prop, stable_uuid

ISO_42001 = "iso-iec-42001-2023"

# When each version of the shipped catalog data (Framework.catalog_version) last changed: the
# catalog's ``last-modified``. Add a line when the data file's catalog_version goes up.
CATALOG_CHANGED = {"1": dt.datetime(2026, 11, 24, tzinfo=dt.UTC)}
FALLBACK_CHANGED = dt.datetime(2026, 11, 24, tzinfo=dt.UTC)


def framework() -> Framework:
    return Framework.objects.get(slug=ISO_42001)


def catalog_uuid(found: Framework) -> str:
    """The catalog's UUID: the same for every organization and every export of one version."""
    return stable_uuid("catalog", found.slug, found.catalog_version)


def last_modified(found: Framework) -> dt.datetime:
    return CATALOG_CHANGED.get(found.catalog_version, FALLBACK_CHANGED)


def _control(item, kind: str) -> dict:
    return {
        "id": control_id(item.ref),
        "class": kind,
        "title": line(item.title, item.ref),
        "props": [prop("label", item.ref, ns=None)],
    }


def build_catalog() -> dict:
    """The OSCAL catalog of ISO/IEC 42001 (ids and titles of clauses 4 to 10, the Annex A
    objectives and controls), the same for every organization."""
    found = framework()
    clauses = list(Clause.objects.filter(framework=found).order_by("position", "pk"))
    children: dict[int | None, list[Clause]] = {}
    for clause in clauses:
        children.setdefault(clause.parent_id, []).append(clause)

    def clause_control(clause: Clause) -> dict:
        control = _control(clause, "requirement")
        control["controls"] = [clause_control(child) for child in children.get(clause.pk, [])]
        return control

    clause_groups = [
        {
            "id": f"clause-{top.ref}",
            "class": "clause",
            "title": line(top.title, top.ref),
            "props": [prop("label", top.ref, ns=None)],
            "controls": [clause_control(child) for child in children.get(top.pk, [])],
        }
        for top in children.get(None, [])
    ]
    objectives = list(ControlObjective.objects.filter(framework=found).order_by("position", "pk"))
    controls: dict[int, list[Control]] = {}
    for control in Control.objects.filter(framework=found).order_by("position", "pk"):
        controls.setdefault(control.objective_id, []).append(control)
    sub_objectives: dict[int | None, list[ControlObjective]] = {}
    for objective in objectives:
        sub_objectives.setdefault(objective.parent_id, []).append(objective)

    def objective_group(objective: ControlObjective) -> dict:
        return {
            "id": control_id(objective.ref),
            "class": "objective",
            "title": line(objective.title, objective.ref),
            "props": [prop("label", objective.ref, ns=None)],
            "groups": [objective_group(sub) for sub in sub_objectives.get(objective.pk, [])],
            "controls": [_control(c, "control") for c in controls.get(objective.pk, [])],
        }

    return document(
        "catalog",
        {
            "uuid": catalog_uuid(found),
            "metadata": metadata(
                found.name,
                last_modified(found),
                version=found.catalog_version,
                props=[prop("framework", found.slug), prop("publisher", found.publisher)],
                remarks="Ids and titles of the clauses and Annex A controls only, for reference: "
                "the standard's text is not included. Exported by OpenAIMS.",
            ),
            "groups": [
                {
                    "id": "clauses",
                    "class": "clauses",
                    "title": "Requirements (clauses 4 to 10)",
                    "groups": clause_groups,
                },
                {
                    "id": "annex-a",
                    "class": "annex",
                    "title": "Annex A reference controls",
                    "groups": [objective_group(o) for o in sub_objectives.get(None, [])],
                },
            ],
        },
    )
