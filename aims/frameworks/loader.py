"""Load the frameworks shipped in ``data/`` beside the ISO/IEC 42001 catalog.

Run after the catalog loads (hook ``catalog_loaded``), so ``aims catalog load`` and ``make run``
load them too. A framework whose data is unchanged since its last load is skipped (its digest is
stored); a changed one has its requirements and mappings replaced in one transaction. Nothing an
organization records points at a requirement, so replacing them loses nothing.

The files, and where they come from (the project's own copies: ``../shared`` exists only on
development machines):

* ``nist-ai-rmf-1.0.csv``: the functions, categories and subcategories of NIST AI RMF 1.0, with
  short titles in our own words;
* ``nist_ai_rmf_to_iso42001.csv``: NIST's published crosswalk to ISO/IEC 42001, as transcribed
  in ``../shared/reference``; a ``B.x`` id (Annex B guidance) maps to the Annex A control ``A.x``;
* ``eu_ai_act_articles.csv`` and ``eu-ai-act-mapping.csv``: the EU AI Act articles an AIMS serves
  and the project's own (not official) mapping of each to clauses and controls;
* ``harmonized-structure.json``: the clauses 4 to 10 that ISO 9001, ISO/IEC 27001 and 27701 share
  with ISO/IEC 42001 (ids and titles only).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from aims.catalog.models import Clause, Control

from .models import Framework, Kind, MappingSource, Origin, Requirement, RequirementMapping

DATA_DIR = Path(__file__).resolve().parent / "data"
PROJECT = "OpenAIMS project"
NIST_CROSSWALK = "NIST AI Resource Center (AI RMF to ISO/IEC FDIS 42001 crosswalk)"


class FrameworkDataError(ValueError):
    """A shipped data file that cannot be loaded; the message names the file and the row."""


@dataclass
class Shipped:
    """A framework as its data files give it, before it is written."""

    slug: str
    name: str
    title: str
    version: str
    publisher: str
    kind: str
    description: str
    # (ref, title, parent ref, kind)
    requirements: list[tuple[str, str, str, str]] = field(default_factory=list)
    # (requirement ref, cited 42001 ref, source, made by, note)
    mappings: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    digest: str = ""


def _rows(name: str) -> list[dict[str, str]]:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _digest(*names: str) -> str:
    sha = hashlib.sha256()
    for name in names:
        sha.update((DATA_DIR / name).read_bytes())
    return sha.hexdigest()


def catalog_ref(cited: str) -> str:
    """The ISO/IEC 42001 id a cited id stands for: Annex B guidance ``B.6.2.8`` is the guidance
    of control ``A.6.2.8``."""
    return "A." + cited[2:] if cited.startswith("B.") else cited


def nist_ai_rmf() -> Shipped:
    files = ("nist-ai-rmf-1.0.csv", "nist_ai_rmf_to_iso42001.csv")
    shipped = Shipped(
        slug="nist-ai-rmf-1.0",
        name="NIST AI RMF",
        title="NIST AI Risk Management Framework",
        version="1.0",
        publisher="NIST",
        kind=Kind.AI,
        description="Functions, categories and subcategories (ids from NIST AI 100-1, short "
        "titles in our words), mapped to ISO/IEC 42001 by NIST's published crosswalk. The "
        "crosswalk gives no relationship type: every row reads 'related'.",
        digest=_digest(*files),
    )
    for row in _rows(files[0]):
        shipped.requirements.append((row["id"], row["title"], row["parent"], row["kind"]))
    for row in _rows(files[1]):
        note = f"Relationship: {row['relationship']}."
        if row["note"]:
            note += f" {row['note']}"
        shipped.mappings.append(
            (row["source_id"], row["target_id"], MappingSource.NIST, NIST_CROSSWALK, note[:500])
        )
    return shipped


def eu_ai_act() -> Shipped:
    files = ("eu_ai_act_articles.csv", "eu-ai-act-mapping.csv")
    shipped = Shipped(
        slug="eu-ai-act",
        name="EU AI Act",
        title="Regulation (EU) 2024/1689 (Artificial Intelligence Act)",
        version="2024/1689",
        publisher="European Union",
        kind=Kind.AI,
        description="The articles an AI management system most directly serves, mapped by the "
        "OpenAIMS project to the clauses and Annex A controls whose records help show them. "
        "Not an official mapping: no authority has published one.",
        digest=_digest(*files),
    )
    for row in _rows(files[0]):
        shipped.requirements.append((row["article"], row["title"], "", "Article"))
    for row in _rows(files[1]):
        shipped.mappings.append(
            (row["article"], row["target_id"], MappingSource.PROJECT, PROJECT, row["note"])
        )
    return shipped


def harmonized() -> list[Shipped]:
    name = "harmonized-structure.json"
    data = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    found = []
    for standard in data["standards"]:
        shipped = Shipped(
            slug=standard["slug"],
            name=standard["name"],
            title=standard["title"],
            version=standard["version"],
            publisher="ISO" if standard["name"].startswith("ISO ") else "ISO/IEC",
            kind=Kind.HARMONIZED,
            description=f"{data['note']} Each clause maps to the ISO/IEC 42001 clause of the "
            "same place in the structure (the OpenAIMS project's reading).",
            digest=_digest(name),
        )
        words = {
            "system": standard["system"],
            "System": standard["system"][0].upper() + standard["system"][1:],
            "Discipline": standard["discipline"],
        }
        overrides = dict(standard["clauses"])
        for ref, title, parent in data["clauses"]:
            title, target = overrides.pop(ref, (title.format(**words), ref))
            shipped.requirements.append((ref, title, parent, "Clause"))
            if parent:  # a top-level clause heads its subclauses, which hold the requirements
                shipped.mappings.append(
                    (ref, target, MappingSource.PROJECT, PROJECT, "Harmonized structure")
                )
        for ref, (title, target) in overrides.items():  # a clause of its own (ISO 9001 10.3)
            shipped.requirements.append((ref, title, ref.split(".")[0], "Clause"))
            shipped.mappings.append(
                (ref, target, MappingSource.PROJECT, PROJECT, "Harmonized structure")
            )
        found.append(shipped)
    return found


def shipped_frameworks() -> list[Shipped]:
    return [nist_ai_rmf(), eu_ai_act(), *harmonized()]


def write(shipped: Shipped, *, clauses: dict[str, Clause], controls: dict[str, Control]) -> bool:
    """Write one shipped framework unless it is loaded already from the same data; say whether
    anything changed."""
    framework = Framework.objects.shipped().filter(slug=shipped.slug).first()
    if framework is not None and framework.data_digest == shipped.digest:
        return False
    with transaction.atomic():
        values = {
            "name": shipped.name,
            "title": shipped.title,
            "version": shipped.version,
            "publisher": shipped.publisher,
            "kind": shipped.kind,
            "origin": Origin.SHIPPED,
            "description": shipped.description,
            "data_digest": shipped.digest,
        }
        if framework is None:
            framework = Framework.objects.create(slug=shipped.slug, **values)
        else:
            Framework.objects.filter(pk=framework.pk).update(**values)
            framework.requirements.all().delete()
        by_ref: dict[str, Requirement] = {}
        for position, (ref, title, parent_ref, kind) in enumerate(shipped.requirements):
            if ref in by_ref:
                raise FrameworkDataError(f"{shipped.slug}: id {ref} appears twice")
            if parent_ref and parent_ref not in by_ref:
                raise FrameworkDataError(f"{shipped.slug}: {ref} names unknown parent {parent_ref}")
            by_ref[ref] = Requirement.objects.create(
                framework=framework,
                ref=ref,
                title=title,
                kind=kind,
                parent=by_ref.get(parent_ref),
                position=position,
            )
        mappings = []
        for ref, cited, source, made_by, note in shipped.mappings:
            target = catalog_ref(cited)
            if ref not in by_ref or (target not in clauses and target not in controls):
                raise FrameworkDataError(f"{shipped.slug}: mapping {ref} to {cited} names no id")
            mappings.append(
                RequirementMapping(
                    requirement=by_ref[ref],
                    clause=clauses.get(target),
                    control=controls.get(target),
                    cited_ref=cited,
                    source=source,
                    made_by=made_by,
                    note=note,
                )
            )
        RequirementMapping.objects.bulk_create(mappings)
    return True


def load_frameworks() -> list[str]:
    """Load every shipped framework whose data changed; return the slugs written. Needs the
    ISO/IEC 42001 catalog loaded (it maps to its clauses and controls)."""
    clauses = {c.ref: c for c in Clause.objects.all()}
    controls = {c.ref: c for c in Control.objects.all()}
    if not clauses:
        return []
    return [s.slug for s in shipped_frameworks() if write(s, clauses=clauses, controls=controls)]
