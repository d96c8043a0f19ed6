"""Load the frameworks shipped as data files into the database, idempotently.

Loading twice changes nothing: each entry is matched by (framework, id) and written only when
one of its values differs from the data file.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from aims.core.areas import hooks

from .models import AIObjective, Clause, Control, ControlObjective, Framework, RiskSource

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_FRAMEWORK = "iso-iec-42001-2023"


class CatalogError(ValueError):
    """A data file that cannot be loaded; the message names the file and the entry."""


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def __str__(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return ", ".join(
            f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated, "
            f"{self.unchanged[kind]} unchanged"
            for kind in kinds
        )


def _upsert(report: LoadReport, kind: str, model, lookup: dict, values: dict):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        report.created[kind] += 1
        return obj
    dirty = [name for name, value in values.items() if getattr(obj, name) != value]
    if dirty:
        for name in dirty:
            setattr(obj, name, values[name])
        obj.save(update_fields=dirty)
        report.updated[kind] += 1
    else:
        report.unchanged[kind] += 1
    return obj


def _check_unique(path: Path, data: dict) -> None:
    seen: set[str] = set()
    for section in ("clauses", "objectives", "controls", "annex_c_objectives", "risk_sources"):
        for entry in data.get(section, []):
            ref = entry.get("id")
            if not ref:
                raise CatalogError(f"{path.name}: an entry in {section} has no id")
            if ref in seen:
                raise CatalogError(f"{path.name}: id {ref} appears more than once")
            seen.add(ref)


def load_file(path: Path, report: LoadReport | None = None) -> LoadReport:
    report = report or LoadReport()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogError(f"{path.name}: cannot be read as JSON ({exc})") from exc
    _check_unique(path, data)
    meta = data["framework"]
    with transaction.atomic():
        framework = _upsert(
            report,
            "frameworks",
            Framework,
            {"slug": meta["slug"]},
            {k: meta[k] for k in ("name", "title", "version", "publisher", "catalog_version")},
        )
        clauses: dict[str, Clause] = {}
        for position, entry in enumerate(data["clauses"]):
            parent = clauses.get(entry["parent"]) if entry["parent"] else None
            if entry["parent"] and parent is None:
                raise CatalogError(f"{path.name}: clause {entry['id']} names unknown parent")
            clauses[entry["id"]] = _upsert(
                report,
                "clauses",
                Clause,
                {"framework": framework, "ref": entry["id"]},
                {
                    "title": entry["title"],
                    "summary": entry["summary"],
                    "guidance": entry.get("guidance", ""),
                    "parent": parent,
                    "position": position,
                },
            )
        objectives: dict[str, ControlObjective] = {}
        for position, entry in enumerate(data["objectives"]):
            parent = objectives.get(entry["parent"]) if entry["parent"] else None
            objectives[entry["id"]] = _upsert(
                report,
                "objectives",
                ControlObjective,
                {"framework": framework, "ref": entry["id"]},
                {
                    "title": entry["title"],
                    "summary": entry["summary"],
                    "parent": parent,
                    "position": position,
                },
            )
        for position, entry in enumerate(data["controls"]):
            if entry["objective"] not in objectives:
                raise CatalogError(f"{path.name}: control {entry['id']} names unknown objective")
            _upsert(
                report,
                "controls",
                Control,
                {"framework": framework, "ref": entry["id"]},
                {
                    "title": entry["title"],
                    "summary": entry["summary"],
                    "guidance": entry.get("guidance", ""),
                    "objective": objectives[entry["objective"]],
                    "position": position,
                },
            )
        for section, kind, model in (
            ("annex_c_objectives", "AI objectives", AIObjective),
            ("risk_sources", "risk sources", RiskSource),
        ):
            for position, entry in enumerate(data.get(section, [])):
                _upsert(
                    report,
                    kind,
                    model,
                    {"framework": framework, "ref": entry["id"]},
                    {"title": entry["title"], "summary": entry["summary"], "position": position},
                )
    return report


def load_catalog() -> LoadReport:
    """Load every shipped framework, then tell the areas (the SoA gives each organization an
    entry for a new control)."""
    report = LoadReport()
    for path in sorted(DATA_DIR.glob("*.json")):
        load_file(path, report)
    for catalog_loaded in hooks("catalog_loaded"):
        catalog_loaded()
    return report


def default_framework() -> Framework | None:
    return Framework.objects.filter(slug=DEFAULT_FRAMEWORK).first()
