"""The competence matrix: each member against each competence someone needs (7.2).

A cell is one of :class:`Holding`: the competence is held (a current training record of a
course giving it), held but expiring within 30 days, expired (every record of it has expired),
missing (never trained), or not required of that person. Missing and expired cells of required
competences are the gaps.

Computed in four queries whatever the number of people, competences and training records: the
members, the requirements, the required competences, and each person's latest expiry per
competence (an aggregate).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, Max, Q

from aims.organizations.models import Membership, Role

from .models import EXPIRY_WARNING_DAYS, Competence, Requirement, TrainingRecord


class Holding(models.TextChoices):
    """A cell's state (computed, never stored)."""

    HELD = "held", "Held"
    EXPIRING = "expiring", "Expiring"
    EXPIRED = "expired", "Expired"
    MISSING = "missing", "Missing"
    NOT_REQUIRED = "not_required", "Not required"


GAPS = frozenset({Holding.EXPIRED, Holding.MISSING})
COUNTS_AS_HELD = frozenset({Holding.HELD, Holding.EXPIRING})


@dataclass(frozen=True)
class Cell:
    state: str
    expires_on: dt.date | None = None  # the latest expiry of the person's records of it
    held: bool = False  # held, whether required or not

    @property
    def label(self) -> str:
        return Holding(self.state).label

    @property
    def is_gap(self) -> bool:
        return self.state in GAPS

    @property
    def required(self) -> bool:
        return self.state != Holding.NOT_REQUIRED


@dataclass
class Row:
    person: object
    role: str
    cells: list[Cell]

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def required(self) -> int:
        return sum(cell.required for cell in self.cells)

    @property
    def held(self) -> int:
        return sum(cell.state in COUNTS_AS_HELD for cell in self.cells)

    @property
    def gaps(self) -> int:
        return sum(cell.is_gap for cell in self.cells)

    @property
    def fully_trained(self) -> bool:
        """Something is required of the person and they hold all of it."""
        return self.required > 0 and self.gaps == 0


@dataclass
class Column:
    competence: Competence
    gaps: int = 0
    expiring: int = 0
    required: int = 0


@dataclass
class Matrix:
    columns: list[Column]
    rows: list[Row]
    today: dt.date
    by_person: dict[int, Row] = field(default_factory=dict)

    @property
    def required(self) -> int:
        return sum(row.required for row in self.rows)

    @property
    def held(self) -> int:
        return sum(row.held for row in self.rows)

    @property
    def gaps(self) -> int:
        return sum(row.gaps for row in self.rows)

    @property
    def fully_trained(self) -> int:
        return sum(row.fully_trained for row in self.rows)

    def cell(self, person, competence) -> Cell:
        row = self.by_person[person.pk]
        index = [c.competence.pk for c in self.columns].index(competence.pk)
        return row.cells[index]

    def share_held(self) -> float | None:
        """Percent of the required competences held (expiring ones included); None when
        nothing is required of anyone."""
        return round(100 * self.held / self.required, 1) if self.required else None


def required_of(requirements, membership_role: str, person_id: int) -> set[int]:
    return {
        r["competence_id"]
        for r in requirements
        if r["role"] == membership_role or r["person_id"] == person_id
    }


def holdings(organization, people_ids=None) -> dict[tuple[int, int], tuple[bool, dt.date | None]]:
    """(person id, competence id) -> (holds one record without expiry, latest expiry date)."""
    records = TrainingRecord.objects.filter(
        organization=organization, course__competences__isnull=False
    )
    if people_ids is not None:
        records = records.filter(person_id__in=people_ids)
    found = (
        records.order_by()
        .values("person_id", "course__competences")
        .annotate(forever=Count("pk", filter=Q(expires_on__isnull=True)), latest=Max("expires_on"))
    )
    return {
        (row["person_id"], row["course__competences"]): (row["forever"] > 0, row["latest"])
        for row in found
    }


def state_of(forever: bool, latest: dt.date | None, today: dt.date) -> str:
    if forever or (latest is not None and latest > today + dt.timedelta(days=EXPIRY_WARNING_DAYS)):
        return Holding.HELD
    if latest is not None and latest >= today:
        return Holding.EXPIRING
    if latest is not None:
        return Holding.EXPIRED
    return Holding.MISSING


def competence_matrix(organization, *, today: dt.date, role: str | None = None) -> Matrix:
    """The matrix of ``organization`` on ``today``; with ``role``, only members of that role
    (and the competences required of them)."""
    memberships = Membership.objects.filter(organization=organization).select_related("user")
    if role:
        memberships = memberships.filter(role=role)
    memberships = list(
        memberships.order_by("user__first_name", "user__last_name", "user__username")
    )
    requirements = list(
        Requirement.objects.filter(organization=organization).values(
            "competence_id", "role", "person_id"
        )
    )
    needed = {m.user_id: required_of(requirements, m.role, m.user_id) for m in memberships}
    wanted = set().union(*needed.values()) if needed else set()
    competences = list(Competence.objects.filter(organization=organization, pk__in=wanted))
    held = holdings(organization, [m.user_id for m in memberships]) if memberships else {}
    columns = [Column(c) for c in competences]
    rows = []
    for membership in memberships:
        cells = []
        for column in columns:
            forever, latest = held.get((membership.user_id, column.competence.pk), (False, None))
            state = state_of(forever, latest, today)
            holds = state in COUNTS_AS_HELD
            if column.competence.pk not in needed[membership.user_id]:
                cells.append(Cell(Holding.NOT_REQUIRED, latest, holds))
                continue
            column.required += 1
            column.gaps += state in GAPS
            column.expiring += state == Holding.EXPIRING
            cells.append(Cell(state, latest, holds))
        rows.append(Row(membership.user, membership.role, cells))
    return Matrix(columns, rows, today, {row.person.pk: row for row in rows})
