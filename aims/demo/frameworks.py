"""Northwind Credit runs ISO/IEC 27001 and ISO 9001 beside its AIMS: its governance documents,
its management reviews and its AIMS roles serve them too. Its other records evidence NIST AI RMF
subcategories and EU AI Act articles through the crosswalks, with nothing marked by hand."""

from __future__ import annotations

from aims.core.areas import control_records
from aims.frameworks.loader import load_frameworks
from aims.frameworks.models import Framework
from aims.frameworks.services import set_served, set_standard_in_use

# standard -> kinds of record (by their label) whose records addressing clauses serve it
SERVES = {
    "iso-iec-27001-2022": ("Documents", "Management reviews", "AIMS roles"),
    "iso-9001-2015": ("Management reviews",),
}
NINE_THOUSAND_ONE_DOCUMENTS = ("AI governance charter",)


def load(org, *, people, systems, risks, today) -> None:
    manager = people["priya.shah"]
    load_frameworks()  # a no-op when the catalog load did it
    kinds = {kind.label: kind.model for kind in control_records()}
    for slug, labels in SERVES.items():
        framework = Framework.objects.shipped().filter(slug=slug).first()
        if framework is None:
            continue
        set_standard_in_use(org, framework, runs=True, actor=manager)
        chosen = {}
        for label in labels:
            model = kinds.get(label)
            if model is not None:
                chosen[model] = list(
                    model.objects.filter(organization=org, clauses__isnull=False)
                    .distinct()
                    .values_list("pk", flat=True)
                )
        if slug == "iso-9001-2015" and "Documents" in kinds:
            documents = kinds["Documents"].objects.filter(organization=org)
            chosen[kinds["Documents"]] = list(
                documents.filter(title__in=NINE_THOUSAND_ONE_DOCUMENTS).values_list("pk", flat=True)
            )
        set_served(org, framework, chosen, actor=manager)
