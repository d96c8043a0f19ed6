"""What a framework's requirements are evidenced by, in one organization.

A requirement maps to ISO/IEC 42001 clauses and controls; every kind of record that addresses
those (``aims.catalog.links``: documents, objectives, roles, ...) is read once, its current
records only (an approved document, a role someone holds), and each requirement gets the records
that address any of its targets. For a management system standard (ISO/IEC 27001, say) a record
counts only when the organization marked it as serving that standard: an AI policy does not
evidence the information security policy unless it is one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models

from aims.core.areas import control_records

from .models import Framework, Kind, Requirement, ServedRecord


class Status(models.TextChoices):
    COVERED = "covered", "Evidenced"
    GAP = "gap", "Not evidenced"
    UNMAPPED = "unmapped", "Not mapped to ISO/IEC 42001"


@dataclass(frozen=True)
class Evidence:
    """A current record of the organization that addresses a mapped clause or control."""

    kind: str  # "Documents"
    pk: int
    title: str
    url: str
    addresses: tuple[str, ...]  # the 42001 ids it addresses that the requirement maps to


@dataclass
class Row:
    requirement: Requirement
    depth: int
    heading: bool  # a function or group with no mapping of its own: not counted
    targets: list[str] = field(default_factory=list)  # 42001 ids, in mapping order
    provenance: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def status(self) -> Status | None:
        if self.heading:
            return None
        if not self.targets:
            return Status.UNMAPPED
        return Status.COVERED if self.evidence else Status.GAP


@dataclass
class Coverage:
    framework: Framework
    rows: list[Row]

    def count(self, status: Status) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counted(self) -> int:
        return sum(1 for row in self.rows if row.status is not None)

    @property
    def covered(self) -> int:
        return self.count(Status.COVERED)

    @property
    def not_covered(self) -> int:
        return self.count(Status.GAP)

    @property
    def unmapped(self) -> int:
        return self.count(Status.UNMAPPED)


def _title(record) -> str:
    for name in ("title", "name", "label"):
        value = getattr(record, name, None)
        if isinstance(value, str) and value:
            return value
    return str(record)


def coverage(framework: Framework, organization) -> Coverage:
    requirements = list(
        framework.requirements.prefetch_related("mappings__clause", "mappings__control")
    )
    parents = {r.parent_id for r in requirements if r.parent_id}
    depth: dict[int, int] = {}
    for requirement in requirements:  # a parent always comes first
        depth[requirement.pk] = (
            depth.get(requirement.parent_id, -1) + 1 if requirement.parent_id else 0
        )
    clause_ids, control_ids = set(), set()
    for requirement in requirements:
        for mapping in requirement.mappings.all():
            if mapping.clause_id:
                clause_ids.add(mapping.clause_id)
            else:
                control_ids.add(mapping.control_id)

    # 42001 clause or control id -> the organization's current records addressing it
    by_clause: dict[int, list] = defaultdict(list)
    by_control: dict[int, list] = defaultdict(list)
    served = None
    if framework.kind == Kind.HARMONIZED:
        served = set(
            ServedRecord.objects.filter(organization=organization, framework=framework).values_list(
                "content_type_id", "object_id"
            )
        )
    for kind in control_records():
        current = kind.current_records(organization)
        addressing = current.filter(
            models.Q(clauses__in=clause_ids) | models.Q(controls__in=control_ids)
        )
        if served is not None:
            type_id = ContentType.objects.get_for_model(kind.model).pk
            addressing = addressing.filter(pk__in=[pk for t, pk in served if t == type_id])
        # The join repeats a record per id it addresses: pick them in a subquery rather than
        # with DISTINCT, which PostgreSQL refuses on a row holding a json column.
        found = current.filter(pk__in=addressing.values("pk"))
        for record in found.prefetch_related("clauses", "controls"):
            record.organization = organization
            url = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
            item = (kind.order, kind.label, record.pk, _title(record), url)
            for clause in record.clauses.all():
                if clause.pk in clause_ids:
                    by_clause[clause.pk].append((item, clause.ref))
            for control in record.controls.all():
                if control.pk in control_ids:
                    by_control[control.pk].append((item, control.ref))

    rows = []
    for requirement in requirements:
        mappings = list(requirement.mappings.all())
        row = Row(
            requirement,
            depth=depth[requirement.pk],
            heading=not mappings and requirement.pk in parents,
        )
        found: dict[tuple, list[str]] = {}
        for mapping in mappings:
            ref = mapping.target_ref
            if ref not in row.targets:
                row.targets.append(ref)
            provenance = mapping.provenance()
            if provenance not in row.provenance:
                row.provenance.append(provenance)
            hits = (
                by_clause[mapping.clause_id]
                if mapping.clause_id
                else by_control[mapping.control_id]
            )
            for item, addressed in hits:
                refs = found.setdefault(item, [])
                if addressed not in refs:
                    refs.append(addressed)
        row.evidence = [
            Evidence(kind=label, pk=pk, title=title, url=url, addresses=tuple(refs))
            for (_, label, pk, title, url), refs in sorted(
                found.items(), key=lambda i: (i[0][0], i[0][1], i[0][3])
            )
        ]
        rows.append(row)
    return Coverage(framework, rows)
