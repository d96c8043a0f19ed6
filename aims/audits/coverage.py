"""What an audit programme covers: every requirement of the cycle, the audits that plan it, and
whether a completed audit has examined it.

The requirements of a cycle are the clauses of ISO/IEC 42001 that carry requirements (the leaf
clauses, 4.1 to 10.2) and the Annex A controls the organization's SoA declares applicable. A
requirement is *planned* when an audit of the programme that is not cancelled has it in scope,
and *audited* when a completed one does. :func:`coverage` computes it in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from aims.catalog.models import Clause, Control
from aims.soa.models import Applicability

from .models import Audit, AuditProgramme, AuditStatus


def requirement_clauses():
    """The clauses that carry requirements: those with no sub-clause, in the standard's order."""
    return Clause.objects.filter(children__isnull=True).order_by("position")


def applicable_controls(organization):
    """The Annex A controls the organization's SoA declares applicable, in Annex A order."""
    return Control.objects.filter(
        soa_entries__organization=organization,
        soa_entries__applicability=Applicability.APPLICABLE,
    ).order_by("position")


@dataclass(frozen=True)
class Requirement:
    """One row of the coverage matrix."""

    ref: str
    title: str
    kind: str  # "clause" or "control"
    planned_in: tuple[Audit, ...]  # audits of the programme, not cancelled, that have it in scope
    audited_in: tuple[Audit, ...]  # the completed ones among them

    @property
    def planned(self) -> bool:
        return bool(self.planned_in)

    @property
    def audited(self) -> bool:
        return bool(self.audited_in)


@dataclass(frozen=True)
class Coverage:
    """The coverage of one programme's cycle."""

    programme: AuditProgramme
    clauses: tuple[Requirement, ...]
    controls: tuple[Requirement, ...]

    @property
    def rows(self) -> tuple[Requirement, ...]:
        return self.clauses + self.controls

    # Sets of ids, for other areas (the readiness assessment, the management review).
    @property
    def clause_refs(self) -> frozenset[str]:
        return frozenset(r.ref for r in self.clauses)

    @property
    def control_refs(self) -> frozenset[str]:
        return frozenset(r.ref for r in self.controls)

    @property
    def planned_clauses(self) -> frozenset[str]:
        return frozenset(r.ref for r in self.clauses if r.planned)

    @property
    def planned_controls(self) -> frozenset[str]:
        return frozenset(r.ref for r in self.controls if r.planned)

    @property
    def audited_clauses(self) -> frozenset[str]:
        return frozenset(r.ref for r in self.clauses if r.audited)

    @property
    def audited_controls(self) -> frozenset[str]:
        return frozenset(r.ref for r in self.controls if r.audited)

    # What the cycle has not done yet, in the standard's order.
    @property
    def unplanned(self) -> tuple[Requirement, ...]:
        return tuple(r for r in self.rows if not r.planned)

    @property
    def unaudited(self) -> tuple[Requirement, ...]:
        return tuple(r for r in self.rows if not r.audited)

    @property
    def unaudited_clauses(self) -> tuple[str, ...]:
        return tuple(r.ref for r in self.clauses if not r.audited)

    @property
    def unaudited_controls(self) -> tuple[str, ...]:
        return tuple(r.ref for r in self.controls if not r.audited)

    @property
    def required(self) -> int:
        return len(self.clauses) + len(self.controls)

    @property
    def planned_count(self) -> int:
        return sum(1 for r in self.rows if r.planned)

    @property
    def audited_count(self) -> int:
        return sum(1 for r in self.rows if r.audited)

    @property
    def percent_planned(self) -> int:
        return _percent(self.planned_count, self.required)

    @property
    def percent_audited(self) -> int:
        """The share of the cycle's requirements examined by a completed audit; rounded down,
        so 100 means every one."""
        return _percent(self.audited_count, self.required)

    @property
    def complete(self) -> bool:
        return self.required > 0 and self.audited_count == self.required


def _percent(part: int, whole: int) -> int:
    return (100 * part) // whole if whole else 0


def coverage(programme: AuditProgramme) -> Coverage:
    """The coverage of ``programme``'s cycle (four queries, however many audits)."""
    audits = list(
        Audit.objects.filter(programme=programme)
        .exclude(status=AuditStatus.CANCELLED)
        .prefetch_related("clauses", "controls")
        .order_by("planned_start", "pk")
    )
    for audit in audits:
        audit.organization = programme.organization
        audit.programme = programme
    by_clause: dict[int, list[Audit]] = {}
    by_control: dict[int, list[Audit]] = {}
    for audit in audits:
        for clause in audit.clauses.all():
            by_clause.setdefault(clause.pk, []).append(audit)
        for control in audit.controls.all():
            by_control.setdefault(control.pk, []).append(audit)

    def row(item, kind: str, found: dict[int, list[Audit]]) -> Requirement:
        planned = tuple(found.get(item.pk, ()))
        return Requirement(
            ref=item.ref,
            title=item.title,
            kind=kind,
            planned_in=planned,
            audited_in=tuple(a for a in planned if a.status == AuditStatus.COMPLETED),
        )

    return Coverage(
        programme=programme,
        clauses=tuple(row(c, "clause", by_clause) for c in requirement_clauses()),
        controls=tuple(
            row(c, "control", by_control) for c in applicable_controls(programme.organization)
        ),
    )


def current_programme(organization, today: dt.date) -> AuditProgramme | None:
    """The programme whose cycle includes ``today`` (the latest to start, if several)."""
    return (
        AuditProgramme.objects.for_org(organization)
        .running_on(today)
        .order_by("-starts_on", "-pk")
        .first()
    )
